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
A graph is made as text (``GraphText``: each term as N-Triples writes it, ``kg.rdftext``), which is what
the build writes; ``GraphText.quads()`` and ``to_quads`` read it as pyoxigraph quads.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from . import rdftext as text
from .model import PartialDate, Report, Span, Thing
from .resolve import Resolved
from .vocab import DCTERMS, ORG, PREFIXES, RDF, RDFS, SKOS, XS, XSD, XSR, XSR_IRI

_CURIE = {"xs": XS, "org": ORG, "dcterms": DCTERMS, "skos": SKOS, "rdfs": RDFS}


def _n(iri: str) -> str:
    """A vocabulary term's text (``kg.rdftext``)."""
    return text.iri(str(iri))


A = _n(RDF.type)
_STATUS = {"Completed": _n(XS.Completed), "InProgress": _n(XS.InProgress)}
_XSD_INTEGER, _XSD_BOOLEAN = str(XSD.integer), str(XSD.boolean)


def curie(name: str) -> str:
    """A vocabulary term from its CURIE (``xs:issuedBy``); an unknown one is an error, not a new IRI."""
    return _curie(name)


@lru_cache(maxsize=None)
def _curie(name: str) -> str:
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
    return ox.NamedNode(_report_value(stem, index))


def _report_value(stem: str, index: int) -> str:
    return str(XSR[f"report/{_slug(stem)}-{index + 1}"])


@lru_cache(maxsize=4096)
def _report_node(stem: str, index: int) -> str:
    """A report's IRI as text."""
    return text.iri(_report_value(stem, index))


def thing_iri(thing: Thing, report: Report | None) -> ox.NamedNode:
    """A thing's IRI; ``report`` (the one naming it) is needed for a report-scoped thing only."""
    return ox.NamedNode(_thing_value(thing, report))


def _thing_value(thing: Thing, report: Report | None) -> str:
    if thing.scope == "global":
        scope = "global"
    else:
        source = report.source  # a renamed file (see Source.stem) scopes its things by its new name too
        scope = f"{source.name}#{report.index}" if source.iri_stem is None \
            else f"{source.iri_stem}/{source.name}#{report.index}"
    digest = hashlib.sha1(f"{thing.kind}\x1f{scope}\x1f{thing.key}".encode("utf-8")).hexdigest()[:16]
    return f"{XSR_IRI}{thing.kind.lower()}/{digest}"


def mention_iri(report: Report, thing: Thing, span: Span) -> ox.NamedNode:
    return ox.NamedNode(_mention_prefix(report.source.stem) + f"{span.start}-{span.end}-{thing.kind.lower()}")


@lru_cache(maxsize=4096)
def _mention_prefix(stem: str) -> str:
    """What a file's mention IRIs begin with: made once per file, not URL-quoted again for every mention."""
    return f"{XSR_IRI}mention/{_slug(stem)}/"


@lru_cache(maxsize=None)
def _xs(name: str) -> str:
    """A term of the xs: vocabulary; an unknown name fails (XS is a DefinedNamespace), loudly."""
    return _n(XS[name])


def literal(value: object) -> str:
    """A Python value as a typed literal's text: dates at their precision, booleans, integers, Chinese text."""
    if isinstance(value, PartialDate):
        return text.literal(value.iso(), datatype=XSD[value.xsd_type])
    if isinstance(value, bool):
        return text.literal("true" if value else "false", datatype=_XSD_BOOLEAN)
    if isinstance(value, int):
        return _int(value)
    return _zh(str(value))


def _int(value: int) -> str:
    return f'"{value}"^^<{_XSD_INTEGER}>'


def _zh(lexical: str) -> str:
    return text.literal(lexical, language="zh")


class GraphText(list):
    """One named graph's triples, each three terms as N-Triples text (``kg.rdftext``), in the order made.

    What the build writes of it is text (``nquads``, ``turtle``, ``ntriples``); ``quads()`` reads it into
    pyoxigraph quads, for code that wants objects (tests, ``kg viz`` on a few reports)."""

    def __init__(self, graph: str) -> None:
        super().__init__()
        self.graph = graph  # the graph's IRI as text
        self.sentences: dict[tuple[int, int], str] = {}  # (start, end) → its literal: written once, shared

    def add(self, triple: text.Triple) -> None:
        self.append(triple)

    def nquads(self) -> bytes:
        return text.nquads(self, self.graph)

    def quads(self) -> list[ox.Quad]:
        return list(ox.parse(self.nquads(), format=ox.RdfFormat.N_QUADS))


ENTITIES_GRAPH = ox.NamedNode("https://w3id.org/xunshi-kg/graph/entities")


def to_quads(reports: list[Report], resolved: Resolved) -> list[ox.Quad]:
    """The quads of a build: each report's facts in the named graph of the report's IRI."""
    mapper = GraphMapper(reports, resolved)
    return [q for r in reports for q in mapper.report_graph(r).quads()] + mapper.entities_graph().quads()


class GraphMapper:
    """The named graphs of a build, one at a time, so that a build can write each and forget it.

    ``report_graph(r)`` is what ``r`` says, ``entities_graph()`` describes the things shared across
    reports; together they are ``to_quads``, graph by graph and in the same order within each graph."""

    def __init__(self, reports: list[Report], resolved: Resolved) -> None:
        self.resolved = resolved
        # a report-scoped thing has one report; a global thing's IRI ignores the report
        self.iri = {id(t): text.iri(_thing_value(t, resolved.reports(t)[0])) for t in resolved.things}
        self._things: dict[int, list[Thing]] = {id(r): [] for r in reports}  # the things each report names
        for thing in resolved.things:
            for report in resolved.reports(thing):
                self._things[id(report)].append(thing)
        self._relations: dict[int, list] = {id(r): [] for r in reports}
        for report, rel in resolved.relations:
            self._relations[id(report)].append(rel)

    def report_graph(self, report: Report) -> GraphText:
        rep = _report_node(report.source.stem, report.index)
        g = GraphText(rep)
        _report_triples(g, report, rep)
        for thing in self._things[id(report)]:
            node = self.iri[id(thing)]
            if thing.scope != "global" and self.resolved.reports(thing)[0] is report:
                _describe(g, thing, node)
            spans = self.resolved.mentions(thing, report)
            _mention_triples(g, report, rep, thing, node, spans)
            _link_to_report(g, report, rep, thing, node, spans)
        for rel in self._relations[id(report)]:
            subj = self.iri.get(id(rel.subject))
            if subj is None:
                continue
            obj = self.iri.get(id(rel.object)) if isinstance(rel.object, Thing) else literal(rel.object)
            if obj is not None:
                g.add((subj, curie(rel.predicate), obj))
        return g

    def entities_graph(self) -> GraphText:
        return entities_graph(self.resolved.things)


def entities_graph(things: list[Thing]) -> GraphText:
    """The ``ENTITIES_GRAPH``: the description of each global thing among ``things``, in their order."""
    shared = GraphText(str(ENTITIES_GRAPH))
    for thing in things:
        if thing.scope == "global":
            _describe(shared, thing, text.iri(_thing_value(thing, None)))
    return shared


# the terms used for every thing, made once
_T = {name: _n(XS[name]) for name in ("Report", "Mention", "Unit", "mention", "inReport", "start", "end",
                                      "surface", "sentence", "sourceFile", "reportsOn", "cites", "report")}
_LABEL, _ALT, _TITLE, _ISSUED, _PUBLISHER = (_n(RDFS.label), _n(SKOS.altLabel), _n(DCTERMS.title),
                                             _n(DCTERMS.issued), _n(DCTERMS.publisher))


def _report_triples(g: GraphText, report: Report, node: str) -> None:
    g.add((node, A, _T["Report"]))
    g.add((node, _T["sourceFile"], text.literal(report.source.name)))
    g.add((node, _LABEL, _zh(f"{report.source.name} 第{report.index + 1}篇")))
    if report.title:
        g.add((node, _TITLE, _zh(report.surface(report.title))))
    issued = report.meta.get("issued_date")
    if isinstance(issued, PartialDate):
        g.add((node, _ISSUED, literal(issued)))


def _link_to_report(g: GraphText, report: Report, rep: str, thing: Thing, node: str, spans: list[Span]) -> None:
    """The report reports on its inspection, cites its documents, lists its problems, is signed by a unit."""
    if thing.kind == "Inspection":
        g.add((rep, _T["reportsOn"], node))
    elif thing.kind == "Document":
        g.add((rep, _T["cites"], node))
    elif thing.kind == "Problem":
        g.add((node, _T["report"], rep))
    elif thing.kind == "Unit" and report.publisher is not None and report.publisher in spans:
        g.add((rep, _PUBLISHER, node))


def _describe(g: GraphText, thing: Thing, node: str) -> None:
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
                g.add((node, prop, text.literal(str(v))))
            else:
                g.add((node, prop, literal(v)))


def _mention_triples(g: GraphText, report: Report, rep: str, thing: Thing, node: str, spans: list[Span]) -> None:
    """One xs:Mention per span: where in the report's source the thing is named, and the sentence.

    The build's hottest loop (four fifths of the triples): the triples are appended directly."""
    source = report.source.text
    append, plain, sentence_at = g.append, text.literal, report.sentence_at
    mention, a_mention, in_report = _T["mention"], _T["Mention"], _T["inReport"]
    start, end, surface, sentence_of = _T["start"], _T["end"], _T["surface"], _T["sentence"]
    prefix, suffix = "<" + _mention_prefix(report.source.stem), f"-{thing.kind.lower()}>"
    sentences = g.sentences
    for span in spans:
        m = f"{prefix}{span.start}-{span.end}{suffix}"
        sentence = sentence_at(span.start)
        where = sentence.start, max(sentence.end, span.end)
        quoted = sentences.get(where)
        if quoted is None:
            quoted = sentences[where] = plain(source[where[0] : where[1]])
        append((node, mention, m))
        append((m, A, a_mention))
        append((m, in_report, rep))
        append((m, start, _int(span.start)))
        append((m, end, _int(span.end)))
        append((m, surface, plain(source[span.start : span.end])))
        append((m, sentence_of, quoted))


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The triples of the named graphs of ``quads`` (each lies in one graph only), grouped by subject as
    ``graph.ttl`` groups them (``TurtleWriter.chunk``).

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
        rdf_type = ox.NamedNode(str(RDF.type))
        probe = ox.serialize([ox.Triple(rdf_type, rdf_type, rdf_type)], format=ox.RdfFormat.TURTLE, prefixes=cls.PREFIXES)
        return probe[: probe.index(b"\n", probe.rindex(b"@prefix ")) + 1]

    @classmethod
    def chunk(cls, triples: list[text.Triple]) -> bytes:
        """The Turtle of one graph's triples (as text, ``kg.rdftext``), without the prefix block: what
        ``write`` appends. The same bytes as pyoxigraph's serializer writes for them, without making a
        Python object per term (tested)."""
        return text.turtle(triples, cls._terms())

    @classmethod
    @lru_cache(maxsize=1)
    def _terms(cls) -> text.TurtleTerms:
        return text.TurtleTerms(cls.PREFIXES)

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
