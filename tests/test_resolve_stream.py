"""Resolution one report at a time (kg.resolve.stream) gives the graph that resolving the whole corpus at
once gives: the same quads, in the same order, graph by graph."""
from __future__ import annotations

import copy
from pathlib import Path

import pyoxigraph as ox

from kg.build import extract
from kg.model import PartialDate, Source, Span
from kg.pipeline import Pipeline
from kg.rdf import GraphMapper, entities_graph, to_quads
from kg.resolve import ORIGINAL_SOURCE, resolve, restore_traditional
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


def in_memory_quads(reports) -> list[ox.Quad]:
    resolved = resolve(reports, per_kind=False)
    restore_traditional(reports, resolved)
    return to_quads(reports, resolved)


def streamed_quads(reports, *, per_kind: bool = False) -> list[ox.Quad]:
    merged, locals_ = Merged(), []
    for report in reports:
        local, summary = resolve_locally(report, per_kind=per_kind)
        locals_.append((report, local, merged.add(summary)))
    merged.finish()
    quads = [q for report, local, ordinal in locals_
             for q in GraphMapper([report], merged.resolved(report, local, ordinal)).report_graph(report)]
    return quads + entities_graph(merged.things())


def test_merging_summaries_gives_the_graph_of_the_in_memory_resolve():
    expected = in_memory_quads(handmade())
    got = streamed_quads(handmade())
    assert got == expected
    # what the test is about happened: names merged, the relation stated once, written forms restored
    text = ox.serialize(got, format=ox.RdfFormat.N_QUADS).decode()
    assert "条例(修订)" in text and "省委第二巡視組" in text and text.count("issuedBy") == 2


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


def test_seed_corpus_resolved_report_by_report_gives_the_same_graph(tmp_path: Path):
    import opencc

    files = sorted(SEEDS.glob("*.txt"))
    traditional = tmp_path / "traditional.txt"  # a file matched in Simplified and shown as written
    traditional.write_text(opencc.OpenCC("s2t").convert(files[0].read_text(encoding="utf-8")), encoding="utf-8")
    reports = extract([*files, traditional], pipeline=Pipeline())
    assert any(ORIGINAL_SOURCE in r.meta for r in reports)
    again = copy.deepcopy(reports)
    assert streamed_quads(again, per_kind=True) == in_memory_quads_per_kind(reports)


def in_memory_quads_per_kind(reports) -> list[ox.Quad]:
    resolved = resolve(reports)
    restore_traditional(reports, resolved)
    return to_quads(reports, resolved)
