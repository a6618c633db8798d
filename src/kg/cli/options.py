"""The ``kg`` application object and what its commands share: options, settings, errors."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kg.errors import KgError
from kg.settings import Settings, StoreKind

app = typer.Typer(
    name="kg",
    help=(
        "unhr-kg: a knowledge graph of how the UN human-rights system has dealt with the DPRK. "
        "Settings come from KG_* environment variables; flags override them."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    StoreKind | None,
    typer.Option("--store", help="Store backend: embedded (default) or memory. [KG_STORE]"),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder for the store's journal. [KG_DATA_DIR]"),
]
RootOpt = Annotated[
    Path | None,
    typer.Option("--root", help="Repository root holding ontology/, shapes/, data/. [KG_ROOT]"),
]


SettingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--setting",
        "-s",
        help="Any setting as NAME=VALUE (e.g. -s max_rows=5000); see the README's table.",
    ),
]


def settings_from(extra: list[str] | None = None, **overrides: Any) -> Settings:
    given = {k: v for k, v in overrides.items() if v is not None}
    for item in extra or []:
        name, sep, value = item.partition("=")
        key = name.strip().lower().removeprefix("kg_").replace("-", "_")
        if not sep or key not in Settings.model_fields:
            typer.echo(
                f"error: --setting {item!r}: expected NAME=VALUE with NAME one of "
                f"{', '.join(Settings.model_fields)}",
                err=True,
            )
            raise typer.Exit(2)
        given.setdefault(key, value)
    try:
        return Settings(**given)
    except Exception as exc:  # pydantic's ValidationError names the field and value
        typer.echo(f"error: invalid settings: {exc}", err=True)
        raise typer.Exit(2) from None


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def fail(exc: KgError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(1)
