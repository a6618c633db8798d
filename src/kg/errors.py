"""The errors unhr-kg raises, each with the HTTP status it maps to.

``KgError``
  ├── ``BadRequest`` (400)
  │     ├── ``SparqlSyntaxError``: the query or update does not parse (message, line, column)
  │     ├── ``RdfSyntaxError``: an RDF document does not parse (message, line, column)
  │     ├── ``ProtocolError``: the request breaks the SPARQL protocol (two queries, bad graph IRI…)
  │     ├── ``ParameterError``: a canned-query parameter is missing or malformed
  │     └── ``NestingTooDeep``: a query or document nests deeper than ``KG_MAX_NESTING``
  ├── ``Forbidden`` (403): an operation that is never allowed here (LOAD, SERVICE, FROM …)
  ├── ``NotFound`` (404)
  ├── ``NotAcceptable`` (406): no supported format matches ``Accept`` / ``format``
  ├── ``Conflict`` (409): the request contradicts the state (a change set already reverted)
  ├── ``PayloadTooLarge`` (413)
  ├── ``ValidationFailed`` (422): a write would break the shapes; carries the SHACL report
  ├── ``TooManyRequests`` (429): the client spent its budget of query time; retry later
  ├── ``ServiceFailed`` (502): a federated endpoint (SERVICE) failed, timed out or answered
  │     too much, and the clause was not SILENT
  ├── ``UnsupportedMediaType`` (415)
  ├── ``QueryTimeout`` (503): the query ran past its deadline and was stopped
  ├── ``ServerBusy`` (503): too much heavy work is running or queued; retry after a while
  ├── ``ConfigError`` (500): the settings or the files on disk are inconsistent
  └── ``StoreError`` (500): the store failed
The HTTP layer (``kg.api.errors``) is the only place that turns these into responses.
"""

from __future__ import annotations

from typing import Any


class KgError(Exception):
    """Base class: ``status`` is the HTTP status, ``code`` a stable machine-readable name."""

    status: int = 500
    code: str = "internal-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = {k: v for k, v in details.items() if v is not None}


class BadRequest(KgError):
    status = 400
    code = "bad-request"


class SparqlSyntaxError(BadRequest):
    code = "sparql-syntax-error"


class RdfSyntaxError(BadRequest):
    code = "rdf-syntax-error"


class ProtocolError(BadRequest):
    code = "protocol-error"


class ParameterError(BadRequest):
    code = "bad-parameter"


class NestingTooDeep(BadRequest):
    """Refused before parsing: the parsers recurse once per level and would overflow the stack.

    Details: ``limit``, and where the limit was passed (``line``, and ``column`` when known).
    """

    code = "nesting-too-deep"


class Forbidden(KgError):
    status = 403
    code = "forbidden"


class NotFound(KgError):
    status = 404
    code = "not-found"


class NotAcceptable(KgError):
    status = 406
    code = "not-acceptable"


class Conflict(KgError):
    status = 409
    code = "conflict"


class PayloadTooLarge(KgError):
    status = 413
    code = "payload-too-large"


class UnsupportedMediaType(KgError):
    status = 415
    code = "unsupported-media-type"


class ValidationFailed(KgError):
    """A write refused by the SHACL gate; ``report`` is the report as JSON."""

    status = 422
    code = "validation-failed"

    def __init__(self, message: str, *, report: dict[str, Any], **details: Any) -> None:
        super().__init__(message, **details)
        self.report = report


class TooManyRequests(KgError):
    """A client over its budget. ``retry_after`` is in seconds."""

    status = 429
    code = "too-many-requests"


class ServiceFailed(KgError):
    """A SERVICE call failed (details: ``endpoint``, ``outcome``: failed, timeout, too-large)."""

    status = 502
    code = "service-failed"


class QueryTimeout(KgError):
    status = 503
    code = "query-timeout"


class ServerBusy(KgError):
    """Refused for now: the heavy lane and its queue are full. ``retry_after`` is in seconds."""

    status = 503
    code = "server-busy"


class ConfigError(KgError):
    status = 500
    code = "config-error"


class StoreError(KgError):
    status = 500
    code = "store-error"
