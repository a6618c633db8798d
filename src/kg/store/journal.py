"""An append-only, fsync'd journal of change sets: the embedded store's durable memory.

Each change set is one line of JSON ending in a newline, carrying its own SHA-256. A line is
acknowledged only after ``fsync``; on replay a last line that is incomplete or fails its
checksum (a write cut short by a crash) is dropped and the file truncated before it, so that a
restarted server holds exactly the acknowledged change sets.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from kg.rdfio import parse_nquads, serialize_nquads
from kg.store.base import ChangeSet

log = logging.getLogger(__name__)


def _digest(payload: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "ab")  # noqa: SIM115 - kept open for the store's lifetime

    def append(self, changes: ChangeSet) -> None:
        payload: dict[str, object] = {
            "id": changes.id,
            "remove": serialize_nquads(changes.removed),
            "add": serialize_nquads(changes.added),
            "meta": dict(changes.meta),
        }
        record = dict(payload, sha256=_digest(payload))
        self._fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def replay(self) -> Iterator[ChangeSet]:
        """The acknowledged change sets, oldest first; a torn tail is cut off."""
        good_until = 0
        with open(self.path, "rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break
                try:
                    record = json.loads(line)
                    digest = record.pop("sha256")
                    if _digest(record) != digest:
                        break
                except (ValueError, KeyError, TypeError):
                    break
                good_until += len(line)
                yield ChangeSet(
                    record["id"],
                    tuple(parse_nquads(record["remove"])),
                    tuple(parse_nquads(record["add"])),
                    record["meta"],
                )
        size = self.path.stat().st_size
        if size > good_until:
            log.warning(
                "journal %s: dropping %d bytes of an unfinished write", self.path, size - good_until
            )
            os.truncate(self.path, good_until)

    def close(self) -> None:
        self._fh.close()
