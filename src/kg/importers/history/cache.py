"""Converting a data set once into the data folder, and the record that makes it load at start.

``{data_dir}/datasets/{name}.nt`` holds the converted graph (N-Triples, the syntax the bulk
loader reads fastest); ``{name}.json`` beside it records it: the input's SHA-256 (its files and
the converter's version, the cache key), the file's own SHA-256, its size in triples and the
rows read. A data set is *recorded* when its ``.json`` exists; :func:`kg.bootstrap.load_datasets`
loads every recorded one at start. The same input always gives the same bytes, and a
conversion whose input hash is unchanged is not redone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from kg.errors import ConfigError, NotFound
from kg.importers.common import ImportDataError
from kg.importers.history import HistorySpec, spec
from kg.importers.history.model import Advance

log = logging.getLogger(__name__)

FOLDER = "datasets"


@dataclass(frozen=True)
class Converted:
    """The record of one converted data set (the ``.json`` beside its ``.nt``)."""

    name: str
    graph: str
    file: str  # name of the .nt file in the datasets folder
    sha256: str
    bytes: int
    triples: int
    input_sha256: str
    version: str
    input: str
    rows: dict[str, int] = field(default_factory=dict)
    events: int = 0
    reused_events: int = 0
    notes: list[str] = field(default_factory=list)
    converted_at: str = ""
    seconds: float = 0.0

    def path(self, data_dir: Path) -> Path:
        return data_dir / FOLDER / self.file


def folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def _record_path(data_dir: Path, name: str) -> Path:
    return folder(data_dir) / f"{name}.json"


def read_record(data_dir: Path, name: str) -> Converted | None:
    path = _record_path(data_dir, name)
    if not path.is_file():
        return None
    try:
        return Converted(**json.loads(path.read_text("utf-8")))
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"{path}: not a data set record ({exc}); remove it with "
            f"`kg load --remove-dataset {name}` and load the data set again"
        ) from None


def recorded(data_dir: Path) -> list[Converted]:
    """The recorded data sets, by name; a record whose file is missing is an error."""
    out: list[Converted] = []
    base = folder(data_dir)
    if not base.is_dir():
        return out
    for path in sorted(base.glob("*.json")):
        spec(path.stem)  # an unknown name is a ConfigError naming the known ones
        record = read_record(data_dir, path.stem)
        if record is None:  # pragma: no cover - removed meanwhile
            continue
        nt = record.path(data_dir)
        if not nt.is_file() or nt.stat().st_size != record.bytes:
            raise ConfigError(
                f"{nt}: the converted file of data set {record.name!r} is missing or "
                f"truncated; run `kg load --dataset {record.name}` again"
            )
        out.append(record)
    return out


def input_hash(s: HistorySpec, source: Path) -> str:
    """SHA-256 of the converter's version and the data set's files (name and bytes)."""
    h = hashlib.sha256(s.version.encode())
    for name in s.files:
        h.update(b"\0" + name.encode() + b"\0")
        with (source / name).open("rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def check_input(s: HistorySpec, source: Path) -> None:
    missing = [name for name in s.files if not (source / name).is_file()]
    if missing:
        raise NotFound(
            f"data set {s.name!r}: {', '.join(missing)} not found in {source}; pass the folder "
            f"holding the {s.folder} files with --input"
        )


@contextmanager
def _progress(label: str, total: int, show: bool) -> Iterator[Advance]:
    """A rich progress bar over the input's bytes on a terminal, else a log line per tenth."""
    if show:
        columns = (
            TextColumn("[bold]converting[/] {task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(label, total=total)
            yield lambda n: bar.update(task, advance=n)
            bar.update(task, completed=total)
        return
    done = 0
    step = 0

    def advance(n: int) -> None:
        nonlocal done, step
        done += n
        while total and done * 10 >= (step + 1) * total and step < 10:
            step += 1
            log.info("converting %s: %d%%", label, step * 10)

    yield advance


def convert(
    name: str,
    source: Path,
    root: Path,
    data_dir: Path,
    *,
    progress: bool | None = None,
    force: bool = False,
) -> tuple[Converted, bool]:
    """Convert data set ``name`` from the folder ``source`` into ``data_dir`` and record it.

    Returns the record and whether it was already there (same input hash: nothing redone).
    The file is written under a temporary name and renamed, so an interrupted conversion
    leaves the previous record (or none) in place.
    """
    s = spec(name)
    check_input(s, source)
    digest = input_hash(s, source)
    previous = read_record(data_dir, name)
    if (
        not force
        and previous is not None
        and previous.input_sha256 == digest
        and previous.path(data_dir).is_file()
        and previous.path(data_dir).stat().st_size == previous.bytes
    ):
        return previous, True
    base = folder(data_dir)
    base.mkdir(parents=True, exist_ok=True)
    target = base / f"{name}.nt"
    tmp = base / f".{name}.nt.tmp"
    show = sys.stderr.isatty() if progress is None else progress
    total = sum((source / f).stat().st_size for f in s.files)
    started = time.monotonic()
    try:
        with (
            tmp.open("w", encoding="utf-8", newline="\n") as out,
            _progress(name, total, show) as advance,
        ):
            stats = s.convert(source, root, out, advance)
            out.flush()
            os.fsync(out.fileno())
    except ImportDataError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"data set {name!r} ({source}): {exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
    record = Converted(
        name=name,
        graph=s.graph,
        file=target.name,
        sha256=file_sha256(target),
        bytes=target.stat().st_size,
        triples=stats.triples,
        input_sha256=digest,
        version=s.version,
        input=str(source.resolve()),
        rows=stats.rows,
        events=stats.events,
        reused_events=stats.reused_events,
        notes=stats.notes,
        converted_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(time.monotonic() - started, 2),
    )
    record_path = _record_path(data_dir, name)
    tmp_record = record_path.with_name(f".{record_path.name}.tmp")
    tmp_record.write_text(json.dumps(asdict(record), indent=2, sort_keys=True) + "\n", "utf-8")
    os.replace(tmp_record, record_path)
    for note in stats.notes:
        log.info("%s: %s", name, note)
    return record, False


def forget(data_dir: Path, name: str) -> bool:
    """Remove a recorded data set (its record and converted file); False when none was."""
    spec(name)
    record = read_record(data_dir, name)
    _record_path(data_dir, name).unlink(missing_ok=True)
    (folder(data_dir) / f"{name}.nt").unlink(missing_ok=True)
    return record is not None
