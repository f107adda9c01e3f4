from rdflib import Literal
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

from kg.model import PartialDate, Span
from collections import Counter

from rdflib import URIRef

from kg.rdf import ENTITIES_GRAPH, report_iri, to_quads, union_graph
from kg.resolve import resolve
from kg.vocab import XS
from conftest import make_report

TEXT = "根据省委统一部署,省委第二巡视组对省甲厅进行了常规巡视。厅长张三印发《某某办法》。\n中共某省甲厅党组\n2020年9月11日\n"


def build(text=TEXT):
    rep = make_report(text)
    return rep


def test_things_relations_and_mentions_map_to_the_vocabulary():
    rep = build()
    at = lambda s: Span(TEXT.index(s), TEXT.index(s) + len(s))  # noqa: E731
    unit = rep.add("Unit", "省甲厅", at("省甲厅"), alt_labels={"甲厅"})
    publisher = rep.add("Unit", "省甲厅", rep.publisher, key="省甲厅")
    team = rep.add("InspectionTeam", "省委第二巡视组", at("省委第二巡视组"))
    insp = rep.add("Inspection", "省委第二巡视组对省甲厅的常规巡视", at("省委第二巡视组对省甲厅进行了常规巡视"),
                   startDate=PartialDate(2019, 10, 25), inspectionType=["常规巡视"])
    person = rep.add("Person", "张三", at("张三"))
    post = rep.add("Post", "厅长", at("厅长"))
    doc = rep.add("Document", "某某办法", at("某某办法"), scope="global", docNumber="甲发〔2020〕1号")
    problem = rep.add("Problem", "问题", None, key="1", status="Completed", longTerm=True)
    rep.relate(insp, "xs:team", team)
    rep.relate(insp, "xs:inspectedUnit", unit)
    rep.relate(person, "org:holds", post)
    rep.relate(post, "org:postIn", unit)
    rep.relate(doc, "xs:issuedBy", unit)
    res = resolve([rep], per_kind=False)
    assert publisher not in res.things  # merged into the unit by key
    g = union_graph(to_quads([rep], res))
    r = URIRef(report_iri(rep).value)

    (i,) = g.subjects(RDF.type, XS.Inspection)
    assert (r, XS.reportsOn, i) in g
    assert g.value(i, XS.startDate) == Literal("2019-10-25", datatype=XSD.date)
    assert str(g.value(i, XS.inspectionType)) == "常规巡视"
    t = g.value(i, XS.team)
    assert (t, RDF.type, XS.InspectionTeam) in g and (t, RDF.type, XS.Unit) in g
    u = g.value(i, XS.inspectedUnit)
    assert (r, DCTERMS.publisher, u) in g
    assert g.value(u, RDFS.label) == Literal("省甲厅", lang="zh")
    assert Literal("甲厅", lang="zh") in set(g.objects(u, SKOS.altLabel))
    p = g.value(predicate=RDF.type, object=XS.Person)
    assert g.value(g.value(p, ORG.holds), ORG.postIn) == u
    d = g.value(predicate=RDF.type, object=XS.Document)
    assert (r, XS.cites, d) in g and g.value(d, XS.issuedBy) == u
    assert str(g.value(d, XS.docNumber)) == "甲发〔2020〕1号"
    pr = g.value(predicate=RDF.type, object=XS.Problem)
    assert g.value(pr, XS.status) == XS.Completed and g.value(pr, XS.longTerm).toPython() is True
    assert g.value(pr, XS.report) == r


def test_every_mention_slices_to_its_surface_and_has_its_sentence():
    rep = build()
    span = Span(TEXT.index("某某办法"), TEXT.index("某某办法") + 4)
    rep.add("Document", "某某办法", span)
    g = union_graph(to_quads([rep], resolve([rep], per_kind=False)))
    (m,) = g.subjects(RDF.type, XS.Mention)
    start, end = g.value(m, XS.start).toPython(), g.value(m, XS.end).toPython()
    assert TEXT[start:end] == str(g.value(m, XS.surface)) == "某某办法"
    assert str(g.value(m, XS.sentence)) == "厅长张三印发《某某办法》。"
    assert g.value(m, XS.inReport) == URIRef(report_iri(rep).value)


def test_dates_are_typed_at_the_precision_given():
    rep = build()
    for i, d in enumerate([PartialDate(2020), PartialDate(2020, 12), PartialDate(2020, 3, 11)]):
        rep.add("Deadline", d.iso(), None, key=str(i), dueDate=d)
    g = union_graph(to_quads([rep], resolve([rep], per_kind=False)))
    types = sorted(str(o.datatype).rsplit("#")[-1] for o in g.objects(None, XS.dueDate))
    assert types == ["date", "gYear", "gYearMonth"]


def test_iris_are_deterministic():
    def ttl():
        rep = build()
        rep.add("Unit", "省甲厅", Span(17, 20))
        return union_graph(to_quads([rep], resolve([rep], per_kind=False))).serialize(format="nt")
    assert sorted(ttl().splitlines()) == sorted(ttl().splitlines())


def test_each_triple_lies_in_one_graph_and_shared_things_in_the_entities_graph():
    from conftest import make_reports
    text = ("根据省委统一部署,省委第二巡视组对省甲厅进行了常规巡视。印发《某某办法》。\n中共某省甲厅党组\n2020年9月11日\n"
            "根据省委统一部署,省委第三巡视组对省乙厅进行了常规巡视。印发《某某办法》。\n")
    reports = make_reports(text)
    for rep in reports:
        at = text.index("某某办法", rep.span.start)
        rep.add("Document", "某某办法", Span(at, at + 4), scope="global")
    quads = to_quads(reports, resolve(reports, per_kind=False))
    counts = Counter(q.triple for q in quads)
    assert max(counts.values()) == 1
    labels = [q for q in quads if q.predicate.value.endswith("#label") and q.object.value == "某某办法"]
    assert [q.graph_name for q in labels] == [ENTITIES_GRAPH]
    mentions = [q for q in quads if q.predicate.value.endswith("#mention")]
    assert sorted(q.graph_name.value for q in mentions) == sorted(report_iri(r).value for r in reports)
