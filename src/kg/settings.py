"""The one settings object: environment variables ``KG_*`` overridden by CLI flags.

Every field has a default and a description; the README's settings table is checked against
this class by ``tests/unit/test_settings_documented.py``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.layout import project_root


class StoreKind(StrEnum):
    """Which store backend serves the graph."""

    EMBEDDED = "embedded"
    MEMORY = "memory"
    DISK = "disk"


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
            "in an fsync'd journal under data_dir), 'disk' (on-disk Oxigraph under data_dir), "
            "'memory' (nothing persisted; for tests)."
        ),
    )
    data_dir: Path = Field(
        Path("var"),
        description="Folder for the store's own files (journal or on-disk database).",
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
        ge=0,
        le=64,
        description=(
            "Worker processes that evaluate queries (forked from the server, sharing its memory). "
            "A query past its deadline is stopped by killing its worker. 0 evaluates in threads "
            "of the server process, where a deadline only abandons the query."
        ),
    )
    query_memory_mb: int = Field(
        2048, ge=64, description="Extra memory one query worker may allocate, in MiB."
    )
    cors_origins: str = Field(
        "*", description="Origins allowed to read cross-origin (comma-separated, or '*')."
    )
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")
    write_tokens: str = Field(
        "",
        repr=False,
        description=(
            "Curators' bearer tokens as comma-separated name:token pairs (tokens of 24+ "
            "characters). Empty: the server is read-only."
        ),
    )
    token: str = Field(
        "",
        repr=False,
        description="Bearer token the CLI's write commands (kg ingest, kg revert) send.",
    )

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, v: str) -> str:
        if v and not (v.startswith("http://") or v.startswith("https://")):
            raise ValueError(f"public_url must start with http:// or https://, got {v!r}")
        return v.rstrip("/")

    @field_validator("write_tokens")
    @classmethod
    def _check_tokens(cls, v: str) -> str:
        for pair in filter(None, (p.strip() for p in v.split(","))):
            name, sep, token = pair.partition(":")
            if not sep or not name.strip() or not token.strip():
                raise ValueError("write_tokens must be name:token pairs separated by commas")
            if not name.strip().replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"curator name {name!r} may use letters, digits, - and _ only")
            if len(token.strip()) < 24:
                raise ValueError(f"the token of {name!r} is shorter than 24 characters")
        return v

    def curators(self) -> dict[str, str]:
        """Curator name → token."""
        out: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in self.write_tokens.split(","))):
            name, _, token = pair.partition(":")
            out[name.strip()] = token.strip()
        return out

    def base_url(self) -> str:
        """The URL clients reach the server at, without a trailing slash."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
