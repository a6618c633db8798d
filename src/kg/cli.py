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
        typer.Option("--query-workers", help="Idle query workers kept ready. [KG_QUERY_WORKERS]"),
    ] = None,
    setting: SettingOpt = None,
) -> None:
    """Load ontology/, shapes/ and data/ into the store and serve the SPARQL endpoint.

    SIGTERM or Ctrl-C stops it: running requests get KG_SHUTDOWN_SECONDS to finish, then the
    workers and the store process are stopped. The store process and the workers also die
    with the server if it is killed outright (kill -9).
    """
    import uvicorn

    from kg.api.app import create_app
    from kg.startup import prepare_store

    settings = _settings(
        setting,
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
        application = create_app(settings, opened)
    except KgError as exc:
        opened.close()
        _fail(exc)
        return
    try:
        uvicorn.run(
            application,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            proxy_headers=True,
            timeout_graceful_shutdown=max(1, round(settings.shutdown_seconds)),
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
    """Load ontology/, shapes/ and data/ into a store and report what each file gave.

    The same sequence as `kg serve` (files, then the journalled change sets on top), without
    serving: it checks that everything loads and shows the size of each graph.
    """
    from kg.bootstrap import load_all
    from kg.store import open_store

    settings = _settings(setting, store=store, data_dir=data_dir, root=root)
    _logging(settings.log_level)
    try:
        opened = open_store(settings)
        # Same order as the server: files first, then the journalled change sets on top.
        try:
            report = load_all(opened, settings.root)
            replayed = opened.replay_journal()
            description = opened.describe()
        finally:
            opened.close()
    except KgError as exc:
        _fail(exc)
        return
    for item in report:
        count = "" if item.triples < 0 else f" ({item.triples} triples)"
        typer.echo(f"{item.outcome.value:9} {item.name}{count}")
    if replayed:
        typer.echo(f"replayed {replayed} change sets from the journal")
    typer.echo(f"{description.triples} triples in {len(description.graphs)} graphs")


def _print_table(body: bytes) -> None:
    import json

    from rich.console import Console
    from rich.table import Table

    data = json.loads(body)
    if "boolean" in data:
        typer.echo(str(data["boolean"]).lower())
        return
    names = data["head"]["vars"]
    table = Table(*names, show_lines=False)
    for row in data["results"]["bindings"]:
        table.add_row(*(row.get(n, {}).get("value", "") for n in names))
    Console().print(table)


@app.command()
def query(
    target: Annotated[
        str,
        typer.Argument(
            help="A canned query's name (see `kg queries`), a file holding a query, or - for "
            "standard input.",
            metavar="NAME|FILE|-",
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="json, xml, csv, tsv or table (SELECT/ASK); turtle, ntriples, jsonld, rdfxml "
            "(CONSTRUCT/DESCRIBE). Default: csv or turtle.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Canned-query parameter as key=value (repeatable)."),
    ] = None,
    store: StoreOpt = None,
    data_dir: DataDirOpt = None,
    root: RootOpt = None,
    setting: SettingOpt = None,
) -> None:
    """Run a SPARQL query or a canned query over the loaded graph; print the result."""
    from kg.formats import Kind, negotiate
    from kg.nesting import check_sparql
    from kg.queries import bind_parameters, load_registry, with_values
    from kg.sparql.operation import Form, check_policy, classify
    from kg.startup import prepare_store
    from kg.store.base import QueryRequest

    settings = _settings(setting, store=store, data_dir=data_dir, root=root)
    _logging("warning")
    try:
        registry = load_registry(settings.root / "queries")
        canned = registry.get(target) if not Path(target).is_file() else None
        if canned is not None:
            raw: dict[str, str] = {}
            for item in param or []:
                key, sep, value = item.partition("=")
                if not sep:
                    typer.echo(f"error: --param {item!r}: expected key=value", err=True)
                    raise typer.Exit(2)
                raw[key.strip()] = value
            text = with_values(canned, bind_parameters(canned, raw))
        elif target != "-" and not Path(target).is_file():
            known = ", ".join(q.name for q in registry) or "none"
            typer.echo(
                f"error: {target!r} is neither a file nor a canned query ({known})", err=True
            )
            raise typer.Exit(2)
        else:
            if param:
                typer.echo("error: --param only applies to canned queries", err=True)
                raise typer.Exit(2)
            text = sys.stdin.read() if target == "-" else Path(target).read_text("utf-8")
        check_sparql(text, limit=settings.max_nesting)
        op = classify(text)
        if op.form is Form.UPDATE:
            typer.echo("error: `kg query` runs queries, not updates", err=True)
            raise typer.Exit(2)
        kind = Kind.GRAPH if op.form.returns_graph else Kind.RESULTS
        table = fmt == "table" and kind is Kind.RESULTS
        wanted = "json" if table else fmt or ("csv" if kind is Kind.RESULTS else "turtle")
        chosen = negotiate(kind, accept=None, format_param=wanted)
        opened = prepare_store(settings, progress=False)
        try:
            check_policy(op, known_graphs=opened.describe().graph_names())
            result = opened.query(
                QueryRequest(text, op.form, chosen, settings.max_rows, settings.query_timeout)
            )
        finally:
            opened.close()
    except KgError as exc:
        _fail(exc)
        return
    if table:
        _print_table(result.body)
    else:
        sys.stdout.buffer.write(result.body)
        sys.stdout.flush()
    if result.truncated:
        typer.echo(f"warning: result cut at {settings.max_rows} rows", err=True)


@app.command()
def queries(
    root: RootOpt = None,
    tag: Annotated[str | None, typer.Option(help="Only queries with this tag.")] = None,
) -> None:
    """List the canned queries with their parameters."""
    from kg.queries import load_registry

    settings = _settings(root=root)
    try:
        registry = load_registry(settings.root / "queries")
    except KgError as exc:
        _fail(exc)
        return
    for q in registry:
        if tag and tag not in q.tags:
            continue
        params = " ".join(f"{p.name}{'' if p.required else '?'}={p.kind}" for p in q.parameters)
        typer.echo(f"{q.name}  [{', '.join(q.tags)}]  {q.summary}")
        if params:
            typer.echo(f"    parameters: {params}")


@app.command(name="import")
def import_(
    root: RootOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only report stale files; write nothing.")
    ] = False,
) -> None:
    """Regenerate the Turtle made from the data sets (data/reference, data/votes)."""
    from kg.importers import ImportDataError, regenerate_all, render_all

    settings = _settings(root=root)
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
    settings = _settings(root=root)
    try:
        report = validate_paths(list(files) if files else None, root=settings.root)
    except KgError as exc:
        _fail(exc)
        return
    if fmt == "json":
        typer.echo(json.dumps(report.to_json(), indent=2))
    elif fmt == "turtle":
        typer.echo(report.to_turtle())
    else:
        typer.echo(report.to_text(), nl=False)
    raise typer.Exit(0 if report.conforms else 1)


def _client(settings: Settings, server: str | None) -> Any:
    import httpx

    headers = {"Authorization": f"Bearer {settings.token}"} if settings.token else {}
    return httpx.Client(
        base_url=(server or settings.base_url()).rstrip("/"), headers=headers, timeout=120
    )


def _show_response(response: Any) -> None:
    import json

    try:
        body = response.json()
    except ValueError:
        typer.echo(response.text)
        return
    if response.status_code == 422:
        typer.echo(f"refused: {body['error']['message']}", err=True)
        for r in body["report"]["results"]:
            typer.echo(
                f"  {r['severity']:9} {r['focus_node']}  {r.get('path') or '-'}  {r['message']}",
                err=True,
            )
        return
    if response.status_code >= 400:
        typer.echo(f"error ({response.status_code}): {body['error']['message']}", err=True)
        return
    typer.echo(json.dumps(body, indent=2))


ServerOpt = Annotated[
    str | None,
    typer.Option(
        "--server",
        help="Base URL of the running server (default: KG_PUBLIC_URL or http://KG_HOST:KG_PORT).",
    ),
]


@app.command()
def ingest(
    file: Annotated[
        Path,
        typer.Argument(
            help="Turtle, TriG, N-Triples, N-Quads or JSON-LD file.", exists=True, dir_okay=False
        ),
    ],
    source: Annotated[str | None, typer.Option(help="IRI of the source document.")] = None,
    comment: Annotated[str | None, typer.Option(help="Why this change is made.")] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be added and the report; write nothing."),
    ] = False,
    server: ServerOpt = None,
) -> None:
    """Send a curator's file to the running server as one new change set (needs KG_TOKEN)."""
    from kg.formats import RDF_FORMATS, rdf_format_for_suffix

    settings = _settings()
    fmt = rdf_format_for_suffix(file.suffix)
    if fmt is None:
        suffixes = ", ".join(f".{f.extension}" for f in RDF_FORMATS)
        typer.echo(f"error: cannot tell the format of {file.name}; use one of {suffixes}", err=True)
        raise typer.Exit(2)
    content_type = fmt.media_type
    params: dict[str, str] = {"dry_run": str(dry_run).lower()}
    if source:
        params["source"] = source
    if comment:
        params["comment"] = comment
    with _client(settings, server) as client:
        response = client.post(
            "/changesets",
            params=params,
            content=file.read_bytes(),
            headers={"Content-Type": content_type},
        )
    _show_response(response)
    raise typer.Exit(0 if response.status_code < 400 else 1)


@app.command()
def changesets(server: ServerOpt = None) -> None:
    """List the accepted change sets of the running server."""
    settings = _settings()
    with _client(settings, server) as client:
        response = client.get("/changesets")
    if response.status_code >= 400:
        _show_response(response)
        raise typer.Exit(1)
    for item in response.json()["changesets"]:
        typer.echo(
            f"{item['id']}  {item['created']}  {item['kind']:12} {item['curator']:10} "
            f"{item.get('comment', '')}"
        )


@app.command()
def revert(
    changeset: Annotated[str, typer.Argument(help="Id of the change set to revert.")],
    comment: Annotated[str | None, typer.Option(help="Why it is reverted.")] = None,
    server: ServerOpt = None,
) -> None:
    """Revert a change set on the running server (the revert is a new change set)."""
    settings = _settings()
    params = {"comment": comment} if comment else {}
    with _client(settings, server) as client:
        response = client.post(f"/changesets/{changeset}/revert", params=params)
    _show_response(response)
    raise typer.Exit(0 if response.status_code < 400 else 1)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
