from kg.resolve import resolve
from kg.model import Span
from conftest import make_reports

TEXT = (
    "根据省委统一部署,省委第二巡视组对省甲厅进行了常规巡视。甲乙丙丁。\n"
    "中共某省甲厅党组\n2020年9月11日\n"
    "根据省委统一部署,省委第二巡视组对省乙局进行了常规巡视。甲乙丙丁。\n"
)


def test_same_key_in_one_report_is_one_thing_with_all_names():
    rep = make_reports(TEXT)[0]
    a = rep.add("Document", "条例", Span(0, 2), key="doc")
    rep.add("Document", "新条例", Span(3, 5), key="doc")
    rep.add("Document", "别的", Span(6, 8), key="other")
    res = resolve([rep], per_kind=False)
    docs = [t for t in res.things if t.kind == "Document"]
    assert len(docs) == 2
    assert a in docs and a.label == "条例" and a.alt_labels == {"新条例"}
    assert res.mentions(a, rep) == [Span(0, 2), Span(3, 5)]


def test_global_things_merge_across_reports_but_report_things_do_not():
    first, second = make_reports(TEXT)
    g1 = first.add("Document", "条例", Span(0, 2), key="条例", scope="global")
    g2 = second.add("Document", "条例", Span(second.span.start, second.span.start + 2), key="条例", scope="global")
    t1 = first.add("InspectionTeam", "省委第二巡视组", Span(10, 17))
    t2 = second.add("InspectionTeam", "省委第二巡视组", Span(second.span.start + 10, second.span.start + 17))
    res = resolve([first, second], per_kind=False)
    [doc] = [t for t in res.things if t.kind == "Document"]  # a global thing is one new Thing
    assert doc.key == "条例" and res.reports(doc) == [first, second]
    # spans stay with the report they index
    assert res.mentions(doc, first) == g1.mentions and res.mentions(doc, second) == g2.mentions
    assert t1 in res.things and t2 in res.things


def test_relations_follow_the_merged_thing_and_duplicates_go():
    rep = make_reports(TEXT)[0]
    doc1 = rep.add("Document", "条例", Span(0, 2), key="d")
    doc2 = rep.add("Document", "条例", Span(3, 5), key="d")
    unit = rep.add("Unit", "省甲厅", Span(6, 8))
    rep.relate(doc1, "xs:issuedBy", unit)
    rep.relate(doc2, "xs:issuedBy", unit)
    res = resolve([rep], per_kind=False)
    assert [(r.subject, r.predicate, r.object) for _, r in res.relations] == [(doc1, "xs:issuedBy", unit)]
