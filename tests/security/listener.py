"""A TCP listener on 127.0.0.1 that records every contact, and answers as its path says.

The probes aim operations at it: a policy that holds leaves it with no contact at all. When an
endpoint on it is allowlisted, it plays a SPARQL endpoint that misbehaves in known ways:

- ``/answer``: SPARQL JSON results (``Listener.results``), status 200;
- ``/error``: HTTP 500;
- ``/hang``: reads the request and never answers (until the listener stops);
- ``/flood``: SPARQL JSON headers, then a body that never ends (until the peer leaves);
- anything else: the connection is closed without an answer.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Contact:
    method: str = ""
    path: str = ""
    body: bytes = b""

    @property
    def query(self) -> str:
        return parse_qs(self.body.decode(errors="replace")).get("query", [""])[0]


@dataclass
class Listener:
    results: dict[str, Any] = field(
        default_factory=lambda: {"head": {"vars": []}, "results": {"bindings": []}}
    )
    contacts: list[Contact] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Listener:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._server.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read_request(self, conn: socket.socket) -> Contact:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        method, path = [*lines[0].split(" "), "", ""][:2]
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return Contact(method, path, body)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                contact = self._read_request(conn)
            except OSError:
                return
            with self._lock:
                self.contacts.append(contact)
            try:
                self._answer(conn, contact.path)
            except OSError:
                return

    def _answer(self, conn: socket.socket, path: str) -> None:
        json_head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
            "Connection: close\r\n"
        )
        if path == "/answer":
            body = json.dumps(self.results).encode()
            conn.sendall(f"{json_head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        elif path == "/error":
            conn.sendall(b"HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        elif path == "/hang":
            self._stop.wait()
        elif path == "/flood":
            conn.sendall(f"{json_head}\r\n".encode() + b'{"head": {"vars": ["x"]}, "x": "')
            chunk = b"x" * 65536
            for _ in range(10_000):  # at most about 650 MB, if nobody stops reading
                if self._stop.is_set():
                    return
                conn.sendall(chunk)
