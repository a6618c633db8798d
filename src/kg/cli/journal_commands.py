"""``kg journal check`` and ``kg journal cut``: look after the journal of change sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.options import DataDirOpt, app, fail, settings_from
from kg.errors import KgError

journal_app = typer.Typer(
    help="Check the journal of accepted change sets, or recover from a damaged one.",
    no_args_is_help=True,
)
app.add_typer(journal_app, name="journal")


def _path(data_dir: Path | None) -> Path:
    settings = settings_from(data_dir=data_dir)
    path: Path = settings.data_dir / "journal.jsonl"
    if not path.exists():
        typer.echo(f"error: there is no journal at {path}", err=True)
        raise typer.Exit(1)
    return path


@journal_app.command()
def check(
    data_dir: DataDirOpt = None,
    rewrite_head: Annotated[
        bool,
        typer.Option(
            "--rewrite-head",
            help="Trust the journal as it is and rewrite its head file (after a damaged head).",
        ),
    ] = False,
) -> None:
    """Replay the journal without a server: exit 0 when every acknowledged change set is there."""
    from kg.store.journal import Journal, head_path

    path = _path(data_dir)
    if rewrite_head:
        head_path(path).unlink(missing_ok=True)
    journal = Journal(path)
    try:
        count = sum(1 for _ in journal.replay())
    except KgError as exc:
        fail(exc)
        return
    finally:
        journal.close()
    typer.echo(f"{path}: {count} change set(s), all intact")


@journal_app.command(name="cut")
def cut_command(
    record: Annotated[int, typer.Argument(help="The first damaged record (from the error).")],
    data_dir: DataDirOpt = None,
) -> None:
    """Keep the change sets before RECORD and drop the rest (the file is copied aside first)."""
    from kg.store.journal import cut

    path = _path(data_dir)
    if record < 1:
        typer.echo("error: records are numbered from 1", err=True)
        raise typer.Exit(2)
    aside = cut(path, record)
    typer.echo(f"kept {record - 1} change set(s); the whole former journal is at {aside}")
