"""Bearer-token authentication for writes (constant-time comparison, several named tokens)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from kg.errors import Forbidden, KgError


class Unauthorized(KgError):
    status = 401
    code = "unauthorized"


def require_curator(request: Request) -> str:
    """The curator whose token the request carries, or 401/403."""
    curators: dict[str, str] = request.app.state.settings.curators()
    if not curators:
        raise Forbidden("this server is read-only: no write token is configured (KG_WRITE_TOKENS)")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("writes need 'Authorization: Bearer <token>'")
    presented = token.strip().encode()
    found = None
    for name, expected in curators.items():
        if hmac.compare_digest(presented, expected.encode()):
            found = name
    if found is None:
        raise Forbidden("the bearer token is not valid for writes")
    request.state.curator = found  # the access log names the curator, never the token
    return found


CuratorDep = Annotated[str, Depends(require_curator)]
