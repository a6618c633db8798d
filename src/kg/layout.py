"""Where the graph's files live and which named graph each one fills.

One RDF file is one named graph, ``https://w3id.org/unhr/graph/{file stem}``. The loader, the
validator and the tests all find the files through :func:`discover`, so they agree on what
"all data" means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ConfigError
from kg.namespaces import graph_iri

#: The folders loaded at start-up, in load order.
LOADED_DIRS: tuple[str, ...] = ("ontology", "shapes", "data")
#: RDF file suffixes the loader reads (Turtle only, by convention of the repository).
RDF_SUFFIXES: tuple[str, ...] = (".ttl",)


@dataclass(frozen=True)
class GraphFile:
    """One RDF file and the named graph it is loaded into."""

    path: Path
    name: str

    @property
    def graph(self) -> str:
        return graph_iri(self.name)


def project_root() -> Path:
    """The repository root when running from a checkout (the folder holding ``pyproject.toml``)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    return Path.cwd()


def discover(root: Path, dirs: Iterable[str] = LOADED_DIRS) -> list[GraphFile]:
    """All RDF files under ``root``'s loaded folders, sorted, each with its graph name.

    Raises :class:`ConfigError` when two files would fill the same graph.
    """
    found: list[GraphFile] = []
    seen: dict[str, Path] = {}
    for d in dirs:
        folder = root / d
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in RDF_SUFFIXES or not path.is_file():
                continue
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            name = path.stem
            if name in seen:
                raise ConfigError(
                    f"{path} and {seen[name]} would both fill graph <{graph_iri(name)}>: "
                    "file stems must be unique across ontology/, shapes/ and data/"
                )
            seen[name] = path
            found.append(GraphFile(path=path, name=name))
    return found
