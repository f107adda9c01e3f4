"""Exports for tools that do not speak RDF: a property graph (GraphML, GEXF for Gephi) and CSV tables per class.

What a "thing" is: every subject typed with an ``xs:`` class in the data (the ontology graph is left out, so
the two xs:Status values are not things). Each thing gets one class, its most specific one
(xs:InspectionTeam rather than xs:Unit, by the ontology's rdfs:subClassOf).

* Property graph (``to_networkx``): a node per thing (id = its IRI; attributes ``label``, ``class`` and one
  per literal-valued property, keyed by the property's CURIE, e.g. ``xs:startDate``), an edge per object
  property between two things (attributes ``predicate`` and ``label``, the property's CURIE).
* Tables (``tables``): one per class; columns ``iri``, ``label``, then one per property the class uses.

Values: literals by their lexical form (integers, decimals and booleans as numbers and booleans in the
graph formats); links to other things by the thing's full IRI (joinable with the ``iri`` column); other
IRIs, which are vocabulary terms such as the status xs:Completed, as CURIEs. Several values of one property
are joined with " | " (sorted, so exports are stable). xs:Mention things (one per occurrence in the text,
the bulk of the store) and the xs:mention links to them are left out unless ``with_mentions``.

Why SPARQL over pyoxigraph and not rdflib: it reads the whole store in well under a second.
"""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import networkx as nx
import pyoxigraph as ox

from kg.files import swap_into_place
from kg.ontology import ONTOLOGY_TTL
from kg.store import ONTOLOGY_GRAPH, PREFIX_MAP, UNION_GRAPH, open_store
from kg.vocab import XS_IRI

GRAPH_FORMATS = ("graphml", "gexf")
TABLE_FORMATS = ("csv",)
SEPARATOR = " | "

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {f"{_XSD}{t}" for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                         "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                         "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT_TYPES = {f"{_XSD}{t}" for t in ("decimal", "double", "float")}
_MENTION = f"{XS_IRI}Mention"
_MENTION_LINK = f"{XS_IRI}mention"

Value = str | int | float | bool


@dataclass
class Thing:
    """One node: its class (local name), label, literal/vocabulary values and links, keyed by CURIE."""

    iri: str
    cls: str
    label: str = ""
    values: dict[str, list[Value]] = field(default_factory=lambda: defaultdict(list))
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def curie(iri: str) -> str:
    """``xs:startDate`` for a term of a project prefix, the IRI unchanged otherwise."""
    for prefix, ns in PREFIX_MAP.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _literal_value(lit: ox.Literal) -> Value:
    """A literal as a GraphML/GEXF-friendly Python value; the lexical form when it does not parse."""
    dt = lit.datatype.value
    try:
        if dt in _INTEGER_TYPES:
            return int(lit.value)
        if dt in _FLOAT_TYPES:
            return float(lit.value)
        if dt == f"{_XSD}boolean":
            return lit.value in ("true", "1")
    except ValueError:
        pass
    return lit.value


def _term_id(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _subclass_depth() -> dict[str, int]:
    """How deep each xs: class sits under other xs: classes (xs:InspectionTeam 1, xs:Unit 0)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for t in ox.parse(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == _RDFS_SUBCLASS and isinstance(t.object, ox.NamedNode):
            parents[t.subject.value].add(t.object.value)

    def depth(cls: str, seen: frozenset[str] = frozenset()) -> int:
        ups = [p for p in parents.get(cls, ()) if p.startswith(XS_IRI) and p not in seen]
        return 1 + max(depth(p, seen | {cls}) for p in ups) if ups else 0

    return {c: depth(c) for c in parents}


def _data_graphs(store: ox.Store) -> list[Any]:
    """The graphs that hold extracted data: default graph and report/entity graphs, not ontology or merge."""
    return [ox.DefaultGraph(), *(g for g in store.named_graphs() if g not in (UNION_GRAPH, ONTOLOGY_GRAPH))]


def collect(store_dir: Path, *, with_mentions: bool = False) -> dict[str, Thing]:
    """Every thing in the store with its values and links (see the module doc for what counts)."""
    store = open_store(store_dir)
    # One pass over the data (reading the store, not the logic, is what takes the time): types first.
    solutions = store.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", default_graph=_data_graphs(store))
    triples = [(_term_id(sol["s"]), sol["p"].value, sol["o"]) for sol in solutions]
    types: dict[str, list[str]] = defaultdict(list)
    for s, p, o in triples:
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode) and o.value.startswith(XS_IRI):
            types[s].append(o.value)
    depth = _subclass_depth()
    things: dict[str, Thing] = {}
    for iri, classes in types.items():
        if not with_mentions and _MENTION in classes:
            continue
        best = max(sorted(classes), key=lambda c: depth.get(c, 0))
        things[iri] = Thing(iri, best[len(XS_IRI):])

    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in triples:
        thing = things.get(s)
        if thing is None or p == _RDF_TYPE:
            continue
        if p == _RDFS_LABEL and isinstance(o, ox.Literal):
            labels[thing.iri].append((o.language or "", o.value))
            continue
        key = curie(p)
        if isinstance(o, ox.Literal):
            thing.values[key].append(_literal_value(o))
        elif _term_id(o) in things:
            thing.links[key].append(_term_id(o))
        elif p == _MENTION_LINK or (isinstance(o, ox.NamedNode) and types.get(o.value)):
            continue  # a link to a thing left out (a mention): not a value either
        else:
            thing.values[key].append(curie(_term_id(o)))
    for iri, ls in labels.items():  # Chinese label first, then any; stable whatever the store's order
        things[iri].label = sorted(ls, key=lambda l: (l[0] != "zh", l[0], l[1]))[0][1]
    return things


def _joined(values: Iterable[Value]) -> str:
    return SEPARATOR.join(sorted({str(v).lower() if isinstance(v, bool) else str(v) for v in values}))


def to_networkx(store_dir: Path, *, with_mentions: bool = False) -> nx.MultiDiGraph:
    """The store as a property graph (nodes = things, edges = links between them); see the module doc.

    Every attribute value is a str, int, float or bool (GraphML and GEXF allow nothing else, and one type
    per attribute): a property with several values on any node, or mixed types, becomes a joined string
    on every node.
    """
    things = collect(store_dir, with_mentions=with_mentions)
    kinds: dict[str, set[type]] = defaultdict(set)
    for thing in things.values():
        for key, vals in thing.values.items():
            kinds[key].update(type(v) for v in vals)
            if len(set(vals)) > 1:
                kinds[key].add(list)
    g = nx.MultiDiGraph()
    for thing in things.values():
        attrs: dict[str, Value] = {"label": thing.label, "class": thing.cls}
        for key, vals in thing.values.items():
            attrs[key] = vals[0] if len(kinds[key]) == 1 else _joined(vals)
        g.add_node(thing.iri, **attrs)
    for thing in things.values():
        for key, targets in thing.links.items():
            for target in sorted(set(targets)):
                g.add_edge(thing.iri, target, key=key, predicate=key, label=key)
    return g


def tables(store_dir: Path, *, with_mentions: bool = False) -> dict[str, tuple[list[str], list[list[str]]]]:
    """One table per class: class local name → (header, rows), rows sorted by IRI; see the module doc."""
    by_class: dict[str, list[Thing]] = defaultdict(list)
    for thing in collect(store_dir, with_mentions=with_mentions).values():
        by_class[thing.cls].append(thing)
    out: dict[str, tuple[list[str], list[list[str]]]] = {}
    for cls, members in sorted(by_class.items()):
        columns = sorted({k for t in members for k in (*t.values, *t.links)})
        rows = []
        for t in sorted(members, key=lambda t: t.iri):
            cells = {**{k: _joined(v) for k, v in t.values.items()}, **{k: _joined(v) for k, v in t.links.items()}}
            rows.append([t.iri, t.label, *(cells.get(c, "") for c in columns)])
        out[cls] = (["iri", "label", *columns], rows)
    return out


# -- writing ----------------------------------------------------------------------------------------

def graph_bytes(g: nx.MultiDiGraph, fmt: str) -> bytes:
    """GraphML or GEXF (UTF-8) of a graph from to_networkx."""
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; expected one of {', '.join(GRAPH_FORMATS)}")
    buf = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, buf, encoding="utf-8")
    return buf.getvalue()


def write_csv_tables(store_dir: Path, out_dir: Path, *, with_mentions: bool = False) -> dict[str, int]:
    """Write CLASS.csv per class into ``out_dir`` (UTF-8, header row); returns rows written per file.

    The tables are written into a temporary sibling folder which then replaces ``out_dir``, so a reader
    never sees a half-written set. An existing ``out_dir`` is replaced only if it holds nothing but .csv
    files (an earlier export); FileExistsError otherwise.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(not (p.is_file() and p.suffix == ".csv")
                                                           for p in out_dir.iterdir())):
        raise FileExistsError(f"{out_dir} exists and holds more than CSV files; refusing to replace it "
                              "(choose an empty or new folder)")
    data = tables(store_dir, with_mentions=with_mentions)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    counts: dict[str, int] = {}
    try:
        tmp.chmod(0o755)
        for cls, (header, rows) in data.items():
            name = f"{cls}.csv"
            with open(tmp / name, "w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows(rows)
            counts[name] = len(rows)
        swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


__all__ = ["GRAPH_FORMATS", "TABLE_FORMATS", "SEPARATOR", "Thing", "collect", "curie", "to_networkx", "tables",
           "graph_bytes", "write_csv_tables"]
