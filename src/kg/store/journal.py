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

A redaction is the one write that changes earlier records (:meth:`Journal.rewrite`): every
record is passed through an edit that drops the redacted content, the redaction's own record is
appended, and the whole file is replaced at once (a new file, fsync, rename, fsync of the
folder, then the head), so that the old bytes are not kept in the data folder. The appended
record names the head it replaced (``rewrote``): a crash between the rename and the new head is
recognised at the next start, not taken for damage.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.rdfio import parse_nquads, serialize_nquads
from kg.store.base import ChangeSet, Purge
from kg.terms import Quad

log = logging.getLogger(__name__)


class JournalDamaged(StoreError):
    """The journal cannot be replayed without losing acknowledged change sets."""

    code = "journal-damaged"


def _digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def purge_digest(key: bytes, *, quad: Quad | None = None, graph: str | None = None) -> str:
    """The keyed digest (HMAC-SHA256) of a quad's N-Quads line, or of a graph's name."""
    text = "quad " + serialize_nquads([quad]) if quad is not None else f"graph {graph}"
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _payload(seq: int, change: ChangeSet) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "seq": seq,
        "id": change.id,
        "remove": serialize_nquads(change.removed),
        "add": serialize_nquads(change.added),
        "meta": dict(change.meta),
    }
    if change.purge is not None:
        payload["purge"] = {
            "key": change.purge.key,
            "graphs": list(change.purge.graphs),
            "quads": list(change.purge.quads),
        }
    return payload


def _encode(payload: dict[str, Any]) -> tuple[bytes, str]:
    """The record's line, and its digest."""
    digest = _digest(payload)
    record = dict(payload, sha256=digest)
    return json.dumps(record, ensure_ascii=False).encode() + b"\n", digest


def _decode(record: dict[str, Any]) -> ChangeSet:
    purge = record.get("purge")
    return ChangeSet(
        record["id"],
        tuple(parse_nquads(record["remove"])),
        tuple(parse_nquads(record["add"])),
        record["meta"],
        Purge(str(purge["key"]), tuple(purge["graphs"]), tuple(purge["quads"]))
        if purge is not None
        else None,
    )


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
        self.tmp_path = path.with_name(path.name + ".tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        # A rewrite or a cut that stopped before its rename: the journal itself is intact.
        self.tmp_path.unlink(missing_ok=True)
        self._records = 0
        self._last = ""
        self._fh = open(path, "ab")  # noqa: SIM115 - kept open for the store's lifetime

    # -- writing -------------------------------------------------------------------------

    def append(self, changes: ChangeSet) -> None:
        line, digest = _encode(_payload(self._records + 1, changes))
        self._fh.write(line)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._records += 1
        self._last = digest
        self._write_head()

    def rewrite(
        self,
        edit: Callable[[ChangeSet], ChangeSet],
        record: ChangeSet,
        *,
        mentions: Sequence[bytes] | None = None,
    ) -> None:
        """Pass every record through ``edit``, append ``record``, and replace the file at once.

        Records ``edit`` leaves equal keep their bytes; the others keep their number and get a
        new checksum. With ``mentions``, only the records whose line holds one of those byte
        strings are read and edited (the others cannot be changed by ``edit``: a cheap filter).
        The new file is written beside the journal, fsync'd, renamed over it (the folder
        fsync'd), and only then is the head moved on; ``record`` carries the head it replaced,
        so that a crash before the new head is written is recognised at start.
        """
        lines = list(self.records())
        if len(lines) != self._records or (lines and not lines[-1][2].endswith(b"\n")):
            raise StoreError(
                f"journal {self.path} holds {len(lines)} line(s) but {self._records} change "
                "set(s) were replayed or written by this process; it cannot be rewritten"
            )
        out = bytearray()
        for number, _, line in lines:
            if mentions is not None and not any(m in line for m in mentions):
                out += line
                continue
            stored = json.loads(line)
            stored.pop("sha256")
            change = _decode(stored)
            edited = edit(change)
            if edited == change:
                out += line
            else:
                out += _encode(_payload(number, edited))[0]
        payload = _payload(self._records + 1, record)
        payload["rewrote"] = {"records": self._records, "sha256": self._last}
        line, digest = _encode(payload)
        out += line
        with open(self.tmp_path, "wb") as fh:
            fh.write(out)
            fh.flush()
            os.fsync(fh.fileno())
        self._fh.close()
        os.replace(self.tmp_path, self.path)
        _fsync_dir(self.path.parent)
        self._fh = open(self.path, "ab")  # noqa: SIM115
        self._records += 1
        self._last = digest
        self._write_head()

    def leftovers(self) -> list[Path]:
        """Copies of the journal set aside by repairs (``.unfinished-*``, ``.damaged-*``)."""
        prefix = self.path.name + "."
        return sorted(
            p
            for p in self.path.parent.iterdir()
            if p.name.startswith(prefix) and p not in (self.head_path, self.tmp_path)
        )

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
        rewrote: Any = None
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
                change = _decode(record)
                rewrote = record.get("rewrote")
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
        if (
            head is not None
            and len(changes) == head.records + 1
            and rewrote == {"records": head.records, "sha256": head.sha256}
        ):
            # A rewrite (redaction) renamed its file over the journal, and the server stopped
            # before the head was moved on: the head of the rewritten file is its last record.
            log.warning("journal %s: completing a rewrite that was interrupted", self.path)
            head = Head(len(changes), digests[-1])
            self._records, self._last = head.records, head.sha256
            self._write_head()
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
        with open(self.path, "rb") as src, open(self.tmp_path, "wb") as dst:
            dst.write(src.read(good_until))
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(self.tmp_path, self.path)
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
