"""Map resolved things to RDF in the public vocabulary: one named graph per report.

IRIs are deterministic: a report's IRI comes from its file name and position; a thing's from its kind,
key and scope (global things: kind and key only), so the same input always gives the same graph.
Each triple lies in exactly one named graph: a report's graph holds what that report says (its mentions,
its relations, the things only it names); things shared across reports (``scope="global"``) are described
once, in the ``ENTITIES_GRAPH``. So the union of the graphs has no duplicates (oxigraph #1919 counts a
triple once per graph holding it), and a report's graph can be replaced alone.
Provenance: every span of every thing becomes an ``xs:Mention`` with ``xs:start``/``xs:end`` (such that
``text[start:end]`` is ``xs:surface``), the report it lies in, and the sentence around it (``xs:sentence``).
A relation's evidence is the sentence that states it: both ends have a mention in that sentence.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from .model import PartialDate, Report, Span, Thing
from .resolve import Resolved
from .vocab import DCTERMS, ORG, PREFIXES, RDF, RDFS, SKOS, XS, XSD, XSR, XSR_IRI

_CURIE = {"xs": XS, "org": ORG, "dcterms": DCTERMS, "skos": SKOS, "rdfs": RDFS}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


A = _n(RDF.type)
_STATUS = {"Completed": _n(XS.Completed), "InProgress": _n(XS.InProgress)}
_XSD_INTEGER, _XSD_BOOLEAN = _n(XSD.integer), _n(XSD.boolean)


def curie(name: str) -> ox.NamedNode:
    """A vocabulary term from its CURIE (``xs:issuedBy``); an unknown one is an error, not a new IRI."""
    prefix, _, local = name.partition(":")
    ns = _CURIE.get(prefix)
    if ns is None or not local:
        raise ValueError(f"not a CURIE in the vocabulary: {name!r}")
    return _n(ns[local])


def _slug(text: str) -> str:
    return quote(text.replace(" ", "_"), safe="-_.~")


def report_iri(report: Report) -> ox.NamedNode:
    return _report_iri(report.source.stem, report.index)


@lru_cache(maxsize=4096)
def _report_iri(stem: str, index: int) -> ox.NamedNode:
    return _n(XSR[f"report/{_slug(stem)}-{index + 1}"])


def thing_iri(thing: Thing, report: Report | None) -> ox.NamedNode:
    """A thing's IRI; ``report`` (the one naming it) is needed for a report-scoped thing only."""
    if thing.scope == "global":
        scope = "global"
    else:
        source = report.source  # a renamed file (see Source.stem) scopes its things by its new name too
        scope = f"{source.name}#{report.index}" if source.iri_stem is None \
            else f"{source.iri_stem}/{source.name}#{report.index}"
    digest = hashlib.sha1(f"{thing.kind}\x1f{scope}\x1f{thing.key}".encode("utf-8")).hexdigest()[:16]
    return ox.NamedNode(f"{XSR_IRI}{thing.kind.lower()}/{digest}")


def mention_iri(report: Report, thing: Thing, span: Span) -> ox.NamedNode:
    return ox.NamedNode(f"{_mention_prefix(report.source.stem)}{span.start}-{span.end}-{thing.kind.lower()}")


@lru_cache(maxsize=4096)
def _mention_prefix(stem: str) -> str:
    """What a file's mention IRIs begin with: made once per file, not URL-quoted again for every mention."""
    return f"{XSR_IRI}mention/{_slug(stem)}/"


@lru_cache(maxsize=None)
def _xs(name: str) -> ox.NamedNode:
    """A term of the xs: vocabulary; an unknown name fails (XS is a DefinedNamespace), loudly."""
    return _n(XS[name])


def literal(value: object) -> ox.Literal:
    """A Python value as a typed literal: dates at their precision, booleans, integers, Chinese text."""
    if isinstance(value, PartialDate):
        return ox.Literal(value.iso(), datatype=_n(XSD[value.xsd_type]))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=_XSD_BOOLEAN)
    if isinstance(value, int):
        return _int(value)
    return _zh(str(value))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def _zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


class _Quads(list):
    """The quads of one named graph, added as triples."""

    def __init__(self, graph: ox.NamedNode) -> None:
        super().__init__()
        self.graph = graph

    def add(self, triple: tuple) -> None:
        self.append(ox.Quad(*triple, self.graph))


ENTITIES_GRAPH = _n("https://w3id.org/xunshi-kg/graph/entities")


def to_quads(reports: list[Report], resolved: Resolved) -> list[ox.Quad]:
    """The quads of a build: each report's facts in the named graph of the report's IRI."""
    mapper = GraphMapper(reports, resolved)
    return [q for r in reports for q in mapper.report_graph(r)] + mapper.entities_graph()


class GraphMapper:
    """The named graphs of a build, one at a time, so that a build can write each and forget it.

    ``report_graph(r)`` is what ``r`` says, ``entities_graph()`` describes the things shared across
    reports; together they are ``to_quads``, graph by graph and in the same order within each graph."""

    def __init__(self, reports: list[Report], resolved: Resolved) -> None:
        self.resolved = resolved
        # a report-scoped thing has one report; a global thing's IRI ignores the report
        self.iri = {id(t): thing_iri(t, resolved.reports(t)[0]) for t in resolved.things}
        self._things: dict[int, list[Thing]] = {id(r): [] for r in reports}  # the things each report names
        for thing in resolved.things:
            for report in resolved.reports(thing):
                self._things[id(report)].append(thing)
        self._relations: dict[int, list] = {id(r): [] for r in reports}
        for report, rel in resolved.relations:
            self._relations[id(report)].append(rel)

    def report_graph(self, report: Report) -> list[ox.Quad]:
        g = _Quads(report_iri(report))
        _report_triples(g, report)
        for thing in self._things[id(report)]:
            node = self.iri[id(thing)]
            if thing.scope != "global" and self.resolved.reports(thing)[0] is report:
                _describe(g, thing, node)
            spans = self.resolved.mentions(thing, report)
            _mention_triples(g, report, thing, node, spans)
            _link_to_report(g, report, thing, node, spans)
        for rel in self._relations[id(report)]:
            subj = self.iri.get(id(rel.subject))
            if subj is None:
                continue
            obj = self.iri.get(id(rel.object)) if isinstance(rel.object, Thing) else literal(rel.object)
            if obj is not None:
                g.add((subj, curie(rel.predicate), obj))
        return g

    def entities_graph(self) -> list[ox.Quad]:
        return entities_graph(self.resolved.things)


def entities_graph(things: list[Thing]) -> list[ox.Quad]:
    """The ``ENTITIES_GRAPH``: the description of each global thing among ``things``, in their order."""
    shared = _Quads(ENTITIES_GRAPH)
    for thing in things:
        if thing.scope == "global":
            _describe(shared, thing, thing_iri(thing, None))
    return shared


# the terms used for every thing, made once
_T = {name: _n(XS[name]) for name in ("Report", "Mention", "Unit", "mention", "inReport", "start", "end",
                                      "surface", "sentence", "sourceFile", "reportsOn", "cites", "report")}
_LABEL, _ALT, _TITLE, _ISSUED, _PUBLISHER = (_n(RDFS.label), _n(SKOS.altLabel), _n(DCTERMS.title),
                                             _n(DCTERMS.issued), _n(DCTERMS.publisher))


def _report_triples(g: _Quads, report: Report) -> None:
    node = report_iri(report)
    g.add((node, A, _T["Report"]))
    g.add((node, _T["sourceFile"], ox.Literal(report.source.name)))
    g.add((node, _LABEL, _zh(f"{report.source.name} 第{report.index + 1}篇")))
    if report.title:
        g.add((node, _TITLE, _zh(report.surface(report.title))))
    issued = report.meta.get("issued_date")
    if isinstance(issued, PartialDate):
        g.add((node, _ISSUED, literal(issued)))


def _link_to_report(g: _Quads, report: Report, thing: Thing, node: ox.NamedNode, spans: list[Span]) -> None:
    """The report reports on its inspection, cites its documents, lists its problems, is signed by a unit."""
    rep = report_iri(report)
    if thing.kind == "Inspection":
        g.add((rep, _T["reportsOn"], node))
    elif thing.kind == "Document":
        g.add((rep, _T["cites"], node))
    elif thing.kind == "Problem":
        g.add((node, _T["report"], rep))
    elif thing.kind == "Unit" and report.publisher is not None and report.publisher in spans:
        g.add((rep, _PUBLISHER, node))


def _describe(g: _Quads, thing: Thing, node: ox.NamedNode) -> None:
    """A thing's class, names and attributes."""
    g.add((node, A, _xs(thing.kind)))
    if thing.kind == "InspectionTeam":
        g.add((node, A, _T["Unit"]))
    g.add((node, _LABEL, _zh(thing.label)))
    for alt in sorted(thing.alt_labels - {thing.label}):
        g.add((node, _ALT, _zh(alt)))
    for key, value in sorted(thing.attrs.items()):
        if key.startswith("_"):
            continue
        prop = _xs(key)  # an attribute outside the vocabulary fails here, loudly
        for v in value if isinstance(value, (list, tuple, set)) else [value]:
            if key == "status":
                g.add((node, prop, _STATUS[v]))
            elif key == "docNumber":
                g.add((node, prop, ox.Literal(str(v))))
            else:
                g.add((node, prop, literal(v)))


def _mention_triples(g: _Quads, report: Report, thing: Thing, node: ox.NamedNode, spans: list[Span]) -> None:
    """One xs:Mention per span: where in the report's source the thing is named, and the sentence.

    The build's hottest loop (four fifths of the quads): the quads are appended directly."""
    text, rep, graph = report.source.text, report_iri(report), g.graph
    quad, plain, append = ox.Quad, ox.Literal, g.append
    mention, a_mention, in_report = _T["mention"], _T["Mention"], _T["inReport"]
    start, end, surface, sentence_of = _T["start"], _T["end"], _T["surface"], _T["sentence"]
    for span in spans:
        m = mention_iri(report, thing, span)
        sentence = report.sentence_at(span.start)
        append(quad(node, mention, m, graph))
        append(quad(m, A, a_mention, graph))
        append(quad(m, in_report, rep, graph))
        append(quad(m, start, _int(span.start), graph))
        append(quad(m, end, _int(span.end), graph))
        append(quad(m, surface, plain(text[span.start : span.end]), graph))
        append(quad(m, sentence_of, plain(text[sentence.start : max(sentence.end, span.end)]), graph))


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The triples of the named graphs of ``quads`` (each lies in one graph only), grouped by subject for
    Turtle (``TurtleWriter.chunk``).

    The order is the generation order, which depends only on the input, so the same input always
    writes the same bytes; the stable sort by subject only makes the Turtle read well.
    """
    return sorted((q.triple for q in quads), key=lambda t: t.subject.value)


class TurtleWriter:
    """``graph.ttl`` written graph by graph, so that a build never holds the union of its graphs.

    The prefixes are declared once, at the top; then each graph's triples follow (``chunk``), grouped by
    subject (a stable sort: the order depends only on the input). The graphs share no triple (see the
    module doc), so the file is their union. Use as a context manager; the file is closed, not moved:
    the build writes it in its staging folder."""

    PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}

    def __init__(self, path) -> None:
        self._file = open(path, "wb")
        self._file.write(self._header())

    @classmethod
    @lru_cache(maxsize=1)
    def _header(cls) -> bytes:
        """The prefix block as the serializer writes it before any triple (read off a one-triple document)."""
        probe = ox.serialize([ox.Triple(A, A, A)], format=ox.RdfFormat.TURTLE, prefixes=cls.PREFIXES)
        return probe[: probe.index(b"\n", probe.rindex(b"@prefix ")) + 1]

    @classmethod
    def chunk(cls, quads: list[ox.Quad]) -> bytes:
        """The Turtle of one graph's triples, without the prefix block: what ``write`` appends."""
        if not quads:
            return b""
        data = ox.serialize(union_triples(quads), format=ox.RdfFormat.TURTLE, prefixes=cls.PREFIXES)
        header = cls._header()
        if not data.startswith(header):
            raise RuntimeError("pyoxigraph wrote Turtle prefixes in an unexpected form")
        return data[len(header):]

    def write(self, chunk: bytes) -> None:
        """Append a ``chunk`` made elsewhere (by a worker process)."""
        self._file.write(chunk)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "TurtleWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def union_graph(quads: list[ox.Quad]) -> Graph:
    """All named graphs in one rdflib Graph, with the vocabulary's prefixes bound."""
    return _rdflib_graph(union_triples(quads))


def _rdflib_graph(triples: list[ox.Triple]) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    term = _rdflib_term
    for t in triples:  # term by term: ten times faster than rdflib parsing N-Triples
        g.add((term(t.subject), term(t.predicate), term(t.object)))
    return g


_XSD_STRING = str(XSD.string)


def _rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Identifier:
    """The rdflib term equal to a pyoxigraph one (a plain string literal has no datatype in rdflib)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


__all__ = ["ENTITIES_GRAPH", "GraphMapper", "entities_graph", "TurtleWriter", "to_quads", "union_triples", "union_graph", "report_iri", "thing_iri",
           "literal", "curie"]
