"""Helpers shared by the tests (not fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
UNHR = "https://w3id.org/unhr/ontology#"
ID = "https://w3id.org/unhr/id/"
GRAPH = "https://w3id.org/unhr/graph/"


def copy_mini(dest: Path) -> Path:
    """A writable copy of the small test repository (ontology/ and data/)."""
    shutil.copytree(MINI, dest, dirs_exist_ok=True)
    return dest
