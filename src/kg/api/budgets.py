"""Per-client budgets of query time, so that no client can take the service over.

A client is a curator (when the request carries a valid bearer token) or else an address (the
peer's, or the forwarded one when the server runs behind a trusted proxy). Each client may spend
``client_budget_seconds`` of query time within any window of ``client_budget_window`` seconds;
past that, its queries are answered 429 with ``Retry-After`` until enough of its spending has
left the window. The time charged is the wall time a query held a worker or waited for one, a
query stopped at its deadline included. Budgets live in memory, per server process.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import defaultdict, deque

from fastapi import Request

from kg.errors import TooManyRequests


class Budgets:
    def __init__(self, seconds: float, window: float, curators: dict[str, str]) -> None:
        self.seconds = seconds
        self.window = window
        self._curators = curators
        self._spent: dict[str, deque[tuple[float, float]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.refused = 0

    def client(self, request: Request) -> str:
        """Who is asking: ``curator:{name}`` for a valid token, else ``addr:{address}``."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            presented = token.strip().encode()
            for name, expected in self._curators.items():
                if hmac.compare_digest(presented, expected.encode()):
                    return f"curator:{name}"
        peer = request.client.host if request.client else "-"
        return f"addr:{peer}"

    def _used(self, client: str, now: float) -> float:
        spent = self._spent[client]
        while spent and spent[0][0] <= now - self.window:
            spent.popleft()
        return sum(cost for _, cost in spent)

    def check(self, client: str) -> None:
        """Refuse (429) a client whose budget for the current window is spent."""
        now = time.monotonic()
        with self._lock:
            used = self._used(client, now)
            if used < self.seconds:
                return
            # When enough of the spending leaves the window to go under the budget again.
            excess = used - self.seconds
            retry = self.window
            for stamp, cost in self._spent[client]:
                excess -= cost
                if excess < 0:
                    retry = stamp + self.window - now
                    break
            self.refused += 1
        raise TooManyRequests(
            f"this client has used its {self.seconds:g} s of query time for the last "
            f"{self.window:g} s (KG_CLIENT_BUDGET_SECONDS); retry in {math.ceil(retry)} s",
            retry_after=max(1, math.ceil(retry)),
        )

    def charge(self, client: str, seconds: float) -> None:
        with self._lock:
            self._spent[client].append((time.monotonic(), seconds))
