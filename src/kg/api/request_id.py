"""A request id on every request and response (pure ASGI middleware, no per-request task).

A client's ``X-Request-ID`` is kept when it is short and made of safe characters (letters,
digits, ``.``, ``_``, ``:``, ``-``, at most 64); anything else is replaced by a fresh id, so
that logs never carry what a client smuggled into the header.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SAFE = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")


def _given(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return value.decode("ascii") if _SAFE.match(value) else None
    return None


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _given(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)
