"""An append-only, fsync'd journal of change sets: the embedded store's durable memory.

Each change set is one line of JSON, numbered (``seq``) and carrying the SHA-256 of its own
content. Beside the journal, a small *head* file records how many change sets have been
acknowledged and the digest of the last one; it is replaced atomically (write, fsync, rename)
after each append, before the server answers. A write is acknowledged only when both are on
disk.

At start the journal is replayed, and it either gives back every acknowledged change set or
refuses to start with a message naming the file, the record and how to recover:

- a last line cut short (a crash during a write that was never acknowledged) is the only damage
  that is repaired: a copy of the file is moved aside first, then the unfinished line is cut;
- a record that fails its checksum or its numbering, anywhere, or a journal holding fewer
  records than the head acknowledges (a truncated or lost file), stops the start.

The file is never rewritten in place: every repair works on a copy and renames it over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.rdfio import parse_nquads, serialize_nquads
from kg.store.base import ChangeSet

log = logging.getLogger(__name__)


class JournalDamaged(StoreError):
    """The journal cannot be replayed without losing acknowledged change sets."""

    code = "journal-damaged"


def _digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def head_path(path: Path) -> Path:
    return path.with_name(path.name + ".head")


def write_head(path: Path, records: int, digest: str) -> None:
    """Record atomically that ``records`` change sets, the last with ``digest``, are on disk."""
    head = head_path(path)
    tmp = head.with_name(head.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(json.dumps({"records": records, "sha256": digest}).encode())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, head)
    _fsync_dir(head.parent)


@dataclass(frozen=True)
class Head:
    records: int
    sha256: str


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = head_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._records = 0
        self._last = ""
        self._fh = open(path, "ab")  # noqa: SIM115 - kept open for the store's lifetime

    # -- writing -------------------------------------------------------------------------

    def append(self, changes: ChangeSet) -> None:
        payload: dict[str, Any] = {
            "seq": self._records + 1,
            "id": changes.id,
            "remove": serialize_nquads(changes.removed),
            "add": serialize_nquads(changes.added),
            "meta": dict(changes.meta),
        }
        digest = _digest(payload)
        record = dict(payload, sha256=digest)
        self._fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._records += 1
        self._last = digest
        self._write_head()

    def _write_head(self) -> None:
        write_head(self.path, self._records, self._last)

    # -- reading -------------------------------------------------------------------------

    def _read_head(self) -> Head | None:
        if not self.head_path.exists():
            return None
        try:
            data = json.loads(self.head_path.read_bytes())
            return Head(int(data["records"]), str(data["sha256"]))
        except (ValueError, KeyError, TypeError):
            raise JournalDamaged(
                f"the journal's head file {self.head_path} is damaged, so it cannot be checked "
                f"that {self.path} holds every acknowledged change set. The server will not "
                f"start. Restore both files from a backup; or, if {self.path} is known to be "
                f"complete, run `kg journal check --rewrite-head` to trust it",
                file=str(self.head_path),
            ) from None

    def _damaged(self, number: int, start: int, why: str, after: int) -> JournalDamaged:
        return JournalDamaged(
            f"journal {self.path}: record {number} (at byte {start}) {why}; "
            f"{after} more record(s) follow it. The server will not start, so that no "
            f"acknowledged change set is lost silently. To recover, restore {self.path} from "
            f"a backup, or keep the {number - 1} change set(s) before the damage with "
            f"`kg journal cut {number}` (it moves the damaged file aside first)",
            file=str(self.path),
            record=number,
        )

    def records(self) -> Iterator[tuple[int, int, bytes]]:
        """(number, byte offset, line) of every line, the last one possibly unfinished."""
        offset = 0
        with open(self.path, "rb") as fh:
            for number, line in enumerate(fh, start=1):
                yield number, offset, line
                offset += len(line)

    def replay(self) -> Iterator[ChangeSet]:
        """Every acknowledged change set, oldest first (see the module docstring)."""
        head = self._read_head()
        lines = list(self.records())
        good_until = 0
        digests: list[str] = []
        changes: list[ChangeSet] = []
        for number, start, line in lines:
            if not line.endswith(b"\n"):
                if number != len(lines):  # pragma: no cover - only the last line can lack it
                    raise self._damaged(number, start, "is unfinished", len(lines) - number)
                break  # a write cut short: handled below
            try:
                record = json.loads(line)
                digest = record.pop("sha256")
                if _digest(record) != digest:
                    raise ValueError("checksum")
                if record["seq"] != number:
                    raise ValueError("numbering")
                change = ChangeSet(
                    record["id"],
                    tuple(parse_nquads(record["remove"])),
                    tuple(parse_nquads(record["add"])),
                    record["meta"],
                )
            except (ValueError, KeyError, TypeError, SyntaxError):
                raise self._damaged(
                    number,
                    start,
                    "is damaged (its checksum or numbering does not match)",
                    len(lines) - number,
                ) from None
            changes.append(change)
            digests.append(digest)
            good_until = start + len(line)
        acknowledged = head.records if head is not None else len(changes)
        if len(changes) < acknowledged:
            raise JournalDamaged(
                f"journal {self.path} holds {len(changes)} complete change set(s), but "
                f"{acknowledged} were acknowledged (head file {self.head_path}): the file was "
                f"truncated or replaced. The server will not start. Restore {self.path} from a "
                "backup",
                file=str(self.path),
                record=len(changes) + 1,
            )
        if head is not None and acknowledged and digests[acknowledged - 1] != head.sha256:
            raise self._damaged(
                acknowledged,
                0,
                "is not the change set that was acknowledged there",
                len(changes) - acknowledged,
            )
        if self.path.stat().st_size > good_until:
            self._cut_unfinished(good_until)
        self._records = len(changes)
        self._last = digests[-1] if digests else ""
        if head is None or head.records != len(changes):
            self._write_head()
        yield from changes

    def _cut_unfinished(self, good_until: int) -> None:
        """Move a copy aside, then keep the file up to its last complete record."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"{self.path.name}.unfinished-{stamp}")
        shutil.copy2(self.path, aside)
        log.warning(
            "journal %s: a write was cut short before it was acknowledged (%d bytes); a copy "
            "of the file is at %s and the unfinished write is dropped",
            self.path,
            self.path.stat().st_size - good_until,
            aside,
        )
        self._fh.close()
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(self.path, "rb") as src, open(tmp, "wb") as dst:
            dst.write(src.read(good_until))
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        self._fh = open(self.path, "ab")  # noqa: SIM115

    def close(self) -> None:
        self._fh.close()


def cut(path: Path, record: int) -> Path:
    """Keep the change sets before ``record`` (1-based); move the whole file aside first.

    Returns where the original went. Used by ``kg journal cut`` to recover from a damaged
    record when no backup exists; the change sets from ``record`` on are lost (they stay in
    the moved-aside copy).
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    shutil.copy2(path, aside)
    keep = b""
    digest = ""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if number >= record:
                break
            keep += line
            digest = json.loads(line)["sha256"]
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(keep)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    write_head(path, record - 1, digest)
    return aside
