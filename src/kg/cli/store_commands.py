"""Commands that open a store here: ``kg serve``, ``kg load``, ``kg query``, ``kg queries``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.options import (
    DataDirOpt,
    RootOpt,
    SettingOpt,
    StoreOpt,
    app,
    fail,
    settings_from,
    setup_logging,
)
from kg.errors import KgError


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
    from kg.api.observability import setup_logging as setup_server_logging
    from kg.startup import prepare_store

    settings = settings_from(
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
    setup_server_logging(settings.log_level, settings.log_format)
    try:
        opened = prepare_store(settings)
    except KgError as exc:
        fail(exc)
        return
    try:
        application = create_app(settings, opened)
    except KgError as exc:
        opened.close()
        fail(exc)
        return
    try:
        uvicorn.run(
            application,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            # Our logging as set up above; uvicorn's access log would print query strings
            # (a client's access_token=…): the app logs one safe line per request instead.
            log_config=None,
            access_log=False,
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
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset",
            "-d",
            help="Also convert and load a voting data set (ga-votes, sc-votes, hrc-votes; "
            "repeatable). It is recorded in the data folder and loaded at every start from then "
            "on. See `kg datasets`.",
        ),
    ] = None,
    input_dir: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="Folder holding the data set's files (with one --dataset). Default: "
            "../shared/data/{unvotes,unsc-voting,unhrc-votes} beside the repository.",
        ),
    ] = None,
    remove_dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--remove-dataset",
            help="Stop loading a recorded data set: delete its converted file (repeatable).",
        ),
    ] = None,
    reconvert: Annotated[
        bool, typer.Option("--reconvert", help="Convert again even if the input is unchanged.")
    ] = False,
    setting: SettingOpt = None,
) -> None:
    """Load ontology/, shapes/, data/ and the recorded data sets into a store and report what
    each gave.

    The same sequence as `kg serve` (files, data sets, then the journalled change sets on top),
    without serving: it checks that everything loads and shows the size of each graph. With
    --dataset it first converts the data set into KG_DATA_DIR/datasets/ (streamed, with a
    progress bar; skipped when the input's SHA-256 is unchanged), so that every later start
    loads it too.
    """
    import time

    from kg.bootstrap import load_all, load_datasets
    from kg.importers.history import default_input, spec
    from kg.importers.history.cache import convert, forget, recorded
    from kg.store import open_store

    settings = settings_from(setting, store=store, data_dir=data_dir, root=root)
    setup_logging(settings.log_level)
    wanted = list(dataset or [])
    if input_dir is not None and len(wanted) != 1:
        typer.echo("error: --input goes with exactly one --dataset", err=True)
        raise typer.Exit(2)
    try:
        for name in remove_dataset or []:
            gone = forget(settings.data_dir, name)
            typer.echo(f"{'removed' if gone else 'not recorded':9} {name}")
        for name in wanted:
            s = spec(name)
            source = input_dir if input_dir is not None else default_input(settings.root, s)
            record, cached = convert(
                name, source, settings.root, settings.data_dir, force=reconvert
            )
            if cached:
                typer.echo(
                    f"cached    {name}: input unchanged (sha256 {record.input_sha256[:12]}…)"
                )
            else:
                rows = ", ".join(f"{f} {n:,} rows" for f, n in record.rows.items())
                typer.echo(
                    f"converted {name}: {record.triples:,} triples from {rows} "
                    f"in {record.seconds:.1f}s"
                )
            for note in record.notes:
                typer.echo(f"          {name}: {note}")
        opened = open_store(settings)
        # Same order as the server: files, data sets, then the journalled change sets on top.
        try:
            keep = frozenset(r.graph for r in recorded(settings.data_dir))
            report = load_all(opened, settings.root, keep=keep)
            started = time.monotonic()
            datasets = load_datasets(opened, settings.data_dir)
            dataset_seconds = time.monotonic() - started
            replayed = opened.replay_journal()
            description = opened.describe()
        finally:
            opened.close()
    except KgError as exc:
        fail(exc)
        return
    for item in report:
        count = "" if item.triples < 0 else f" ({item.triples} triples)"
        typer.echo(f"{item.outcome.value:9} {item.name}{count}")
    for item in datasets:
        count = "" if item.triples < 0 else f" ({item.triples} triples)"
        typer.echo(f"{item.outcome.value:9} data set {item.name}{count}")
    if datasets:
        typer.echo(f"data sets loaded in {dataset_seconds:.1f}s")
    if replayed:
        typer.echo(f"replayed {replayed} change sets from the journal")
    typer.echo(f"{description.triples} triples in {len(description.graphs)} graphs")


@app.command()
def datasets(
    data_dir: DataDirOpt = None,
    root: RootOpt = None,
) -> None:
    """List the voting data sets `kg load --dataset` knows, and which are recorded (loaded at
    every start) in the data folder."""
    from kg.importers.history import SPECS, default_input
    from kg.importers.history.cache import recorded

    settings = settings_from(data_dir=data_dir, root=root)
    try:
        records = {r.name: r for r in recorded(settings.data_dir)}
    except KgError as exc:
        fail(exc)
        return
    for s in SPECS:
        r = records.get(s.name)
        state = (
            f"recorded: {r.triples:,} triples, {r.bytes / 1e6:.0f} MB, converted {r.converted_at}"
            if r is not None
            else f"not loaded (input: {default_input(settings.root, s)})"
        )
        typer.echo(f"{s.name:10} {s.title}  [{state}]")


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
    from kg.sparql.operation import Form, classify
    from kg.startup import prepare_store
    from kg.store.base import QueryRequest

    settings = settings_from(setting, store=store, data_dir=data_dir, root=root)
    setup_logging("warning")
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
            result = opened.query(
                QueryRequest(text, op.form, chosen, settings.max_rows, settings.query_timeout)
            )
        finally:
            opened.close()
    except KgError as exc:
        fail(exc)
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

    settings = settings_from(root=root)
    try:
        registry = load_registry(settings.root / "queries")
    except KgError as exc:
        fail(exc)
        return
    for q in registry:
        if tag and tag not in q.tags:
            continue
        params = " ".join(f"{p.name}{'' if p.required else '?'}={p.kind}" for p in q.parameters)
        typer.echo(f"{q.name}  [{', '.join(q.tags)}]  {q.summary}")
        if params:
            typer.echo(f"    parameters: {params}")
