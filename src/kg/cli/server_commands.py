"""Commands that talk to a running server: ``kg ingest``, ``kg changesets``, ``kg revert``,
``kg redact``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kg.cli.options import app, settings_from
from kg.settings import Settings


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
            value = f"  (value: {r['value']})" if r.get("value") else ""
            typer.echo(
                f"  {r['severity']:9} {r['focus_node']}  {r.get('path') or '-'}  "
                f"{r['message']}{value}",
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

    settings = settings_from()
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
    settings = settings_from()
    with _client(settings, server) as client:
        response = client.get("/changesets")
    if response.status_code >= 400:
        _show_response(response)
        raise typer.Exit(1)
    for item in response.json()["changesets"]:
        note = item.get("comment", "")
        if item["kind"] == "redact":
            note = f"redacts {item.get('redacts', '?')}: {note}"
        elif item.get("redacted"):
            note = f"[redacted by {item['redactions'][0]['by']}]"
        typer.echo(
            f"{item['id']}  {item['created']}  {item['kind']:12} {item['curator']:10} {note}"
        )


@app.command()
def revert(
    changeset: Annotated[str, typer.Argument(help="Id of the change set to revert.")],
    comment: Annotated[str | None, typer.Option(help="Why it is reverted.")] = None,
    server: ServerOpt = None,
) -> None:
    """Revert a change set on the running server (the revert is a new change set)."""
    settings = settings_from()
    params = {"comment": comment} if comment else {}
    with _client(settings, server) as client:
        response = client.post(f"/changesets/{changeset}/revert", params=params)
    _show_response(response)
    raise typer.Exit(0 if response.status_code < 400 else 1)


@app.command()
def redact(
    changeset: Annotated[str, typer.Argument(help="Id of the change set to redact.")],
    reason: Annotated[
        str,
        typer.Option(
            help="Why (shown in public: say why without repeating what is removed).",
        ),
    ],
    server: ServerOpt = None,
) -> None:
    """Redact a change set on the running server (needs an administrator's KG_TOKEN).

    Its content leaves every graph, the text of every change set that mentions it, and the
    journal; what stays is the audit (who, when, why, digests). This cannot be undone.
    """
    settings = settings_from()
    with _client(settings, server) as client:
        response = client.post(f"/changesets/{changeset}/redact", params={"reason": reason})
    _show_response(response)
    raise typer.Exit(0 if response.status_code < 400 else 1)
