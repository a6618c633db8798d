"""The ``kg`` command line: thin wrappers that turn flags into settings and call the library."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kg import __version__
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
    typer.Option("--store", help="Store backend: embedded (default), disk or memory. [KG_STORE]"),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder for the store's journal or database. [KG_DATA_DIR]"),
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


def _settings(extra: list[str] | None = None, **overrides: Any) -> Settings:
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


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _fail(exc: KgError) -> None:
    typer.echo(f"error: {exc.message}", err=True)
    raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind. [KG_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port. [KG_PORT]")] = None,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    root: RootOpt = None,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="Public base URL, used for sd:endpoint. [KG_PUBLIC_URL]"),
    ] = None,
    query_timeout: Annotated[
        float | None,
        typer.Option("--query-timeout", help="Query deadline, seconds. [KG_QUERY_TIMEOUT]"),
    ] = None,
    query_workers: Annotated[
        int | None,
        typer.Option(
            "--query-workers", help="Query worker processes (0: threads). [KG_QUERY_WORKERS]"
        ),
    ] = None,
    setting: SettingOpt = None,
) -> None:
    """Load ontology/, shapes/ and data/ into the store and serve the SPARQL endpoint."""
    import uvicorn

    from kg.api.app import create_app
    from kg.startup import prepare_store

    settings = _settings(
        host=host,
        port=port,
        store=store,
        data_dir=data_dir,
        root=root,
        public_url=public_url,
        query_timeout=query_timeout,
        query_workers=query_workers,
    )
    _logging(settings.log_level)
    try:
        opened = prepare_store(settings)
    except KgError as exc:
        _fail(exc)
        return
    try:
        uvicorn.run(
            create_app(settings, opened),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            proxy_headers=True,
        )
    finally:
        opened.close()


@app.command()
def load(
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    root: RootOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Load ontology/, shapes/ and data/ into the store's named graphs and report what changed.

    Unchanged files (same SHA-256) are skipped, changed files replace their graph, graphs whose
    file is gone are dropped. With the embedded store the files are also reloaded at every
    start, so this mainly checks that everything loads; with --store disk it updates the
    database for the next `kg serve`.
    """
    from kg.startup import prepare_store

    settings = _settings(setting, store=store, data_dir=data_dir, root=root, load_on_start=False)
    _logging(settings.log_level)
    from kg.bootstrap import load_all

    try:
        opened = prepare_store(settings, workers=False)
        report = load_all(opened, settings.root)
    except KgError as exc:
        _fail(exc)
        return
    for item in report:
        count = "" if item.triples < 0 else f" ({item.triples} triples)"
        typer.echo(f"{item.outcome.value:9} {item.name}{count}")
    typer.echo(f"{opened.quad_count()} triples in {len(opened.graph_names())} graphs")
    opened.close()


@app.command()
def query(
    file: Annotated[str, typer.Argument(help="File holding the query, or - for standard input.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, "
            "jsonld, rdfxml (CONSTRUCT/DESCRIBE). Default: csv or turtle.",
        ),
    ] = None,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    root: RootOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Run a SPARQL query over the loaded graph and print the result to standard output."""
    from kg.formats import Kind, negotiate
    from kg.sparql.evaluate import QueryRequest
    from kg.sparql.operation import Form, check_policy, classify
    from kg.startup import prepare_store

    settings = _settings(setting, store=store, data_dir=data_dir, root=root)
    _logging("warning")
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    try:
        op = classify(text)
        if op.form is Form.UPDATE:
            typer.echo("error: `kg query` runs queries, not updates", err=True)
            raise typer.Exit(2)
        kind = Kind.GRAPH if op.form.returns_graph else Kind.RESULTS
        chosen = negotiate(
            kind, accept=None, format_param=fmt or ("csv" if kind is Kind.RESULTS else "turtle")
        )
        opened = prepare_store(settings, progress=False, workers=False)
        try:
            check_policy(op, known_graphs=opened.graph_names())
            result = opened.execute(
                QueryRequest(text, op.form, chosen, settings.max_rows, settings.query_timeout)
            )
        finally:
            opened.close()
    except KgError as exc:
        _fail(exc)
        return
    sys.stdout.buffer.write(result.body)
    sys.stdout.flush()
    if result.truncated:
        typer.echo(f"warning: result cut at {settings.max_rows} rows", err=True)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
