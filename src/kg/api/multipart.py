"""``multipart/form-data`` bodies (Graph Store Protocol POST of several files), read with the
standard library's MIME parser: each part is one RDF document, its syntax given by the part's
Content-Type or, failing that, by its file name's suffix."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from kg.errors import BadRequest, UnsupportedMediaType
from kg.formats import Format, rdf_format_for_suffix, rdf_upload_format

MAX_PARTS = 32


def rdf_parts(body: bytes, content_type: str) -> list[tuple[bytes, Format]]:
    """The RDF documents of a multipart body, with their syntax."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise BadRequest("the multipart/form-data body has no parts (is the boundary right?)")
    parts: list[tuple[bytes, Format]] = []
    for part in message.iter_parts():
        if len(parts) == MAX_PARTS:
            raise BadRequest(f"a multipart body may hold at most {MAX_PARTS} documents")
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        fmt: Format | None = None
        declared = part.get_content_type()
        if declared and declared not in ("text/plain", "application/octet-stream"):
            fmt = rdf_upload_format(declared)
        if fmt is None:
            name = part.get_filename() or ""
            fmt = rdf_format_for_suffix("." + name.rsplit(".", 1)[-1]) if "." in name else None
        if fmt is None:
            raise UnsupportedMediaType(
                f"cannot tell the RDF syntax of the part {part.get_filename() or '(unnamed)'}: "
                "give it a Content-Type such as text/turtle, or a file name ending in .ttl, "
                ".nt, .jsonld, …"
            )
        parts.append((payload, fmt))
    return parts
