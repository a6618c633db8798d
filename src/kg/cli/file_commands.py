"""Commands on the repository's files: ``kg import`` and ``kg validate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.options import RootOpt, app, fail, settings_from
from kg.errors import KgError


@app.command(name="import")
def import_(
    root: RootOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only report stale files; write nothing.")
    ] = False,
) -> None:
    """Regenerate the Turtle made from the data sets (data/reference, data/votes)."""
    from kg.importers import ImportDataError, regenerate_all, render_all

    settings = settings_from(root=root)
    try:
        if check:
            stale = [
                path
                for path, text in render_all(settings.root).items()
                if not path.is_file() or path.read_text("utf-8") != text
            ]
            for path in stale:
                typer.echo(f"stale: {path.relative_to(settings.root)}")
            raise typer.Exit(1 if stale else 0)
        for path in regenerate_all(settings.root):
            typer.echo(f"wrote {path.relative_to(settings.root)}")
    except ImportDataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Turtle files to validate with the data they refer to (default: all of data/)."
        ),
    ] = None,
    root: RootOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or turtle.")] = "text",
) -> None:
    """Validate data against shapes/: exit 0 when it conforms, 1 when it does not."""
    import json

    from kg.validation import validate_paths

    if fmt not in ("text", "json", "turtle"):
        typer.echo("error: --format must be text, json or turtle", err=True)
        raise typer.Exit(2)
    settings = settings_from(root=root)
    try:
        report = validate_paths(list(files) if files else None, root=settings.root)
    except KgError as exc:
        fail(exc)
        return
    if fmt == "json":
        typer.echo(json.dumps(report.to_json(), indent=2))
    elif fmt == "turtle":
        typer.echo(report.to_turtle())
    else:
        typer.echo(report.to_text(), nl=False)
    raise typer.Exit(0 if report.conforms else 1)
