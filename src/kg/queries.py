"""Canned queries: ``queries/*.rq`` with a grlc/BASIL ``#+`` header, parsed strictly.

A file starts with comment lines ``#+ key: value`` (YAML, as grlc reads them)::

    #+ summary: States that voted the same way on every recorded vote
    #+ description: ...
    #+ tags:
    #+   - coalition
    #+ defaults:
    #+   - state: https://w3id.org/unhr/id/state/KOR
    #+ enumerate:
    #+   - state

Parameters are the query's variables named ``?_name`` (required) or ``?__name`` (optional),
typed by suffix: ``_iri``, ``_integer``, ``_decimal``, ``_boolean``, ``_xsd_{datatype}`` (e.g.
``_xsd_date``, ``_xsd_gYear``), ``_{lang}`` for a language-tagged literal of two or three
letters; no suffix is a plain string. Values are bound as RDF terms (SEP-0007 substitution),
never pasted into the query text. An unknown header key or a malformed header stops start-up
with the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from kg.errors import ConfigError, ParameterError
from kg.rdfio import iri_problem, nt
from kg.sparql.operation import Form, _tokens, classify, where_span
from kg.terms import Literal, URIRef, literal

XSD = "http://www.w3.org/2001/XMLSchema#"
#: The grlc keys a header may carry; ``method``, ``endpoint``, ``endpoint_in_url`` and
#: ``transform`` are accepted for grlc's sake and not used here.
HEADER_KEYS = frozenset(
    {
        "summary",
        "description",
        "tags",
        "defaults",
        "enumerate",
        "method",
        "pagination",
        "endpoint",
        "endpoint_in_url",
        "transform",
    }
)
MAX_VALUE_LENGTH = 2000
MAX_DECIMAL_EXPONENT = 30
# ASCII digits only: str.isdigit() and \d also accept "²" or Arabic-Indic digits.
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,4})?", re.ASCII)
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\]")
_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$", re.ASCII)
_GYEAR = re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$", re.ASCII)
_GYEARMONTH = re.compile(r"^-?\d{4,}-\d{2}(Z|[+-]\d{2}:\d{2})?$", re.ASCII)
_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a canned query."""

    name: str
    variable: str
    kind: str  # iri | integer | decimal | boolean | string | lang | xsd
    required: bool
    datatype: str | None = None
    language: str | None = None
    default: str | None = None
    enumerate: bool = False

    @property
    def description(self) -> str:
        what = {
            "iri": "an IRI",
            "integer": "an integer",
            "decimal": "a decimal number",
            "boolean": "true or false",
            "string": "a text value",
            "lang": f"a text value (language '{self.language}')",
            "xsd": f"a value of type xsd:{(self.datatype or '').removeprefix(XSD)}",
        }[self.kind]
        return what + ("" if self.required else " (optional)")

    def openapi_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        if self.kind == "integer":
            schema = {"type": "integer"}
        elif self.kind == "decimal":
            schema = {"type": "number"}
        elif self.kind == "boolean":
            schema = {"type": "boolean"}
        elif self.kind == "iri":
            schema = {"type": "string", "format": "iri"}
        elif self.kind == "xsd" and self.datatype == XSD + "date":
            schema = {"type": "string", "format": "date"}
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def bind(self, raw: str) -> URIRef | Literal:
        """The RDF term for ``raw``, or :class:`ParameterError` naming this parameter."""
        if len(raw) > MAX_VALUE_LENGTH:
            raise ParameterError(
                f"parameter '{self.name}' is {len(raw)} characters long; the limit is "
                f"{MAX_VALUE_LENGTH}",
                parameter=self.name,
                expected=self.description,
            )
        value = raw.strip()
        if self.kind == "iri":
            if (
                not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value)
                or _IRI_FORBIDDEN.search(value)
                or iri_problem(value) is not None
            ):
                raise self._bad(raw)
            return URIRef(value)
        if self.kind == "integer":
            if not _INTEGER.fullmatch(value):
                raise self._bad(raw)
            return literal(str(int(value)), datatype=XSD + "integer")
        if self.kind == "decimal":
            if not _DECIMAL.fullmatch(value):
                raise self._bad(raw)
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise self._bad(raw) from None
            # Bounded size: "1e-99999999" would otherwise become a 100 MB literal.
            if not number.is_finite() or abs(number.adjusted()) > MAX_DECIMAL_EXPONENT:
                raise self._bad(raw)
            # Plain notation: xsd:decimal has no exponent ("5E-7" would not be a decimal).
            return literal(format(number, "f"), datatype=XSD + "decimal")
        if self.kind == "boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise self._bad(raw)
            return literal(str(value.lower() in ("true", "1")).lower(), datatype=XSD + "boolean")
        if self.kind == "lang":
            return literal(raw, lang=self.language)
        if self.kind == "xsd" and self.datatype:
            checks = {XSD + "date": _DATE, XSD + "gYear": _GYEAR, XSD + "gYearMonth": _GYEARMONTH}
            pattern = checks.get(self.datatype)
            if pattern is not None and not pattern.match(value):
                raise self._bad(raw)
            if self.datatype == XSD + "integer" and not _INTEGER.fullmatch(value):
                raise self._bad(raw)
            return literal(value, datatype=self.datatype)
        return literal(raw)

    def _bad(self, raw: str) -> ParameterError:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        return ParameterError(
            f"parameter '{self.name}' must be {self.description}; got {shown!r}",
            parameter=self.name,
            expected=self.description,
        )


@dataclass(frozen=True)
class CannedQuery:
    """One ``queries/*.rq`` file, its header and its parameters."""

    name: str
    path: Path
    text: str
    form: Form
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    pagination: int | None = None

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def _parse_variable(variable: str) -> tuple[str, str, str | None, str | None, bool]:
    """``_state_iri`` → (name, kind, datatype, language, required)."""
    required = not variable.startswith("__")
    base = variable.lstrip("_")
    parts = base.split("_")
    if len(parts) >= 3 and parts[-2] == "xsd":
        return "_".join(parts[:-2]), "xsd", XSD + parts[-1], None, required
    if len(parts) >= 2:
        suffix = parts[-1]
        stem = "_".join(parts[:-1])
        if suffix in ("iri", "integer", "decimal", "boolean"):
            return stem, suffix, None, None, required
        if suffix in ("string", "literal"):
            return stem, "string", None, None, required
        if _LANG.match(suffix):
            return stem, "lang", None, suffix, required
    return base, "string", None, None, required


def _header(path: Path, lines: list[str]) -> tuple[dict[str, Any], int]:
    """The YAML of the leading ``#+`` lines, and the number of header lines."""
    yaml_lines: list[str] = []
    count = 0
    for line in lines:
        if line.startswith("#+"):
            yaml_lines.append(line[2:].removeprefix(" "))
            count += 1
        elif line.strip() == "" or line.startswith("#"):
            count += 1
            if yaml_lines and not line.startswith("#"):
                break
        else:
            break
    if not yaml_lines:
        raise ConfigError(
            f"{path}:1: no '#+' header; a canned query needs at least '#+ summary:'",
            file=str(path),
            line=1,
        )
    try:
        data = yaml.safe_load("\n".join(yaml_lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line_no = (mark.line + 1) if mark is not None else 1
        raise ConfigError(
            f"{path}:{line_no}: malformed '#+' header: {exc}", file=str(path), line=line_no
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}:1: the '#+' header must be 'key: value' lines", file=str(path), line=1
        )
    for key in data:
        if key not in HEADER_KEYS:
            line_no = next(
                (
                    i + 1
                    for i, text in enumerate(lines)
                    if re.match(rf"#\+\s*{re.escape(str(key))}\s*:", text)
                ),
                1,
            )
            raise ConfigError(
                f"{path}:{line_no}: unknown header key '{key}'; allowed: "
                f"{', '.join(sorted(HEADER_KEYS))}",
                file=str(path),
                line=line_no,
            )
    return data, count


def _as_list(path: Path, key: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise ConfigError(
        f"{path}: header '{key}' must be a list ('#+   - item' lines)", file=str(path)
    )


def load_query(path: Path) -> CannedQuery:
    """Parse one ``.rq`` file; :class:`ConfigError` names the file and line of any problem."""
    name = path.stem
    if not NAME.match(name):
        raise ConfigError(
            f"{path}: query file names must be lowercase letters, digits, '-' or '_'",
            file=str(path),
        )
    text = path.read_text(encoding="utf-8")
    header, _ = _header(path, text.splitlines())
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise ConfigError(f"{path}:1: '#+ summary:' is required", file=str(path), line=1)
    defaults: dict[str, str] = {}
    for item in _as_list(path, "defaults", header.get("defaults")):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: each default is '- name: value'", file=str(path))
        defaults.update({str(k): str(v) for k, v in item.items()})
    enumerated = {str(v) for v in _as_list(path, "enumerate", header.get("enumerate"))}
    tags = tuple(str(t) for t in _as_list(path, "tags", header.get("tags")))
    variables: list[str] = []
    for kind, value in _tokens(text):
        if kind == "var" and value[1:].startswith("_") and value[1:] not in variables:
            variables.append(value[1:])
    params: list[Parameter] = []
    for variable in variables:
        pname, kind, datatype, language, required = _parse_variable(variable)
        params.append(
            Parameter(
                name=pname,
                variable=variable,
                kind=kind,
                required=required and pname not in defaults,
                datatype=datatype,
                language=language,
                default=defaults.get(pname),
                enumerate=pname in enumerated or variable in enumerated,
            )
        )
    known = {p.name for p in params} | {p.variable for p in params}
    for declared in (*defaults, *enumerated):
        if declared not in known:
            raise ConfigError(
                f"{path}: header names parameter '{declared}', but the query has "
                f"no variable ?_{declared}…",
                file=str(path),
            )
    op = classify(text)
    if op.form is Form.UPDATE:
        raise ConfigError(
            f"{path}: canned queries are read-only; this file is an update", file=str(path)
        )
    pagination = header.get("pagination")
    if pagination is not None and (not isinstance(pagination, int) or pagination < 1):
        raise ConfigError(f"{path}: 'pagination' must be a positive integer", file=str(path))
    description = header.get("description") or ""
    return CannedQuery(
        name=name,
        path=path,
        text=text,
        form=op.form,
        summary=summary.strip(),
        description=str(description).strip(),
        tags=tags,
        parameters=tuple(params),
        pagination=pagination,
    )


@dataclass(frozen=True)
class Registry:
    """All canned queries, by name."""

    queries: dict[str, CannedQuery]

    def get(self, name: str) -> CannedQuery | None:
        return self.queries.get(name)

    def __iter__(self) -> Iterator[CannedQuery]:
        return iter(sorted(self.queries.values(), key=lambda q: q.name))

    def __len__(self) -> int:
        return len(self.queries)


def load_registry(folder: Path) -> Registry:
    """Every ``*.rq`` in ``folder``; a bad file stops with its name and line."""
    queries: dict[str, CannedQuery] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.rq")):
            query = load_query(path)
            queries[query.name] = query
    return Registry(queries)


def bind_parameters(query: CannedQuery, raw: dict[str, str]) -> dict[str, URIRef | Literal]:
    """Check ``raw`` against the query's parameters; return substitutions by variable name."""
    allowed = {p.name for p in query.parameters}
    for key in raw:
        if key not in allowed:
            expected = ", ".join(sorted(allowed)) or "no parameters"
            raise ParameterError(
                f"unknown parameter '{key}'; this query takes {expected}",
                parameter=key,
                expected=expected,
            )
    bound: dict[str, URIRef | Literal] = {}
    for p in query.parameters:
        value = raw.get(p.name)
        if value is None or not value.strip():
            value = p.default
        if value is None:
            if p.required:
                raise ParameterError(
                    f"parameter '{p.name}' is required: {p.description}",
                    parameter=p.name,
                    expected=p.description,
                )
            continue
        bound[p.variable] = p.bind(value)
    return bound


def with_values(query: CannedQuery, bound: dict[str, URIRef | Literal]) -> str:
    """The query text with one ``VALUES`` row binding each parameter, inside its WHERE group.

    The terms are serialised in N-Triples syntax by a serialiser (escaped), never copied from the
    request, so no value can change the query's structure. A ``VALUES`` block at the head of the
    outermost group joins with everything in it, FILTERs included.
    """
    if not bound:
        return query.text
    span = where_span(query.text)
    if span is None:
        raise ConfigError(
            f"{query.path}: cannot find the WHERE group to bind parameters in", file=str(query.path)
        )
    _, start, _ = span
    names = sorted(bound)
    row = " ".join(nt(bound[n]) for n in names)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    return query.text[: start + 1] + values + query.text[start + 1 :]
