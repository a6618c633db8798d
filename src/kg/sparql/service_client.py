"""One SERVICE call: a SELECT sent to an allowed endpoint, answered as SPARQL JSON results.

- The endpoint's host is resolved once; every address it resolves to is checked with
  :mod:`ipaddress`, and the connection goes to a checked address (the HTTP client never
  resolves the name again, so a DNS answer cannot change between the check and the connection;
  TLS still verifies the certificate against the host name). Loopback, private, link-local,
  shared, reserved, multicast and unspecified addresses (and IPv6 forms that embed one) are
  refused unless the endpoint is listed in ``KG_SERVICE_PRIVATE_ENDPOINTS``.
- No proxy from the environment, no redirect, no cookie; the answer is streamed and cut at
  ``max_bytes``, and the whole call (connection, request, answer) is bounded by ``timeout``.
- While the call runs, the worker's audit hook (:mod:`kg.workers.sandbox`) allows exactly the
  checked addresses and nothing else.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import httpcore
import httpx

from kg import __version__
from kg.errors import Forbidden, ServiceFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Guard(Protocol):
    """What the client asks of the worker's audit hook (see :mod:`kg.workers.sandbox`)."""

    def allowing(
        self, *, hosts: Sequence[str], addresses: Sequence[tuple[str, int]]
    ) -> AbstractContextManager[None]: ...


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address (and embeds no private one)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not address.is_multicast and not address.is_unspecified


@dataclass(frozen=True)
class Target:
    """An endpoint with the addresses it was checked to resolve to."""

    url: httpx.URL
    addresses: tuple[str, ...]

    @property
    def port(self) -> int:
        return self.url.port or (443 if self.url.scheme == "https" else 80)


def resolve(endpoint: str, *, allow_private: bool, guard: Guard | None) -> Target:
    """The endpoint's addresses, each checked; :class:`Forbidden` if one may not be used."""
    url = httpx.URL(endpoint)
    if url.scheme not in ("http", "https") or not url.host:
        raise Forbidden(
            f"SERVICE <{endpoint}>: only http and https endpoints can be called",
            endpoint=endpoint,
            policy="service-not-allowed",
        )
    port = url.port or (443 if url.scheme == "https" else 80)
    allowing = guard.allowing(hosts=[url.host], addresses=[]) if guard else nullcontext()
    try:
        with allowing:
            infos = socket.getaddrinfo(url.host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ServiceFailed(
            f"SERVICE <{endpoint}>: its host name does not resolve ({exc})",
            endpoint=endpoint,
            outcome="failed",
        ) from None
    addresses: list[str] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not allow_private and not is_public(address):
            raise Forbidden(
                f"SERVICE <{endpoint}> resolves to {address}, a loopback, private, link-local or "
                "reserved address; such an endpoint is called only when the operator lists it "
                "in KG_SERVICE_PRIVATE_ENDPOINTS",
                endpoint=endpoint,
                policy="private-address",
            )
        if str(address) not in addresses:
            addresses.append(str(address))
    return Target(url, tuple(addresses))


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to the checked addresses of one host, whatever name the request carries."""

    def __init__(self, target: Target) -> None:
        self._target = target

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        if host.lower() != (self._target.url.host or "").lower() or port != self._target.port:
            raise httpcore.ConnectError(f"refusing to connect to {host}:{port}")
        last: Exception | None = None
        for address in self._target.addresses:
            try:
                return super().connect_tcp(
                    address, port, timeout, local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError("no address to connect to")


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, target: Target) -> None:
        super().__init__(trust_env=False, retries=0)
        # httpx builds its connection pool without a way to pass a network backend: replace
        # the pool by the same one with the pinned backend.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=1,
            network_backend=_PinnedBackend(target),
        )


@dataclass(frozen=True)
class Table:
    """A solution sequence: variable names, and rows as term-JSON dicts (SPARQL JSON)."""

    variables: tuple[str, ...]
    rows: tuple[dict[str, dict[str, Any]], ...]


def _failed(endpoint: str, why: str, outcome: str = "failed") -> ServiceFailed:
    return ServiceFailed(f"SERVICE <{endpoint}> {why}", endpoint=endpoint, outcome=outcome)


def _read_capped(
    chunks: Iterator[bytes], *, endpoint: str, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise _failed(
                endpoint,
                f"answered more than {max_bytes} bytes, the most one call may return "
                "(KG_SERVICE_MAX_BYTES)",
                "too-large",
            )
        if time.monotonic() > deadline:
            raise _failed(endpoint, _timeout_text(timeout), "timeout")
    return bytes(body)


def _timeout_text(timeout: float) -> str:
    return f"did not answer within {timeout:g} s (KG_SERVICE_TIMEOUT)"


def call(
    endpoint: str,
    query: str,
    *,
    allow_private: bool,
    timeout: float,
    max_bytes: int,
    guard: Guard | None = None,
) -> Table:
    """Send ``query`` (a SELECT) to ``endpoint`` and return its solutions.

    Raises :class:`Forbidden` when the endpoint resolves to an address it may not use, and
    :class:`ServiceFailed` (``outcome``: failed, timeout, too-large) when the call fails.
    """
    deadline = time.monotonic() + timeout
    target = resolve(endpoint, allow_private=allow_private, guard=guard)
    addresses = [(a, target.port) for a in target.addresses]
    allowing = guard.allowing(hosts=[], addresses=addresses) if guard else nullcontext()
    headers = {
        "Accept": "application/sparql-results+json",
        "User-Agent": f"unhr-kg/{__version__} (SERVICE)",
    }
    try:
        with (
            allowing,
            httpx.Client(
                transport=_PinnedTransport(target),
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
                trust_env=False,
            ) as client,
            client.stream("POST", target.url, data={"query": query}, headers=headers) as answer,
        ):
            if answer.status_code != 200:
                raise _failed(endpoint, f"answered HTTP {answer.status_code}")
            kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in ("application/sparql-results+json", "application/json"):
                raise _failed(endpoint, f"answered {kind or 'no content type'}, not SPARQL JSON")
            body = _read_capped(
                answer.iter_raw(),
                endpoint=endpoint,
                max_bytes=max_bytes,
                deadline=deadline,
                timeout=timeout,
            )
    except httpx.TimeoutException:
        raise _failed(endpoint, _timeout_text(timeout), "timeout") from None
    except httpx.HTTPError as exc:
        raise _failed(endpoint, f"could not be reached ({type(exc).__name__}: {exc})") from None
    return parse_results(body, endpoint=endpoint)


def parse_results(body: bytes, *, endpoint: str) -> Table:
    """SPARQL 1.1 Query Results JSON, checked for shape (terms are checked by the caller)."""
    try:
        doc = json.loads(body)
        variables = doc["head"]["vars"]
        bindings = doc["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        raise _failed(endpoint, "did not answer SPARQL JSON results of a SELECT") from None
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _failed(endpoint, "answered a malformed 'head.vars'")
    if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
        raise _failed(endpoint, "answered malformed 'results.bindings'")
    return Table(tuple(variables), tuple(bindings))


__all__ = ["Guard", "Table", "Target", "call", "is_public", "parse_results", "resolve"]
