"""SHACL validation of unhr-kg data against ``shapes/``, with the ontology mixed in.

- :mod:`.report`: :class:`ValidationReport` and its JSON, Turtle and text forms;
- :mod:`.shacl`: :func:`validate_graph`, pySHACL on one data graph;
- :mod:`.files`: the repository's files (``kg validate``).
"""

from kg.validation.files import load_ontology, load_shapes, parse_turtle, validate_paths
from kg.validation.report import SEVERITIES, Severity, ValidationReport, ValidationResult
from kg.validation.shacl import validate_graph

__all__ = [
    "SEVERITIES",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "load_ontology",
    "load_shapes",
    "parse_turtle",
    "validate_graph",
    "validate_paths",
]
