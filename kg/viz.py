"""Graph views read from the store: what ``kg viz`` draws and what the build writes as HTML.

A view is plain data (:class:`View`): nodes (id = IRI, Chinese label, class, other names, a few mentions
with their sentences), edges (predicate CURIE and its Chinese label) and what was left out. ``kg.render``
turns it into a page. Four views:

* :func:`overview` — reports, their inspections, teams, inspected units and publishers, with counts per
  report (problems, completed / in progress, documents cited) — tens of nodes per report, never thousands;
* :func:`report_view` — every thing one report names and the links between them;
* :func:`focus_view` — the neighbourhood of one thing (by name or IRI) up to a depth;
* :func:`construct_view` — the triples of a SPARQL CONSTRUCT.

The selections are SPARQL on the store; the details of each chosen node are read with
``quads_for_pattern`` (one index lookup per node, faster than a SPARQL DESCRIBE). Above ``max_nodes`` a
view keeps the most connected nodes (for a focus view: the nearest, then the most connected) and records
how many of each class it left out.
"""
from __future__ import annotations

import hashlib
import random
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from kg import ontology
from kg.collector import collector_paused
from kg.rdf import GraphText
from kg.rdftext import Triple, literal_parts
from kg.store import PREFIX_MAP, UNION_GRAPH, run_query, _dataset
from kg.vocab import XS_IRI, XSR_IRI

MAX_MENTIONS = 3  # sentences shown per node
_SCAN_MENTIONS = 12  # mentions read per node to find them (distinct sentences, in document order)
DEFAULT_MAX_NODES = 500

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
DCT_TITLE = "http://purl.org/dc/terms/title"
XS_MENTION = XS_IRI + "mention"
# Most specific first: an InspectionTeam is also a Unit; the first class found names the node's class.
CLASSES = ("Report", "Inspection", "InspectionTeam", "Unit", "Person", "Post", "Document", "Program",
           "Deadline", "Problem")
OTHER = "Other"  # an IRI in a CONSTRUCT result that is none of the above
_CLASS_IRIS = {XS_IRI + c: c for c in CLASSES}
_NOT_EDGES = {RDF_TYPE, XS_MENTION, XS_IRI + "inReport"}
_NAMES = {RDFS_LABEL, SKOS_ALT}
_HIDDEN_INFO = {XS_IRI + "start", XS_IRI + "end", XS_IRI + "inReport"}
_NOT_INFO = _NAMES | _NOT_EDGES | _HIDDEN_INFO  # predicates never shown as a row of the panel
_LABELS = (RDFS_LABEL, DCT_TITLE, XS_IRI + "dueDate")  # where a node's label is read, in this order
_SENTENCE, _SURFACE, _IN_REPORT, _START = (XS_IRI + n for n in ("sentence", "surface", "inReport", "start"))
_CLASS_TERMS = tuple((XS_IRI + c, c) for c in CLASSES)


class ViewError(ValueError):
    """A view cannot be made (unknown report, no such name, not a CONSTRUCT); the message says why."""


@dataclass
class Mention:
    sentence: str
    surface: str
    start: int  # of the surface inside ``sentence`` (-1: not found in it)
    report: str  # the report's label, e.g. "000_….txt 第1篇"
    file: str  # the source file

    def as_json(self) -> dict[str, Any]:
        return {"s": self.sentence, "m": self.surface, "a": self.start, "r": self.report, "f": self.file}


@dataclass
class Node:
    id: str
    label: str
    cls: str  # class local name (Unit, Problem, …) or "Other"
    alt: list[str] = field(default_factory=list)
    info: list[tuple[str, str]] = field(default_factory=list)  # (property zh label, value) shown in the panel
    mentions: list[Mention] = field(default_factory=list)
    n_mentions: int = 0
    caption: str | None = None  # drawn under the label (counts in the overview)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "cls": self.cls, "alt": self.alt,
                "info": [list(kv) for kv in self.info], "mentions": [m.as_json() for m in self.mentions],
                "nm": self.n_mentions, "cap": self.caption}


@dataclass
class Edge:
    source: str
    target: str
    predicate: str  # CURIE (several joined with " / ")
    label: str  # the ontology's Chinese label(s)


@dataclass
class View:
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    total: int = 0  # nodes before the limit
    omitted: dict[str, int] = field(default_factory=dict)  # class → nodes left out
    note: str | None = None  # e.g. "3 things are named 张三; showing the most connected"

    @property
    def n_omitted(self) -> int:
        return sum(self.omitted.values())


# -- small helpers ------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _natural(text: str) -> tuple:
    """A sort key that puts 第2篇 before 第10篇 (memoised: it sorts every mention by its report's label)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


@lru_cache(maxsize=4096)
def curie(iri: str) -> str:
    """``xs:team`` for the IRI of xs:team (memoised: every edge and panel row of every page asks)."""
    for prefix, ns in PREFIX_MAP.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@lru_cache(maxsize=4096)
def zh(iri: str) -> str:
    """The ontology's Chinese label of a term, else its CURIE (memoised, as ``curie``)."""
    return ontology.label(iri, "zh") or curie(iri)  # type: ignore[arg-type]


def class_label(cls: str) -> str:
    return zh(XS_IRI + cls) if cls != OTHER else "其他"


def slug(report_iri: str) -> str:
    """A report's page name: the last segment of its IRI (percent-encoded, so no / or \\ in it), cut
    with a hash when long, as file names have at most 255 bytes (a 200-character Chinese file name becomes
    1,800 characters of %XX)."""
    name = report_iri.rstrip("/").rsplit("/", 1)[-1]
    if len(name) <= MAX_SLUG:
        return name
    head = re.sub(r"%[0-9A-Fa-f]?$", "", name[:MAX_SLUG - 17])  # never half an %XX escape
    return f"{head}-{hashlib.sha1(name.encode()).hexdigest()[:16]}"


MAX_SLUG = 120


def _select(store: ox.Store, sparql: str, **subs: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts of pyoxigraph terms (over the union of the reports)."""
    substitutions = {ox.Variable(k): v for k, v in subs.items()} or None
    res = store.query(sparql, prefixes=PREFIX_MAP, substitutions=substitutions, **_dataset(store))
    names = [v.value for v in res.variables]
    return [{n: sol[n] for n in names} for sol in res]


def _graphs_for(store: ox.Store) -> ox.NamedNode | None:
    """Where to read a node's triples: the materialized union when there is one, else every graph."""
    return UNION_GRAPH if store.contains_named_graph(UNION_GRAPH) else None


# A view reads each object as N-Triples text (``kg.rdftext``): the build's graphs are text already, and a
# store's terms become text in Rust (``str``); only the few values a page shows are read out of it.

def _value(term: str) -> str:
    """An IRI's value, a literal's lexical form, a blank node's name, from its N-Triples text."""
    if term[0] == "<":
        return term[1:-1]
    if term[0] == "_":
        return term[2:]
    return literal_parts(term)[0]


def _is_iri(term: str) -> bool:
    return term[0] == "<"


def _is_literal(term: str) -> bool:
    return term[0] == '"'


def _triples(store: ox.Store, node: str, graph: Any) -> set[tuple[str, str]]:
    out = set()
    for q in store.quads_for_pattern(ox.NamedNode(node), None, None, graph):
        out.add((q.predicate.value, str(q.object)))
    return out


def _literal_text(term: Any) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return zh(term.value) if ontology.label(term.value, "zh") else curie(term.value)  # type: ignore[arg-type]
    return str(term)


# -- describing nodes ----------------------------------------------------------------------------------

def _mention_order(found: tuple) -> tuple:
    """Mentions in the view's own report first, then by report (naturally) and by place in the text."""
    return found[0], found[1]


class _Describer:
    """Reads what a view needs about its nodes; remembers report labels and mention details."""

    def __init__(self, store: ox.Store | None, preload: bool = False, *,
                 triples: dict[str, list] | None = None) -> None:
        """``triples``: every subject's (predicate, object) pairs, read already (``_QuadIndex``): no store."""
        self.store = store
        self.graph = _graphs_for(store) if store is not None else None
        self.cache: dict[str, Any] = {}
        self.reports: dict[str, tuple[str, str]] = {}
        self.complete = preload or triples is not None  # every subject's triples are in the cache
        self.prefer: str | None = None  # a report whose mentions come first (the report view's own)
        if triples is not None:
            self.cache = triples
        elif preload:  # one pass over the store: cheaper than a lookup per node when drawing many views
            cache: dict[str, list] = defaultdict(list)  # a list: the build's graphs share no triple
            for q in self.store.quads_for_pattern(None, None, None, self.graph):
                if isinstance(q.subject, ox.NamedNode):
                    cache[q.subject.value].append((q.predicate.value, str(q.object)))
            self.cache = dict(cache)

    def triples(self, node: str) -> set:
        if self.complete:
            return self.cache.get(node, ())
        if node not in self.cache:
            self.cache[node] = _triples(self.store, node, self.graph)
        return self.cache[node]

    def cls(self, node: str) -> str | None:
        types = {o[1:-1] for p, o in self.triples(node) if p == RDF_TYPE and _is_iri(o)}
        return next((c for term, c in _CLASS_TERMS if term in types), None)

    def report(self, iri: str) -> tuple[str, str]:
        if iri not in self.reports:
            t = self.triples(iri)
            label = next((_value(o) for p, o in t if p == RDFS_LABEL), slug(iri))
            file = next((_value(o) for p, o in t if p == XS_IRI + "sourceFile"), "")
            self.reports[iri] = (label, file)
        return self.reports[iri]

    def label(self, node: str) -> str:
        """The first of ``_LABELS`` the node has: its Chinese value first, then the smallest."""
        best: dict[str, tuple[bool, str]] = {}
        for p, o in self.triples(node):
            if p in _LABELS and _is_literal(o):
                value, language, _datatype = literal_parts(o)
                key = (language != "zh", value)
                if p not in best or key < best[p]:
                    best[p] = key
        for p in _LABELS:
            if p in best:
                return best[p][1]
        return curie(node)

    def node(self, iri: str, cls: str | None = None) -> Node:
        """The node with its names, panel rows (sorted) and first mentions, read in one pass."""
        cls = cls or self.cls(iri) or OTHER
        label = self.label(iri)
        names: set[str] = set()
        info: list[tuple[str, str]] = []
        mentions: list[str] = []
        for p, o in self.triples(iri):
            if p == XS_MENTION:
                if _is_iri(o):
                    mentions.append(o[1:-1])
            elif p in _NAMES:
                if _is_literal(o):
                    names.add(_value(o))
            elif p in _NOT_INFO:
                continue
            elif _is_literal(o):
                info.append((zh(p), _value(o)))
            elif _is_iri(o):
                term = ontology.label(o[1:-1], "zh")  # type: ignore[arg-type]
                if term:  # a term of the ontology (a status, a kind of inspection): shown by its label
                    info.append((zh(p), term))
        names.discard(label)
        info.sort()
        mentions.sort()
        return Node(iri, label, cls, sorted(names), info, self.mentions(mentions), len(mentions))

    def mentions(self, iris: list[str]) -> list[Mention]:
        found: list[tuple[tuple, int, Mention]] = []
        for m in iris[:_SCAN_MENTIONS]:
            d = dict(self.triples(m))
            sentence = d.get(_SENTENCE)
            if sentence is None:
                continue
            text = _value(sentence)
            surface = _value(d[_SURFACE]) if _SURFACE in d else ""
            rep = d.get(_IN_REPORT)
            where = None if rep is None else _value(rep)
            label, file = self.report(where) if rep is not None and _is_iri(rep) else ("", "")
            start = int(_value(d[_START])) if _START in d else 0
            key = (rep is None or where != self.prefer, _natural(label))
            found.append((key, start, Mention(text, surface, text.find(surface) if surface else -1, label, file)))
        found.sort(key=_mention_order)
        out, seen = [], set()
        for _label, _start, mention in found:
            if mention.sentence not in seen:
                seen.add(mention.sentence)
                out.append(mention)
        return out[:MAX_MENTIONS]

    def links(self, node: str) -> Iterable[tuple[str, str]]:
        """(predicate, object IRI) of the node's links to other things."""
        for p, o in self.triples(node):
            if p not in _NOT_EDGES and _is_iri(o):
                target = o[1:-1]
                if target.startswith(XSR_IRI):
                    yield p, target


def _edges_among(d: _Describer, ids: Iterable[str]) -> list[Edge]:
    keep = set(ids)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in keep:
        for p, o in d.links(s):
            if o in keep and o != s:
                pairs[(s, o)].add(p)
    return [Edge(s, o, " / ".join(sorted(curie(p) for p in ps)), " / ".join(sorted(zh(p) for p in ps)))
            for (s, o), ps in sorted(pairs.items())]


def _limit(view: View, max_nodes: int | None, rank: dict[str, tuple] | None = None) -> View:
    """Keep the ``max_nodes`` best-ranked nodes (default rank: most links in the view) and say what went."""
    view.total = len(view.nodes)
    if max_nodes is None or len(view.nodes) <= max_nodes:
        return view
    degree: Counter[str] = Counter()
    for e in view.edges:
        degree[e.source] += 1
        degree[e.target] += 1
    order = {c: i for i, c in enumerate((*CLASSES, OTHER))}
    key = (lambda n: (*rank[n.id], -degree[n.id], n.id)) if rank else (lambda n: (-degree[n.id], order[n.cls], n.id))
    ranked = sorted(view.nodes, key=key)
    kept = {n.id for n in ranked[:max_nodes]}
    view.omitted = dict(Counter(n.cls for n in ranked[max_nodes:]))
    view.nodes = [n for n in view.nodes if n.id in kept]
    view.edges = [e for e in view.edges if e.source in kept and e.target in kept]
    return view


def _view(d: _Describer, title: str, ids: Iterable[str], max_nodes: int | None,
          rank: dict[str, tuple] | None = None, edges: list[Edge] | None = None) -> View:
    """A view of ``ids``: the limit is applied on the cheap link structure, then the kept nodes described."""
    ids = list(dict.fromkeys(ids))
    classes = {i: (d.cls(i) or OTHER) for i in ids}
    edges = _edges_among(d, ids) if edges is None else edges
    skeleton = View(title, [Node(i, "", classes[i]) for i in ids], edges)
    _limit(skeleton, max_nodes, rank)
    skeleton.nodes = [d.node(n.id, n.cls) for n in skeleton.nodes]
    return skeleton


# -- the four views ------------------------------------------------------------------------------------

_OVERVIEW = """
SELECT ?r ?i ?team ?unit ?pub WHERE {
  ?r a xs:Report .
  OPTIONAL { ?r xs:reportsOn ?i . OPTIONAL { ?i xs:team ?team } OPTIONAL { ?i xs:inspectedUnit ?unit } }
  OPTIONAL { ?r dcterms:publisher ?pub }
}"""
_PROBLEM_COUNTS = """
SELECT ?r (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?done) AS ?completed) (COUNT(DISTINCT ?open) AS ?in_progress)
WHERE { ?p a xs:Problem ; xs:report ?r .
  OPTIONAL { ?p xs:status xs:Completed . BIND(?p AS ?done) }
  OPTIONAL { ?p xs:status xs:InProgress . BIND(?p AS ?open) } } GROUP BY ?r"""
_DOCUMENT_COUNTS = "SELECT ?r (COUNT(DISTINCT ?d) AS ?n) WHERE { ?r a xs:Report ; xs:cites ?d } GROUP BY ?r"


def overview(store: ox.Store, max_nodes: int | None = DEFAULT_MAX_NODES, title: str = "巡视整改知识图谱 · 总览") -> View:
    """Reports, inspections, teams, inspected units and publishers, with counts on the report nodes."""
    d = _Describer(store)
    rows = _select(store, _OVERVIEW)
    ids: list[str] = []
    for row in rows:
        ids.extend(t.value for t in row.values() if isinstance(t, ox.NamedNode))
    problems = {r["r"].value: r for r in _select(store, _PROBLEM_COUNTS)}
    documents = {r["r"].value: int(r["n"].value) for r in _select(store, _DOCUMENT_COUNTS)}
    view = _view(d, title, sorted(set(ids)), max_nodes)
    inspections: Counter[str] = Counter()
    for row in {(r["i"].value, r.get("team"), r.get("unit")) for r in rows if r.get("i") is not None}:
        for t in row[1:]:
            if t is not None:
                inspections[t.value] += 1
    unit_of = {r["r"].value: (r.get("unit") or r.get("pub")) for r in rows}
    names = {n.id: n.label for n in view.nodes}
    for n in view.nodes:
        if n.cls == "Report":
            unit = unit_of.get(n.id)
            if unit is not None and unit.value in names:  # "辽宁省商务厅 整改通报" reads better than a file name
                n.alt = [n.label, *n.alt]
                n.label = f"{names[unit.value]} 整改通报"
            p = problems.get(n.id)
            n_p, done, open_ = (int(p["n"].value), int(p["completed"].value), int(p["in_progress"].value)) if p else (0, 0, 0)
            n_d = documents.get(n.id, 0)
            n.caption = f"问题 {n_p}（已完成 {done} · 整改中 {open_}）· 文件 {n_d}"
            n.info = [("反馈问题", str(n_p)), ("已完成", str(done)), ("整改中", str(open_)), ("引用文件", str(n_d)),
                      *n.info]
        elif n.id in inspections:
            n.caption = f"巡视/巡察 {inspections[n.id]} 次"
            n.info = [("巡视/巡察次数", str(inspections[n.id])), *n.info]
    return view


def _report_iri(store: ox.Store, report: str) -> str:
    iri = report if report.startswith(("http://", "https://")) else f"{XSR_IRI}report/{report}"
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        node = None
    if node is None or not bool(store.query("ASK { ?r a xs:Report }", prefixes=PREFIX_MAP,
                                            substitutions={ox.Variable("r"): node}, **_dataset(store))):
        raise ViewError(f"no report {report!r} in the store; list them with "
                        "kg query \"SELECT ?r ?label WHERE { ?r a xs:Report ; rdfs:label ?label }\" "
                        "(the id is the last part of the IRI, e.g. 000_27b93d8875c74f18-1)")
    return iri


_REPORT_THINGS = """
SELECT DISTINCT ?x WHERE { GRAPH %s {
  { ?x xs:mention ?m } UNION { ?x a ?c FILTER(?c != xs:Mention) }
  UNION { ?x ?p ?y FILTER(isIRI(?y) && ?p NOT IN (rdf:type, xs:mention, xs:inReport)) }
  UNION { ?y ?p ?x FILTER(isIRI(?x) && ?p NOT IN (rdf:type, xs:mention, xs:inReport)) }
  FILTER(STRSTARTS(STR(?x), STR(xsr:))) } }"""


def report_view(store: ox.Store, report: str, max_nodes: int | None = DEFAULT_MAX_NODES, *,
                _describer: _Describer | None = None) -> View:
    """Everything one report names (a mention in it, or a statement in its graph) and the links between."""
    iri = _report_iri(store, report)
    # a validated IRI from the store (ox.NamedNode checks it), so it can be written into the query
    res = store.query(_REPORT_THINGS % str(ox.NamedNode(iri)), prefixes=PREFIX_MAP)
    things = {sol["x"].value for sol in res} | {iri}
    return _report_view(_describer or _Describer(store), iri, things, max_nodes)


def _report_view(d: _Describer, iri: str, things: set[str], max_nodes: int | None) -> View:
    d.prefer = iri
    label, _file = d.report(iri)
    rank = {i: (0 if i == iri else 1,) for i in things}  # the report itself always stays
    return _view(d, f"整改通报 · {label}", sorted(things), max_nodes, rank)


def memory_store(quads: Iterable[ox.Quad] | bytes) -> ox.Store:
    """An in-memory store of ``quads``: reading it is an order of magnitude faster than reading the store on
    disk, for drawing many views of a graph that fits in memory (``kg viz``, the tests, the benches).

    ``quads`` may also be their N-Quads (as ``ox.serialize`` writes them): these load without holding the
    GIL, so a thread can fill the store while Python goes on (Python quads hold it, being read one by one)."""
    store = ox.Store()
    if isinstance(quads, (bytes, bytearray)):
        store.bulk_load(bytes(quads), ox.RdfFormat.N_QUADS, lenient=True)  # the build's own IRIs: checked already
    else:
        store.bulk_extend(quads)
    return store


def report_views(store: ox.Store | Iterable[ox.Quad],
                 max_nodes: int | None = DEFAULT_MAX_NODES) -> Iterable[tuple[str, View]]:
    """(slug, view) for every report in the store, reading the store once for all of them.

    ``store`` may also be the build's quads: they are then read in Python (``_QuadIndex``), which gives the
    same views without loading a store and asking it a query per report."""
    if not isinstance(store, ox.Store):
        quads = list(store)
        index = _QuadIndex.of(quads)
        if index is not None:
            d = _Describer(None, triples=index.triples)
            for iri in sorted(index.reports):
                yield slug(iri), _report_view(d, iri, index.things.get(iri, set()) | {iri}, max_nodes)
            return
        store = memory_store(quads)
    d = _Describer(store, preload=True)
    for row in sorted(r["r"].value for r in _select(store, "SELECT DISTINCT ?r WHERE { ?r a xs:Report }")):
        yield slug(row), report_view(store, row, max_nodes, _describer=d)


_XS_MENTION_CLASS = XS_IRI + "Mention"
TextQuad = tuple[str, str, str, str | None]  # subject, predicate, object, graph (None: the default graph)


def _as_text(quads: Iterable[ox.Quad]) -> Iterator[TextQuad]:
    """pyoxigraph quads as N-Triples text (``kg.rdftext``), which ``_QuadIndex`` reads."""
    for q in quads:
        g = q.graph_name
        yield str(q.subject), str(q.predicate), str(q.object), str(g) if isinstance(g, ox.NamedNode) else None


@dataclass
class _QuadIndex:
    """What ``report_views`` asks a store, answered from quads (as N-Triples text) in one pass.

    ``triples``: each IRI subject's (predicate, object) pairs over all graphs (``_Describer``'s preload),
    the objects as N-Triples text; ``things``: per named graph, the IRIs
    ``_REPORT_THINGS`` selects in it; ``reports``: the IRIs typed xs:Report. Quads are a set in a store, so
    repeats are dropped here too."""

    triples: dict[str, list[tuple[str, str]]]
    things: dict[str, set[str]]
    reports: set[str]

    @classmethod
    def of(cls, quads: Iterable[ox.Quad]) -> "_QuadIndex | None":
        return cls.of_text((graph, [q[:3] for q in run]) for graph, run in groupby(_as_text(quads), itemgetter(3)))

    @classmethod
    def of_text(cls, graphs: Iterable[tuple[str | None, Iterable[Triple]]]) -> "_QuadIndex | None":
        """The index of triples (N-Triples text) in their graphs: (graph IRI's text or None for the default
        graph, its triples), a graph possibly in several runs. None when the store's answers could differ
        from a plain reading: the quads hold UNION_GRAPH (a store written by ``kg.store.save``) or a report
        that is a blank node.

        One pass, shaped for the common triple (a mention's literal detail, after its mention's others):
        the rarer tests (types, links) only where the object is an IRI."""
        triples: dict[str, list] = defaultdict(list)
        things: dict[str, set[str]] = defaultdict(set)
        reports: set[str] = set()
        seen: dict[str | None, dict] = {}  # each graph's triples so far: a store holds each once
        union, report_class = f"<{UNION_GRAPH.value}>", XS_IRI + "Report"
        for graph, run in graphs:
            if graph == union:
                return None
            unique = dict.fromkeys(run)
            if graph in seen:
                unique = {t: None for t in unique if t not in seen[graph]}
                seen[graph].update(unique)
            else:
                seen[graph] = unique
            found = things[graph[1:-1]] if graph is not None else None  # the default graph's: no report's
            last, own = None, None  # the last triple's subject and its pairs: a mention's details come together
            for s, p, o in unique:
                pred = p[1:-1]
                if o[0] == "<":
                    target = o[1:-1]
                    if pred in _NOT_EDGES:
                        if pred == RDF_TYPE and target == report_class:
                            if s[0] != "<":
                                return None
                            reports.add(s[1:-1])
                        thing = pred == XS_MENTION or (pred == RDF_TYPE and target != _XS_MENTION_CLASS)
                    else:  # a link: both ends are things of the graph
                        thing = True
                        if found is not None and target.startswith(XSR_IRI):
                            found.add(target)
                else:
                    thing = pred == XS_MENTION or pred == RDF_TYPE
                if s is not last:
                    if s[0] != "<":
                        continue
                    last, subject = s, s[1:-1]
                    own = triples[subject]
                own.append((pred, o))
                if thing and found is not None and subject.startswith(XSR_IRI):
                    found.add(subject)
        return cls(dict(triples), {graph: found for graph, found in things.items() if found}, reports)


class SharedThings:
    """The graph of things shared across reports (kg.rdf.ENTITIES_GRAPH), read once, to draw report views
    from one report's graph at a time (``report_view_of_graph``): what a streaming build's page writer holds."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        index = _QuadIndex.of(quads)
        if index is None:
            raise ViewError("the shared things' graph holds the union graph or a blank-node report")
        self.triples = index.triples


class _Overlay:
    """One report's triples over the shared things' (``_Describer`` asks only ``get``): only the triples of
    a thing both hold are copied, once (a node's triples are asked for several times per view)."""

    def __init__(self, below: dict[str, list], above: dict[str, list]) -> None:
        self.below, self.above = below, above
        self.merged: dict[str, list] = {}

    def get(self, node: str, default: Any = ()) -> Any:
        shared, own = self.below.get(node), self.above.get(node)
        if shared is None:
            return default if own is None else own
        if own is None:
            return shared
        merged = self.merged.get(node)
        if merged is None:
            merged = self.merged[node] = shared + own
        return merged


def report_view_of_graph(graph: Iterable[ox.Quad] | GraphText, shared: SharedThings,
                         max_nodes: int | None = DEFAULT_MAX_NODES) -> View:
    """The view of the report whose named graph is ``graph`` (its quads, or the build's text of it), with
    ``shared`` for the things it names that other reports name too: the view ``report_view`` draws from a
    store of these two graphs."""
    with collector_paused():
        if isinstance(graph, GraphText):
            index = _QuadIndex.of_text([(graph.graph, graph)])
        else:
            index = _QuadIndex.of(graph)
        if index is None or len(index.reports) != 1:
            raise ViewError("not the graph of one report")
        iri, = index.reports
        describer = _Describer(None, triples=_Overlay(shared.triples, index.triples))  # type: ignore[arg-type]
        return _report_view(describer, iri, index.things.get(iri, set()) | {iri}, max_nodes)


def find_things(store: ox.Store, name: str) -> list[str]:
    """IRIs of the things whose rdfs:label or skos:altLabel is ``name`` (any language, or none)."""
    graph = _graphs_for(store)
    found = set()
    for pred in (RDFS_LABEL, SKOS_ALT):
        for lit in (ox.Literal(name, language="zh"), ox.Literal(name), ox.Literal(name, language="en")):
            for q in store.quads_for_pattern(None, ox.NamedNode(pred), lit, graph):
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(XSR_IRI):
                    found.add(q.subject.value)
    return sorted(found)


def focus_view(store: ox.Store, label_or_iri: str, depth: int = 2, max_nodes: int | None = DEFAULT_MAX_NODES) -> View:
    """The things within ``depth`` links of one thing (links followed both ways); nearest kept first."""
    d = _Describer(store)
    note = None
    if label_or_iri.startswith(("http://", "https://")):
        if not d.triples(label_or_iri):
            raise ViewError(f"nothing in the store has the IRI {label_or_iri}")
        start = label_or_iri
    else:
        matches = find_things(store, label_or_iri)
        if not matches:
            raise ViewError(f"nothing is named {label_or_iri!r} (rdfs:label or skos:altLabel); try "
                            f"kg query provenance -p label=… or a full IRI")
        degree = {m: sum(1 for _ in d.links(m)) + len(_incoming(d, m)) for m in matches}
        start = max(matches, key=lambda m: (degree[m], m))
        if len(matches) > 1:
            note = (f"{len(matches)} 个节点名为「{label_or_iri}」，显示连接最多的一个（{curie(start)}）；其余："
                    + "、".join(curie(m) for m in matches if m != start))
    dist = {start: 0}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        if dist[n] >= depth:
            continue
        for nb in [o for _p, o in sorted(d.links(n))] + _incoming(d, n):
            if nb not in dist:
                dist[nb] = dist[n] + 1
                queue.append(nb)
    view = _view(d, f"关系 · {d.label(start)}（{depth} 层）", list(dist), max_nodes,
                 {i: (dist[i],) for i in dist})
    view.note = note
    return view


def _incoming(d: _Describer, node: str) -> list[str]:
    """The things linking to ``node`` (an index lookup on the object)."""
    out = set()
    for q in d.store.quads_for_pattern(None, None, ox.NamedNode(node), d.graph):
        if q.predicate.value not in _NOT_EDGES and isinstance(q.subject, ox.NamedNode):
            out.add(q.subject.value)
    return sorted(out)


def construct_view(store: ox.Store, sparql: str, max_nodes: int | None = DEFAULT_MAX_NODES,
                   title: str = "CONSTRUCT") -> View:
    """The triples a CONSTRUCT (or DESCRIBE) gives: IRIs become nodes (labelled from the store), links
    between them edges; literal values show in the panel."""
    try:
        res = store.query(sparql, prefixes=PREFIX_MAP, **_dataset(store))
    except SyntaxError as e:
        raise ViewError(f"SPARQL syntax error: {e}") from None
    if not isinstance(res, ox.QueryTriples):
        raise ViewError("--query needs a CONSTRUCT or DESCRIBE query (it gives a graph); this one gives a table")
    ids: list[str] = []
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    extra: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for t in res:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        s = t.subject.value
        ids.append(s)
        p = t.predicate.value
        if isinstance(t.object, ox.NamedNode) and p != RDF_TYPE and not ontology.label(t.object.value, "zh"):  # type: ignore[arg-type]
            ids.append(t.object.value)
            if t.object.value != s:
                pairs[(s, t.object.value)].add(p)
        elif p not in _NAMES and p not in _HIDDEN_INFO and p != XS_MENTION:
            extra[s].append((zh(p), _literal_text(t.object)))
    edges = [Edge(s, o, " / ".join(sorted(curie(p) for p in ps)), " / ".join(sorted(zh(p) for p in ps)))
             for (s, o), ps in sorted(pairs.items())]
    d = _Describer(store)
    view = _view(d, title, ids, max_nodes, edges=edges)
    for n in view.nodes:
        known = set(n.info)
        n.info += [kv for kv in dict.fromkeys(extra.get(n.id, ())) if kv not in known]
    return view


def synthetic_view(n_nodes: int, *, seed: int = 0, mentions: int = 2) -> View:
    """A made-up view of ``n_nodes`` nodes (about 1.5 edges each, hubs included) for benchmarks."""
    rng = random.Random(seed)
    nodes, edges = [], []
    preds = [("xs:inspectedUnit", "被巡视单位"), ("org:holds", "担任"), ("xs:cites", "引用文件"), ("xs:partOf", "所属")]
    for i in range(n_nodes):
        cls = CLASSES[i % len(CLASSES)]
        label = f"节点{i}号单位" if cls == "Unit" else f"{class_label(cls)}{i}"
        ms = [Mention(f"第{k}句：{label}在此被提到，含有<script>alert({i})</script>文字。", label, 4, "synthetic.txt 第1篇",
                      "synthetic.txt") for k in range(mentions)]
        nodes.append(Node(f"{XSR_IRI}synthetic/{i}", label, cls, [f"别名{i}"], [("编号", str(i))], ms, mentions))
    for i in range(1, n_nodes):
        j = rng.randrange(0, i) if rng.random() < 0.7 else rng.randrange(0, max(1, min(i, 20)))
        p, label = preds[i % len(preds)]
        edges.append(Edge(nodes[i].id, nodes[j].id, p, label))
        if rng.random() < 0.5:
            k = rng.randrange(0, n_nodes)
            if k != i:
                edges.append(Edge(nodes[i].id, nodes[k].id, preds[0][0], preds[0][1]))
    return View(f"合成视图 {n_nodes} 个节点", nodes, edges, total=n_nodes)


__all__ = ["View", "Node", "Edge", "Mention", "ViewError", "overview", "report_view", "focus_view", "construct_view",
           "synthetic_view", "find_things", "report_views", "report_view_of_graph", "SharedThings", "memory_store", "slug", "class_label", "CLASSES", "OTHER", "DEFAULT_MAX_NODES"]
