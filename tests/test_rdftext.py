"""kg.rdftext: the mapping's N-Triples text is what pyoxigraph writes and reads back as the same terms; its
Turtle reads back as the same graph, and is pyoxigraph's own Turtle for the build's graphs."""
from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, strategies as st

from kg import rdftext
from kg.model import PartialDate, Span
from kg.rdf import GraphMapper, TurtleWriter, union_triples
from kg.resolve import resolve
from kg.vocab import XS_IRI, XSR_IRI
from conftest import make_report

XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = "".join(map(chr, range(0x80))) + "中文\u2028\u00e9\U0001F600"


def test_literals_are_written_as_pyoxigraph_writes_them() -> None:
    for ch in TRICKY:
        text = f"a{ch}b"
        assert rdftext.literal(text, language="zh") == str(ox.Literal(text, language="zh"))
        assert rdftext.literal(text) == str(ox.Literal(text))
        assert rdftext.literal(text, datatype=XSD + "string") == str(ox.Literal(text))
        assert rdftext.literal(text, datatype=XSD + "date") == str(ox.Literal(text, datatype=ox.NamedNode(XSD + "date")))


@given(st.text(), st.sampled_from([None, "zh", "en"]))
def test_a_literal_reads_back_as_the_same_term(text: str, language: str | None) -> None:
    written = rdftext.literal(text, language=language)
    assert rdftext.term(written) == (ox.Literal(text, language=language) if language else ox.Literal(text))
    assert rdftext.literal_parts(written) == (text, language, None)


def test_n_quads_are_what_pyoxigraph_writes() -> None:
    graph = f"<{XSR_IRI}report/x-1>"
    triples = [(f"<{XSR_IRI}unit/1>", f"<{XS_IRI}label>", rdftext.literal(TRICKY, language="zh")),
               (f"<{XSR_IRI}unit/1>", f"<{XS_IRI}start>", rdftext.literal("7", datatype=XSD + "integer"))]
    quads = [ox.Quad(*map(rdftext.term, t), rdftext.term(graph)) for t in triples]
    assert rdftext.nquads(triples, graph) == ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _turtle_graph(triples: list[rdftext.Triple]) -> set[ox.Triple]:
    document = TurtleWriter._header() + TurtleWriter.chunk(triples)
    return {q.triple for q in ox.parse(document, format=ox.RdfFormat.TURTLE)}


def test_turtle_reads_back_as_the_graph_whatever_the_names() -> None:
    """Local names that need escapes, that cannot be prefixed names, or have no "/" at all; short literals."""
    locals_ = ["unit/0a1b", "a.b/c", "x/-a", "x/.a", "x/a.", "a~b/c%20d", "中文/名", "mention/中/1-2-unit", "", "x/",
               "a#b", "(p)/q", "x/1-2-inspection", "x/1-2-inspectionteam"]
    subjects = [f"<{XSR_IRI}{name}>" for name in locals_] + ["<urn:no-slash>", f"<{XS_IRI}Unit>"]
    objects = [rdftext.literal("12", datatype=XSD + "integer"), rdftext.literal("01", datatype=XSD + "integer"),
               rdftext.literal("1.0", datatype=XSD + "integer"), rdftext.literal("true", datatype=XSD + "boolean"),
               rdftext.literal("1", datatype=XSD + "boolean"), rdftext.literal("2020-01", datatype=XSD + "gYearMonth"),
               rdftext.literal(TRICKY, language="zh"), rdftext.literal(TRICKY), *subjects]
    predicates = [f"<{XS_IRI}p>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{XSR_IRI}odd/p.>"]
    triples = [(s, predicates[i % 3], objects[(i * 7 + j) % len(objects)])
               for i, s in enumerate(subjects) for j in range(3)]
    triples += triples[:5]  # repeated, and a subject's objects of one predicate apart
    expected = {ox.Triple(*map(rdftext.term, t)) for t in triples}
    assert _turtle_graph(triples) == expected


def test_the_turtle_of_a_report_graph_is_pyoxigraph_s() -> None:
    text = "根据省委统一部署,省委第二巡视组对省甲厅进行了常规巡视。厅长张三印发《某某办法》。\n中共某省甲厅党组\n2020年9月11日\n"
    report = make_report(text)
    at = text.index("省甲厅")
    unit = report.add("Unit", "省甲厅", Span(at, at + 3), alt_labels={"甲厅"})
    report.add("Problem", "问题", Span(at, at + 3), key="1", status="Completed", longTerm=True,
               dueDate=PartialDate(2020, 12))
    report.relate(unit, "xs:issuedBy", unit)
    graph = GraphMapper([report], resolve([report], per_kind=False)).report_graph(report)
    assert len(graph) > 10
    ours = TurtleWriter.chunk(graph)
    theirs = ox.serialize(union_triples(graph.quads()), format=ox.RdfFormat.TURTLE, prefixes=TurtleWriter.PREFIXES)
    assert TurtleWriter._header() + ours == theirs
