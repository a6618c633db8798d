"""How curators and administrators are named in public: by name, or by a stable pseudonym.

A pseudonym is ``curator-`` and the first 16 hex digits of HMAC-SHA256(secret, name): the same
name and secret always give the same pseudonym (across restarts and servers), and without the
secret it cannot be told which name is behind it, nor can a guessed name be checked.

The metadata graph holds the public form (``prov:wasAssociatedWith <id/curator/{public}>``); the
journal keeps the real name in each change set's ``meta``. At every start,
:func:`publish_identities` brings the metadata graph in line with the setting, so that switching
``KG_CURATOR_IDENTITY`` (or the secret) applies to every change set, old ones included.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from kg.curation.changes import METADATA_GRAPH, PROV, curator_iri
from kg.namespaces import UNHR
from kg.store.base import Store
from kg.terms import Quad, URIRef

ASSOCIATED = URIRef(f"{PROV}wasAssociatedWith")

_ATTRIBUTIONS = f"""SELECT ?cs ?id ?who WHERE {{
  GRAPH <{METADATA_GRAPH}> {{
    ?cs a <{UNHR}ChangeSet> ; <http://purl.org/dc/terms/identifier> ?id ;
        <{PROV}wasAssociatedWith> ?who
  }} }}"""


@dataclass(frozen=True)
class Identities:
    """The public form of a curator's or administrator's name (``KG_CURATOR_IDENTITY``)."""

    pseudonymous: bool = False
    secret: str = ""

    def public(self, name: str) -> str:
        if not self.pseudonymous:
            return name
        code = hmac.new(self.secret.encode(), f"unhr-kg curator {name}".encode(), hashlib.sha256)
        return f"curator-{code.hexdigest()[:16]}"


def publish_identities(store: Store, identities: Identities, *, timeout: float) -> int:
    """Name every change set's curator in the metadata graph as ``identities`` says; return how
    many attributions changed (0 when they were already so)."""
    metas = store.applied_meta()
    removed: list[Quad] = []
    added: list[Quad] = []
    meta_graph = URIRef(METADATA_GRAPH)
    for row in store.select(_ATTRIBUTIONS, timeout=timeout):
        meta = metas.get(str(row["id"]))
        if meta is None or not meta.get("curator"):
            continue
        node, who = row["cs"], row["who"]
        wanted = curator_iri(identities.public(meta["curator"]))
        if who != wanted and isinstance(node, URIRef):
            removed.append(Quad(node, ASSOCIATED, who, meta_graph))
            added.append(Quad(node, ASSOCIATED, wanted, meta_graph))
    if removed:
        store.rewrite_metadata(removed, added)
    return len(removed)
