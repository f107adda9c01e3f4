"""Resolution one report at a time (kg.resolve.stream) gives the graph that resolving the whole corpus at
once gives: the same quads, in the same order, graph by graph."""
from __future__ import annotations

import copy
from pathlib import Path

import pyoxigraph as ox

from kg.build import build_corpus, extract
from kg.model import PartialDate, Source, Span
from kg.pipeline import Pipeline
from kg.rdf import GraphMapper, entities_graph, to_quads
from kg.resolve import ORIGINAL_SOURCE, resolve
from kg.resolve.stream import AttrFold, Merged, resolve_locally
from conftest import SEEDS, make_reports

TEXT = (
    "根据省委统一部署,省委第二巡视组对省甲厅进行了常规巡视。甲乙丙丁。\n"
    "中共某省甲厅党组\n2020年9月11日\n"
    "根据省委统一部署,省委第二巡视组对省乙局进行了常规巡视。甲乙丙丁。\n"
    "中共某省乙局党组\n2020年10月12日\n"
    "根据省委统一部署,省委第三巡视组对省丙委进行了常规巡视。甲乙丙丁。\n"
)


def _at(report, offset: int, length: int = 2) -> Span:
    return Span(report.span.start + offset, report.span.start + offset + length)


def handmade():
    """Three reports naming some things alike: global documents and units with other names and
    attributes (lists and single values), the same relation among global things in two reports, a
    relation to a literal, report-scoped teams, and a second report 'matched' in Simplified."""
    first, second, third = make_reports(TEXT)
    d1 = first.add("Document", "条例", _at(first, 0), key="条例", scope="global", inspectionType=["a", "b"], startDate=PartialDate(2020))
    first.add("Document", "新条例", _at(first, 3), key="条例", scope="global", inspectionType=["c", "a"], docNumber=["甲发1号"])
    u1 = first.add("Unit", "省甲厅", _at(first, 24, 3), key="甲厅", scope="global")
    t1 = first.add("InspectionTeam", "省委第二巡视组", _at(first, 9, 7))
    first.add("InspectionTeam", "第二巡视组", _at(first, 11, 5), key="省委第二巡视组", inspectionType=["二组"])
    first.relate(d1, "xs:issuedBy", u1)
    first.relate(t1, "xs:inspectedUnit", u1)
    first.relate(d1, "dcterms:issued", PartialDate(2020, 9))

    u2 = second.add("Unit", "甲厅", _at(second, 24, 3), key="甲厅", scope="global", alt_labels={"省甲厅"})
    d2 = second.add("Document", "条例(修订)", _at(second, 0), key="条例", scope="global",
                    inspectionType=["d", "b"], startDate=PartialDate(2021), docNumber="single")
    second.add("Document", "条例", _at(second, 6), key="条例", scope="global", inspectionType=["e"])
    t2 = second.add("InspectionTeam", "省委第二巡视组", _at(second, 9, 7))
    second.relate(d2, "xs:issuedBy", u2)  # stated by the first report already
    second.relate(d2, "dcterms:issued", PartialDate(2020, 9))  # likewise
    second.relate(t2, "xs:inspectedUnit", u2)  # a report-scoped team: its own relation
    second.relate(d2, "xs:issuedBy", u2)  # twice in one report
    matched = second.source.text
    written = matched.replace("省委第二巡视组", "省委第二巡視組").replace("甲厅", "甲廳")
    second.meta[ORIGINAL_SOURCE] = Source(second.source.path, written)

    d3 = third.add("Document", "条例", _at(third, 0), key="条例", scope="global", inspectionType=["f"])
    u3 = third.add("Unit", "省丙委", _at(third, 24, 3), scope="global")
    third.relate(d3, "xs:issuedBy", u3)
    third.relate(u3, "xs:issuedBy", u3)  # a thing related to itself is dropped
    return [first, second, third]


def test_each_report_alone_then_merged_gives_one_thing_per_global_key():
    reports = handmade()
    first, second, third = reports
    resolved = resolve(reports, per_kind=False)
    by_label = {t.label: t for t in resolved.things}
    # the first report's label wins; every other name is an alias; attributes folded in report order
    doc = by_label["条例"]
    assert doc.alt_labels == {"新条例", "条例(修订)"}
    assert doc.attrs == {"inspectionType": ["a", "b", "c", "d", "e", "f"], "startDate": PartialDate(2020),
                         "docNumber": ["甲发1号"]}
    assert resolved.reports(doc) == reports
    assert resolved.mentions(doc, second) == [_at(second, 0), _at(second, 6)]  # spans stay with their report
    unit = by_label["省甲厅"]
    assert unit.alt_labels == {"甲厅"} and resolved.reports(unit) == [first, second]
    # report-scoped things never meet: the second report's team is its own, in the characters it wrote
    teams = [t for t in resolved.things if t.kind == "InspectionTeam"]
    assert [(t.label, t.alt_labels, resolved.reports(t)) for t in teams] == [
        ("省委第二巡视组", {"第二巡视组"}, [first]), ("省委第二巡視組", set(), [second])]
    assert second.source.text.startswith("根据省委统一部署,省委第二巡視組对省甲廳")
    # things in order of first mention in the corpus
    assert [t.label for t in resolved.things] == ["条例", "省甲厅", "省委第二巡视组", "省委第二巡視組", "省丙委"]
    # a relation among global things is stated by the first report stating it; a thing related to itself goes
    stated = [(reports.index(r), rel.subject.label, rel.predicate,
               getattr(rel.object, "label", rel.object)) for r, rel in resolved.relations]
    assert stated == [(0, "条例", "xs:issuedBy", "省甲厅"), (0, "省委第二巡视组", "xs:inspectedUnit", "省甲厅"),
                      (0, "条例", "dcterms:issued", PartialDate(2020, 9)),
                      (1, "省委第二巡視組", "xs:inspectedUnit", "省甲厅"), (2, "条例", "xs:issuedBy", "省丙委")]


def streamed_quads(reports, *, per_kind: bool = False) -> list[ox.Quad]:
    """The quads a build writes: each report's graph from its share of the merge, then the shared things."""
    merged, locals_ = Merged(), []
    for report in reports:
        local, summary = resolve_locally(report, per_kind=per_kind)
        locals_.append((report, local, merged.add(summary)))
    merged.finish()
    quads = [q for report, local, ordinal in locals_
             for q in GraphMapper([report], merged.resolved(report, local, ordinal)).report_graph(report).quads()]
    return quads + entities_graph(merged.things()).quads()


def test_report_graphs_of_the_shares_are_the_corpus_graph():
    """Mapping each report's share alone (as the build's writers do) gives the quads of mapping the whole."""
    expected = to_quads(reports := handmade(), resolve(reports, per_kind=False))
    got = streamed_quads(handmade())
    assert got == expected
    text = ox.serialize(got, format=ox.RdfFormat.N_QUADS).decode()
    assert "条例(修订)" in text and "省委第二巡視組" in text and text.count("issuedBy") == 2


def test_a_reports_share_is_final_as_soon_as_it_is_added():
    """The build writes each report's graph when the report is folded in, before the last report is: its
    share then must map to the graph it maps to once the merge is finished."""
    merged, early, locals_ = Merged(), [], []
    for report in handmade():
        local, summary = resolve_locally(report, per_kind=False)
        ordinal = merged.add(summary)
        early.append(GraphMapper([report], merged.resolved(report, local, ordinal)).report_graph(report).nquads())
        locals_.append((report, local, ordinal))
    merged.finish()
    late = [GraphMapper([report], merged.resolved(report, local, ordinal)).report_graph(report).nquads()
            for report, local, ordinal in locals_]
    assert early == late and len(early) == 3
    assert b"altLabel" in entities_graph(merged.things()).nquads()  # what finish settles: the shared things' names


def test_attribute_folds_match_absorbing_value_by_value():
    values = [["a", "b"], "x", ["c", "a"], ["b", "d"]]
    kept = {"k": values[0]}
    for v in values[1:]:  # as kg.resolve._absorb does
        if isinstance(v, list) and isinstance(kept["k"], list):
            kept["k"] = kept["k"] + [x for x in v if x not in kept["k"]]
    per_report = [AttrFold(), AttrFold()]
    for fold, part in zip(per_report, (values[:2], values[2:])):
        for v in part:
            fold.add("k", v)
    total = AttrFold()
    for fold in per_report:
        total.add_fold(fold)
    assert total.attrs() == kept == {"k": ["a", "b", "c", "d"]}


def test_a_build_of_the_seeds_stores_the_graph_of_resolving_them_in_memory(tmp_path: Path):
    """The build spills each report to disk and maps it in another process; nothing of that may change a
    quad. A Traditional copy of a seed is matched in Simplified and shown as written."""
    import opencc

    files = sorted(SEEDS.glob("*.txt"))
    traditional = tmp_path / "traditional.txt"
    traditional.write_text(opencc.OpenCC("s2t").convert(files[0].read_text(encoding="utf-8")), encoding="utf-8")
    reports = extract([*files, traditional], pipeline=Pipeline())
    assert any(ORIGINAL_SOURCE in r.meta for r in reports)
    expected = set(to_quads(reports, resolve(reports)))
    build_corpus([*files, traditional], tmp_path / "out", progress=False, workers=2)
    graphs = {q.graph_name for q in expected}  # the store holds the ontology's graph too
    stored = {q for q in ox.Store.read_only(str(tmp_path / "out" / "store")) if q.graph_name in graphs}
    assert stored == expected
    assert any("巡視組" in q.object.value for q in stored if isinstance(q.object, ox.Literal))
