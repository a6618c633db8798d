"""Schemathesis hooks for the fuzz run (loaded by the CLI through ``SCHEMATHESIS_HOOKS``).

The API reads bodies schemathesis has no serializer for: SPARQL text and RDF documents. A
generated value is sent as UTF-8 text (a string as it is, anything else as its JSON).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

TEXT_TYPES = (
    "application/sparql-query",
    "application/sparql-update",
    "text/turtle",
    "application/x-turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)


@schemathesis.serializer(*TEXT_TYPES)
def as_text(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8")
