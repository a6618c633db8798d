"""Bearer-token authentication (constant-time comparison, several named tokens per role).

Two roles, each with tokens of its own: curators (``KG_WRITE_TOKENS``) write; administrators
(``KG_ADMIN_TOKENS``) redact. No token is valid for both (the settings refuse a shared one).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from kg.curation.identity import Identities
from kg.errors import Forbidden, KgError


class Unauthorized(KgError):
    status = 401
    code = "unauthorized"


def _presented(request: Request, what: str) -> bytes:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(f"{what} need 'Authorization: Bearer <token>'")
    return token.strip().encode()


def _holder(presented: bytes, tokens: dict[str, str]) -> str | None:
    """Whose token ``presented`` is; every token is compared, in constant time."""
    found = None
    for name, expected in tokens.items():
        if hmac.compare_digest(presented, expected.encode()):
            found = name
    return found


def _identify(request: Request, name: str) -> None:
    # The access log names who wrote (as KG_CURATOR_IDENTITY says), never the token.
    identities: Identities = request.app.state.identities
    request.state.curator = identities.public(name)


def require_curator(request: Request) -> str:
    """The curator whose token the request carries, or 401/403."""
    curators: dict[str, str] = request.app.state.settings.curators()
    if not curators:
        raise Forbidden("this server is read-only: no write token is configured (KG_WRITE_TOKENS)")
    found = _holder(_presented(request, "writes"), curators)
    if found is None:
        raise Forbidden("the bearer token is not valid for writes")
    _identify(request, found)
    return found


def require_admin(request: Request) -> str:
    """The administrator whose token the request carries, or 401/403."""
    admins: dict[str, str] = request.app.state.settings.admins()
    if not admins:
        raise Forbidden(
            "redaction is off on this server: no administrator token is configured "
            "(KG_ADMIN_TOKENS)"
        )
    found = _holder(_presented(request, "administrators' operations"), admins)
    if found is None:
        raise Forbidden(
            "the bearer token is not an administrator's: only administrators (KG_ADMIN_TOKENS) "
            "may redact; a curator's token is not enough"
        )
    _identify(request, found)
    return found


CuratorDep = Annotated[str, Depends(require_curator)]
AdminDep = Annotated[str, Depends(require_admin)]
