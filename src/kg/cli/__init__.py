"""The ``kg`` command line: thin wrappers that turn flags into settings and call the library.

- :mod:`.store_commands`: ``serve``, ``load`` (also ``--dataset``), ``datasets``, ``query``,
  ``queries`` (open a store here);
- :mod:`.file_commands`: ``import``, ``validate`` (the repository's files);
- :mod:`.server_commands`: ``ingest``, ``changesets``, ``revert``, ``redact`` (a running server);
- :mod:`.journal_commands`: ``journal check``, ``journal cut`` (the journal of change sets).
"""
# ruff: noqa: I001 - the command modules are imported in the order `kg --help` lists them

from __future__ import annotations

import typer

from kg import __version__
from kg.cli.options import app

from kg.cli import store_commands
from kg.cli import file_commands
from kg.cli import server_commands
from kg.cli import journal_commands

__all__ = [
    "app",
    "file_commands",
    "journal_commands",
    "main",
    "server_commands",
    "store_commands",
]


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    app()
