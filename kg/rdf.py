"""Map resolved things to RDF in the public vocabulary: one named graph per report.

IRIs are deterministic: a report's IRI comes from its file name and position; a thing's from its kind,
key and scope (global things: kind and key only), so the same input always gives the same graph.
Provenance: every span of every thing becomes an ``xs:Mention`` with ``xs:start``/``xs:end`` (such that
``text[start:end]`` is ``xs:surface``), the report it lies in, and the sentence around it (``xs:sentence``).
A relation's evidence is the sentence that states it: both ends have a mention in that sentence.
"""
from __future__ import annotations

import hashlib
from urllib.parse import quote

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

from .model import PartialDate, Report, Span, Thing
from .resolve import Resolved
from .vocab import PREFIXES, XS, XSR

_CURIE = {"xs": XS, "org": ORG, "dcterms": DCTERMS, "skos": SKOS, "rdfs": RDFS}
_STATUS = {"Completed": XS.Completed, "InProgress": XS.InProgress}


def curie(name: str) -> URIRef:
    prefix, _, local = name.partition(":")
    ns = _CURIE.get(prefix)
    if ns is None or not local:
        raise ValueError(f"not a CURIE in the vocabulary: {name!r}")
    return ns[local]


def _slug(text: str) -> str:
    return quote(text.replace(" ", "_"), safe="-_.~")


def report_iri(report: Report) -> URIRef:
    stem = report.source.path.stem
    return XSR[f"report/{_slug(stem)}-{report.index + 1}"]


def thing_iri(thing: Thing, report: Report) -> URIRef:
    scope = "global" if thing.scope == "global" else f"{report.source.name}#{report.index}"
    digest = hashlib.sha1(f"{thing.kind}\x1f{scope}\x1f{thing.key}".encode("utf-8")).hexdigest()[:16]
    return XSR[f"{thing.kind.lower()}/{digest}"]


def mention_iri(report: Report, thing: Thing, span: Span) -> URIRef:
    return XSR[f"mention/{_slug(report.source.path.stem)}/{span.start}-{span.end}-{thing.kind.lower()}"]


def literal(value: object) -> Literal:
    if isinstance(value, PartialDate):
        return Literal(value.iso(), datatype=XSD[value.xsd_type])
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    return Literal(str(value), lang="zh")


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def to_dataset(reports: list[Report], resolved: Resolved) -> Dataset:
    """The dataset of a build: each report's facts in the named graph of the report's IRI."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    graphs = {id(r): ds.graph(report_iri(r)) for r in reports}
    # a report-scoped thing has one report; a global thing's IRI ignores the report
    iri = {id(t): thing_iri(t, resolved.reports(t)[0]) for t in resolved.things}

    for report in reports:
        _report_triples(graphs[id(report)], report)
    for thing in resolved.things:
        for report in resolved.reports(thing):
            g, spans = graphs[id(report)], resolved.mentions(thing, report)
            _thing_triples(g, report, thing, iri[id(thing)], spans)
            _link_to_report(g, report, thing, iri[id(thing)], spans)
    for report, rel in resolved.relations:
        g = graphs[id(report)]
        subj = iri.get(id(rel.subject))
        if subj is None:
            continue
        obj = iri.get(id(rel.object)) if isinstance(rel.object, Thing) else literal(rel.object)
        if obj is not None:
            g.add((subj, curie(rel.predicate), obj))
    return ds


def _report_triples(g: Graph, report: Report) -> None:
    node = report_iri(report)
    g.add((node, RDF.type, XS.Report))
    g.add((node, XS.sourceFile, Literal(report.source.name)))
    g.add((node, RDFS.label, _zh(f"{report.source.name} 第{report.index + 1}篇")))
    if report.title:
        g.add((node, DCTERMS.title, _zh(report.surface(report.title))))
    issued = report.meta.get("issued_date")
    if isinstance(issued, PartialDate):
        g.add((node, DCTERMS.issued, literal(issued)))


def _link_to_report(g: Graph, report: Report, thing: Thing, node: URIRef, spans: list[Span]) -> None:
    """The report reports on its inspection, cites its documents, lists its problems, is signed by a unit."""
    rep = report_iri(report)
    if thing.kind == "Inspection":
        g.add((rep, XS.reportsOn, node))
    elif thing.kind == "Document":
        g.add((rep, XS.cites, node))
    elif thing.kind == "Problem":
        g.add((node, XS.report, rep))
    elif thing.kind == "Unit" and report.publisher is not None and report.publisher in spans:
        g.add((rep, DCTERMS.publisher, node))


def _thing_triples(g: Graph, report: Report, thing: Thing, node: URIRef, spans: list[Span]) -> None:
    g.add((node, RDF.type, XS[thing.kind]))
    if thing.kind == "InspectionTeam":
        g.add((node, RDF.type, XS.Unit))
    g.add((node, RDFS.label, _zh(thing.label)))
    for alt in sorted(thing.alt_labels - {thing.label}):
        g.add((node, SKOS.altLabel, _zh(alt)))
    for key, value in sorted(thing.attrs.items()):
        if key.startswith("_"):
            continue
        prop = XS[key]
        for v in value if isinstance(value, (list, tuple, set)) else [value]:
            if key == "status":
                g.add((node, prop, _STATUS[v]))
            elif key == "docNumber":
                g.add((node, prop, Literal(str(v))))
            else:
                g.add((node, prop, literal(v)))
    text = report.source.text
    for span in spans:
        m = mention_iri(report, thing, span)
        g.add((node, XS.mention, m))
        g.add((m, RDF.type, XS.Mention))
        g.add((m, XS.inReport, report_iri(report)))
        g.add((m, XS.start, Literal(span.start, datatype=XSD.integer)))
        g.add((m, XS.end, Literal(span.end, datatype=XSD.integer)))
        g.add((m, XS.surface, Literal(text[span.start : span.end])))
        sentence = report.sentence_at(span.start)
        g.add((m, XS.sentence, Literal(text[sentence.start : max(sentence.end, span.end)])))


def union_graph(ds: Dataset) -> Graph:
    """All named graphs in one graph (what ``graph.ttl`` holds), with the vocabulary's prefixes."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for ctx in ds.graphs():
        for triple in ctx:
            g.add(triple)
    return g


__all__ = ["to_dataset", "union_graph", "report_iri", "thing_iri", "literal", "curie", "BNode"]
