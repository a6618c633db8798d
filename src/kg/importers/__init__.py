"""Importers: turn the reference data sets (CSV, under ``data/*/csv/``) into Turtle.

Each generated file is one named graph (see ``docs/modelling.md``). :func:`render_all` gives
the text every generated file should have; :func:`regenerate_all` writes them. Output is
deterministic: the same CSV files always give the same bytes, so a test can tell a stale file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.importers import (
    datasets,
    historical_states,
    linkset,
    m49,
    member_states,
    memberships,
    un_bodies,
    unsc_votes,
    votes,
)
from kg.importers.common import ImportDataError, render_turtle

__all__ = ["OUTPUTS", "ImportDataError", "Output", "regenerate_all", "render_all"]


@dataclass(frozen=True)
class Output:
    """One generated file (path relative to the repository root) and the function building it."""

    path: Path
    build: Callable[[Path], Graph]


OUTPUTS: tuple[Output, ...] = (
    Output(Path("data/reference/datasets.ttl"), datasets.build),
    Output(Path("data/reference/un-member-states.ttl"), member_states.build),
    Output(Path("data/reference/un-bodies.ttl"), un_bodies.build),
    Output(Path("data/reference/linkset-wikidata.ttl"), linkset.build),
    Output(Path("data/votes/votes-ga-dprk.ttl"), votes.build_ga),
    Output(Path("data/votes/votes-hrc-dprk.ttl"), votes.build_hrc),
    Output(Path("data/votes/votes-unsc-dprk.ttl"), unsc_votes.build),
    Output(Path("data/reference/m49-regions.ttl"), m49.build),
    Output(Path("data/reference/memberships-unsc.ttl"), memberships.build_unsc),
    Output(Path("data/reference/memberships-hrc.ttl"), memberships.build_hrc),
    Output(Path("data/reference/historical-states.ttl"), historical_states.build),
)


def build_all(root: Path) -> dict[Path, Graph]:
    """Every generated graph, keyed by its file's absolute path."""
    return {root / out.path: out.build(root) for out in OUTPUTS}


def render_all(root: Path) -> dict[Path, str]:
    """The Turtle text each generated file under ``root`` should have (nothing is written)."""
    return {path: render_turtle(graph) for path, graph in build_all(root).items()}


def regenerate_all(root: Path) -> list[Path]:
    """Write every generated file under ``root``/data; return their paths.

    Everything is rendered before anything is written, so bad input leaves the files as they were.
    """
    texts = render_all(root)
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return list(texts)
