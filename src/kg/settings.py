"""The one settings object: environment variables ``KG_*`` overridden by CLI flags.

Every field has a default and a description; the README's settings table is checked against
this class by ``tests/unit/test_settings_documented.py``.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.layout import project_root


class CuratorIdentity(StrEnum):
    """How curators and administrators are named in public views."""

    NAME = "name"
    PSEUDONYM = "pseudonym"


def _token_pairs(value: str) -> dict[str, str]:
    """``name:token`` pairs, comma-separated, as name → token."""
    out: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in value.split(","))):
        name, _, token = pair.partition(":")
        out[name.strip()] = token.strip()
    return out


def _check_token_pairs(value: str, field: str, role: str) -> str:
    for pair in filter(None, (p.strip() for p in value.split(","))):
        name, sep, token = pair.partition(":")
        if not sep or not name.strip() or not token.strip():
            raise ValueError(f"{field} must be name:token pairs separated by commas")
        if not name.strip().replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"{role} name {name!r} may use letters, digits, - and _ only")
        if len(token.strip()) < 24:
            raise ValueError(f"the token of {name!r} is shorter than 24 characters")
    return value


class StoreKind(StrEnum):
    """Which store backend serves the graph."""

    EMBEDDED = "embedded"
    MEMORY = "memory"


_ENDPOINT = re.compile(r"https?://[^\x00-\x20<>\"{}|^`\\]+", re.ASCII)


def _split_endpoints(value: str) -> list[str]:
    return [e for e in re.split(r"[\s,]+", value) if e]


def _default_heavy() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Configuration of unhr-kg. Environment variables use the prefix ``KG_``."""

    model_config = SettingsConfigDict(env_prefix="KG_", frozen=True, extra="forbid")

    host: str = Field("127.0.0.1", description="Interface the server binds to.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port the server listens on.")
    public_url: str = Field(
        "",
        description=(
            "Public base URL of the server (e.g. https://kg.example.org). Used for sd:endpoint "
            "and links; empty means http://{host}:{port}."
        ),
    )
    store: StoreKind = Field(
        StoreKind.EMBEDDED,
        description=(
            "Store backend: 'embedded' (in-memory Oxigraph, files reloaded at start, writes kept "
            "in an fsync'd journal under data_dir), 'memory' (nothing persisted; for tests)."
        ),
    )
    data_dir: Path = Field(
        Path("var"),
        description="Folder for the store's own files (the journal of change sets).",
    )
    root: Path = Field(
        default_factory=project_root,
        description="Repository root whose ontology/, shapes/ and data/ are loaded at start-up.",
    )
    load_on_start: bool = Field(
        True, description="Load ontology/, shapes/ and data/ when the server starts."
    )
    query_timeout: float = Field(
        30.0, gt=0, le=3600, description="Deadline for one query, in seconds."
    )
    max_rows: int = Field(
        100_000, ge=1, description="Result-row cap (SELECT rows, CONSTRUCT/DESCRIBE triples)."
    )
    max_query_bytes: int = Field(
        100_000, ge=1_000, description="Largest accepted SPARQL query text, in bytes."
    )
    max_body_bytes: int = Field(
        10_000_000, ge=1_000, description="Largest accepted request body, in bytes."
    )
    max_write_triples: int = Field(
        20_000,
        ge=1,
        description=(
            "Largest document /validate, an ingest or a Graph Store write accepts, in triples "
            "(SHACL validation cost grows with it)."
        ),
    )
    query_workers: int = Field(
        2,
        ge=1,
        le=64,
        description=(
            "Idle worker processes kept ready for queries (forks of the store process, sharing "
            "its memory). Every evaluation runs in a worker; past its deadline the worker is "
            "killed, which stops the evaluation and frees its CPU."
        ),
    )
    heavy_queries: int = Field(
        default_factory=_default_heavy,
        ge=1,
        le=64,
        description=(
            "Evaluations allowed to run past cheap_query_seconds at the same time (default: "
            "the number of CPUs). They run at a lower CPU priority."
        ),
    )
    heavy_queue: int = Field(
        4,
        ge=0,
        le=256,
        description=(
            "Heavy evaluations that may wait for a slot (paused); beyond that a heavy query is "
            "refused with 503 and Retry-After."
        ),
    )
    cheap_query_seconds: float = Field(
        0.5,
        gt=0,
        le=60,
        description=(
            "An evaluation still running after this many seconds counts as heavy; the same "
            "query sent again waits for a heavy slot before it starts."
        ),
    )
    validation_workers: int = Field(
        1,
        ge=1,
        le=16,
        description=(
            "SHACL validations and upload parses running at once (POST /validate needs no "
            "token); up to 8 more wait, the rest get 503."
        ),
    )
    queue_seconds: float = Field(
        10.0,
        gt=0,
        le=600,
        description="Longest a request waits for a worker or a slot before a 503 (Retry-After).",
    )
    client_budget_seconds: float = Field(
        60.0,
        gt=0,
        description=(
            "Query time one client (a curator, else an address) may use within "
            "client_budget_window; past it, 429 with Retry-After."
        ),
    )
    client_budget_window: float = Field(
        60.0, gt=0, description="The sliding window of the per-client budget, in seconds."
    )
    heavy_per_client: int = Field(
        1,
        ge=1,
        le=64,
        description="Heavy evaluations one client may run at once; another one is a 429.",
    )
    query_memory_mb: int = Field(
        2048, ge=64, description="Extra memory one query worker may allocate, in MiB."
    )
    max_nesting: int = Field(
        256,
        ge=8,
        le=1000,
        description=(
            "Deepest bracket nesting accepted in a query, an update or an uploaded document "
            "(checked before parsing: the parsers recurse, and deep nesting would overflow "
            "their stack)."
        ),
    )
    shutdown_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description=(
            "On SIGTERM/SIGINT, how long running requests may finish before the workers are "
            "stopped."
        ),
    )
    service_endpoints: str = Field(
        "",
        description=(
            "SPARQL endpoints a query's SERVICE clause may call (exact IRIs, separated by "
            "spaces or commas). Empty: SERVICE is refused. Each must resolve to public "
            "addresses only."
        ),
    )
    service_private_endpoints: str = Field(
        "",
        description=(
            "Endpoints SERVICE may call even though they resolve to loopback, private, "
            "link-local or reserved addresses (exact IRIs, separated by spaces or commas)."
        ),
    )
    service_timeout: float = Field(
        10.0,
        gt=0,
        le=600,
        description="Seconds one SERVICE call may take (connection, request and the answer).",
    )
    service_max_bytes: int = Field(
        10_000_000,
        ge=1_000,
        description="Largest answer one SERVICE call may return, in bytes.",
    )
    cors_origins: str = Field(
        "*", description="Origins allowed to read cross-origin (comma-separated, or '*')."
    )
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")
    log_format: str = Field(
        "json",
        pattern="^(json|text)$",
        description=(
            "Server log format: 'json' (one object per line; one line per request with its id, "
            "route, status, duration, query hash and client, never a token) or 'text'."
        ),
    )
    write_tokens: str = Field(
        "",
        repr=False,
        description=(
            "Curators' bearer tokens as comma-separated name:token pairs (tokens of 24+ "
            "characters). Empty: the server is read-only."
        ),
    )
    schema_curators: str = Field(
        "",
        description=(
            "Curators (names from write_tokens, comma-separated) who may also write the graphs "
            "that define or gate the data (ontology/ and shapes/); everyone else gets 403."
        ),
    )
    admin_tokens: str = Field(
        "",
        repr=False,
        description=(
            "Administrators' bearer tokens as comma-separated name:token pairs (24+ characters, "
            "none shared with a curator). Only administrators may redact a change set. Empty: "
            "redaction is off."
        ),
    )
    curator_identity: CuratorIdentity = Field(
        CuratorIdentity.NAME,
        description=(
            "How curators and administrators appear in /changesets, the metadata graph and the "
            "logs: 'name' (as in write_tokens), or 'pseudonym' (a stable code derived from the "
            "name with pseudonym_secret; applied to every change set at start)."
        ),
    )
    pseudonym_secret: str = Field(
        "",
        repr=False,
        description=(
            "Secret (32+ characters) the pseudonyms are derived from (HMAC-SHA256); keep it to "
            "keep pseudonyms stable across restarts. Needed when curator_identity is "
            "'pseudonym'."
        ),
    )
    token: str = Field(
        "",
        repr=False,
        description=(
            "Bearer token the CLI's write commands (kg ingest, kg revert, kg redact) send."
        ),
    )

    @field_validator("store", mode="before")
    @classmethod
    def _check_store(cls, v: object) -> object:
        if isinstance(v, str) and v.strip().lower() == "disk":
            raise ValueError(
                "the 'disk' store was removed: it could not stop a runaway query (RocksDB cannot "
                "be shared with a killable worker). Use 'embedded' (in memory, with a durable "
                "journal of change sets); its data files are reloaded at each start"
            )
        return v

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, v: str) -> str:
        if v and not (v.startswith("http://") or v.startswith("https://")):
            raise ValueError(f"public_url must start with http:// or https://, got {v!r}")
        return v.rstrip("/")

    @field_validator("service_endpoints", "service_private_endpoints")
    @classmethod
    def _check_endpoints(cls, v: str) -> str:
        for endpoint in _split_endpoints(v):
            if not _ENDPOINT.fullmatch(endpoint):
                raise ValueError(
                    f"{endpoint!r} is not an absolute http or https IRI (SERVICE endpoints are "
                    "listed as exact IRIs, separated by spaces or commas)"
                )
        return v

    @field_validator("write_tokens")
    @classmethod
    def _check_tokens(cls, v: str) -> str:
        return _check_token_pairs(v, "write_tokens", "curator")

    @field_validator("admin_tokens")
    @classmethod
    def _check_admin_tokens(cls, v: str) -> str:
        return _check_token_pairs(v, "admin_tokens", "administrator")

    @model_validator(mode="after")
    def _check_roles(self) -> Settings:
        shared = set(self.curators().values()) & set(self.admins().values())
        if shared:
            raise ValueError(
                "a token appears in both write_tokens and admin_tokens; give each administrator "
                "a token of their own, so that a curator's token can never redact"
            )
        if self.curator_identity is CuratorIdentity.PSEUDONYM and len(self.pseudonym_secret) < 32:
            raise ValueError(
                "curator_identity 'pseudonym' needs pseudonym_secret of 32+ characters "
                "(e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        return self

    def curators(self) -> dict[str, str]:
        """Curator name → token."""
        return _token_pairs(self.write_tokens)

    def admins(self) -> dict[str, str]:
        """Administrator name → token."""
        return _token_pairs(self.admin_tokens)

    def schema_curator_names(self) -> frozenset[str]:
        return frozenset(n.strip() for n in self.schema_curators.split(",") if n.strip())

    def base_url(self) -> str:
        """The URL clients reach the server at, without a trailing slash."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def service_endpoint_set(self) -> frozenset[str]:
        return frozenset(_split_endpoints(self.service_endpoints))

    def service_private_endpoint_set(self) -> frozenset[str]:
        return frozenset(_split_endpoints(self.service_private_endpoints))

    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
