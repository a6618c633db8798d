"""The full voting histories as optional data sets (``kg load --dataset NAME``).

Three converters turn the shared voting data sets into the vote model of ``data/votes/``
(``docs/modelling.md``), one named graph each: ``ga-votes`` (General Assembly, unvotes),
``sc-votes`` (Security Council, unsc-voting) and ``hrc-votes`` (Human Rights Council,
unhrc-votes). :mod:`.cache` converts once into the data folder and records the result;
:func:`kg.bootstrap.load_datasets` loads what is recorded at every start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kg.errors import ConfigError
from kg.importers.history import ga, hrc, sc
from kg.importers.history.model import Advance, ConversionStats
from kg.namespaces import graph_iri

Converter = Callable[[Path, Path, TextIO, Advance | None], ConversionStats]


@dataclass(frozen=True)
class HistorySpec:
    """One optional data set: where its input comes from and how it is converted."""

    name: str
    title: str
    #: The data set's folder under the shared data folder (the default input).
    folder: str
    #: Its files, in the order they are hashed; the first is the one the progress bar follows
    #: when it is the largest.
    files: tuple[str, ...]
    #: ``dataset/{source}``: the data set node (``data/reference/datasets.ttl``).
    source: str
    version: str
    convert: Converter

    @property
    def graph(self) -> str:
        return graph_iri(self.name)


SPECS: tuple[HistorySpec, ...] = (
    HistorySpec(
        "ga-votes",
        "General Assembly plenary roll calls 1946-2019",
        "unvotes",
        ga.FILES,
        "unvotes",
        ga.VERSION,
        lambda folder, root, out, advance: ga.convert(folder, root, out, advance),
    ),
    HistorySpec(
        "sc-votes",
        "Security Council votes 1994-2025",
        "unsc-voting",
        sc.FILES,
        "unsc-voting",
        sc.VERSION,
        lambda folder, root, out, advance: sc.convert(folder, root, out, advance),
    ),
    HistorySpec(
        "hrc-votes",
        "Human Rights Council recorded votes 2006-2024",
        "unhrc-votes",
        hrc.FILES,
        "unhrc-votes",
        hrc.VERSION,
        lambda folder, root, out, advance: hrc.convert(folder, root, out, advance),
    ),
)


def spec(name: str) -> HistorySpec:
    """The data set called ``name``; a :class:`ConfigError` naming the known ones otherwise."""
    for s in SPECS:
        if s.name == name:
            return s
    known = ", ".join(s.name for s in SPECS)
    raise ConfigError(f"no data set {name!r}: choose one of {known}")


def default_input(root: Path, s: HistorySpec) -> Path:
    """Where the data set's files are looked for by default: ``../shared/data/{folder}``
    beside the repository root."""
    return root.resolve().parent / "shared" / "data" / s.folder


__all__ = ["SPECS", "ConversionStats", "HistorySpec", "default_input", "spec"]
