"""Where the ontology file lives, and loading it.

The canonical file is ``ontology/xunshi.ttl`` at the repository root (the project is installed editable,
so it sits beside the ``kg`` package). A wheel may instead ship a copy as package data in
``kg/ontology/xunshi.ttl``; that copy is used only when the repository file is absent.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.vocab import PREFIXES

ONTOLOGY_IRI = "https://w3id.org/xunshi-kg/ontology"

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE.parent / "ontology" / "xunshi.ttl", _HERE / "ontology" / "xunshi.ttl")


def _locate() -> Path:
    for path in _CANDIDATES:
        if path.is_file():
            return path
    return _CANDIDATES[0]  # the canonical place, so an error message names it


ONTOLOGY_TTL: Path = _locate()


def load_ontology() -> Graph:
    """A fresh rdflib Graph of the ontology (callers may modify it), with the project prefixes bound."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g.parse(ONTOLOGY_TTL, format="turtle")
    return g


@lru_cache(maxsize=1)
def _labels() -> dict[tuple[str, str], str]:
    """(term IRI, language) → rdfs:label, read with pyoxigraph (a tenth of rdflib's parsing time)."""
    rdfs_label = str(RDFS.label)
    return {(t.subject.value, t.object.language): t.object.value
            for t in ox.parse(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE)
            if t.predicate.value == rdfs_label and isinstance(t.object, ox.Literal) and t.object.language}


def label(term: URIRef, lang: str = "zh") -> str | None:
    """The ontology's rdfs:label of ``term`` in ``lang`` (None if it has none); read once, then cached."""
    return _labels().get((str(term), lang))


__all__ = ["ONTOLOGY_IRI", "ONTOLOGY_TTL", "load_ontology", "label"]
