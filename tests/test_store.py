"""The Oxigraph layer on a small handmade dataset: save, query, export, stats, failure paths."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import rdflib
from rdflib import Dataset, Literal, URIRef
import rdflib.namespace as ns
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from kg import store
from kg.ontology import ONTOLOGY_TTL
from kg.store import QueryResult, SparqlSyntaxError, StoreNotFound
from kg.vocab import XS, XSR

ATTACK = "<script>alert(1)</script>"
SENTENCE = f"辽宁省商务厅（以下简称省商务厅）高度重视巡视反馈意见{ATTACK}。"


def sample_dataset() -> Dataset:
    """Two reports, one named graph each, sharing the unit 辽宁省商务厅 (so one triple sits in both)."""
    ds = Dataset()
    unit, team, insp = XSR["unit/liaoning-shangwuting"], XSR["unit/team-3"], XSR["inspection/1"]
    person, post, doc = XSR["person/zhang-san"], XSR["post/1"], XSR["document/1"]
    for i in (1, 2):
        report = XSR[f"report/{i}"]
        g = ds.graph(URIRef(str(report)))
        g.add((report, RDF.type, XS.Report))
        g.add((report, XS.sourceFile, Literal(f"00{i}.txt")))
        g.add((report, DCTERMS.title, Literal(f"中共辽宁省商务厅党组关于巡视整改情况的通报（{i}）", lang="zh")))
        g.add((report, DCTERMS.issued, Literal("2020-03-11", datatype=ns.XSD.date)))
        g.add((report, DCTERMS.publisher, unit))
        g.add((unit, RDF.type, XS.Unit))  # in both graphs: one distinct triple, two quads
        g.add((unit, RDFS.label, Literal("辽宁省商务厅", lang="zh")))
        m = XSR[f"mention/{i}-1"]
        g.add((unit, XS.mention, m))
        g.add((m, RDF.type, XS.Mention))
        g.add((m, XS.inReport, report))
        g.add((m, XS.start, Literal(0)))
        g.add((m, XS.end, Literal(6)))
        g.add((m, XS.surface, Literal("辽宁省商务厅")))
        g.add((m, XS.sentence, Literal(SENTENCE)))
    g = ds.graph(URIRef(str(XSR["report/1"])))
    g.add((XSR["report/1"], XS.reportsOn, insp))
    g.add((XSR["report/1"], XS.cites, doc))
    g.add((unit, SKOS.altLabel, Literal("省商务厅", lang="zh")))
    g.add((insp, RDF.type, XS.Inspection))
    g.add((insp, RDFS.label, Literal("省委第三巡视组对辽宁省商务厅的巡视", lang="zh")))
    g.add((insp, XS.team, team))
    g.add((insp, XS.inspectedUnit, unit))
    g.add((insp, XS.inspectionType, Literal("常规巡视")))
    g.add((team, RDF.type, XS.InspectionTeam))
    g.add((team, RDF.type, XS.Unit))
    g.add((team, RDFS.label, Literal("省委第三巡视组", lang="zh")))
    g.add((person, RDF.type, XS.Person))
    g.add((person, RDFS.label, Literal("张三", lang="zh")))
    g.add((person, ORG.holds, post))
    g.add((post, RDF.type, XS.Post))
    g.add((post, RDFS.label, Literal("厅长", lang="zh")))
    g.add((post, ORG.postIn, unit))
    g.add((doc, RDF.type, XS.Document))
    g.add((doc, RDFS.label, Literal(f"关于加强管理的若干规定{ATTACK}", lang="zh")))
    g.add((doc, XS.issuedBy, unit))
    g.add((doc, XS.docNumber, Literal("辽商发〔2019〕1号")))
    return ds


def quad_count(ds: Dataset) -> int:
    return sum(1 for _ in ds.quads((None, None, None, None)))


def distinct_triples(ds: Dataset) -> int:
    return len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})


ONTOLOGY_TRIPLES = len(rdflib.Graph().parse(ONTOLOGY_TTL))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("kg") / "store"
    store.save(sample_dataset(), store_dir)
    return store_dir


def test_save_writes_quads_ontology_and_merged_graph(built: Path) -> None:
    ds = sample_dataset()
    s = store.open_store(built)
    graphs = {g.value for g in s.named_graphs()}
    assert graphs == {str(XSR["report/1"]), str(XSR["report/2"]), "https://w3id.org/xunshi-kg/ontology",
                      store.UNION_GRAPH.value}
    merged = sum(1 for _ in s.quads_for_pattern(None, None, None, store.UNION_GRAPH))
    assert merged == distinct_triples(ds) + ONTOLOGY_TRIPLES
    assert len(s) == quad_count(ds) + ONTOLOGY_TRIPLES + merged


def test_a_triple_in_two_reports_counts_once(built: Path) -> None:
    """The reason for the merged graph: pyoxigraph 0.5's union default graph double-counts (oxigraph #1919)."""
    r = store.query(built, "SELECT (COUNT(*) AS ?n) WHERE { xsr:unit\\/liaoning-shangwuting a xs:Unit }")
    assert r.rows == [["1"]]
    r = store.query(built, "SELECT ?g WHERE { GRAPH ?g { xsr:unit\\/liaoning-shangwuting a xs:Unit } } ORDER BY ?g")
    assert r.rows == [[str(XSR["report/1"])], [str(XSR["report/2"])]], "GRAPH ?g sees the report graphs only"


def test_select_sees_union_with_predeclared_prefixes(built: Path) -> None:
    r = store.query(built, "SELECT ?label ?alt WHERE { ?u a xs:Unit ; rdfs:label ?label . "
                           "OPTIONAL { ?u skos:altLabel ?alt } } ORDER BY ?label")
    assert isinstance(r, QueryResult) and r.kind == "select"
    assert r.variables == ["label", "alt"]
    assert r.rows == [["省委第三巡视组", None], ["辽宁省商务厅", "省商务厅"]]
    # the SPARQL JSON keeps the language tag the plain rows drop
    assert r.json["results"]["bindings"][1]["label"] == {"type": "literal", "value": "辽宁省商务厅", "xml:lang": "zh"}


def test_query_own_prefix_declaration_wins(built: Path) -> None:
    r = store.query(built, "PREFIX xs: <http://example.org/nothing#> SELECT ?u WHERE { ?u a xs:Unit }")
    assert r.rows == []


def test_select_iri_and_numbers(built: Path) -> None:
    r = store.query(built, "SELECT ?m ?start WHERE { xsr:report\\/1 ^xs:inReport ?m . ?m xs:start ?start }")
    assert r.rows == [[str(XSR["mention/1-1"]), "0"]]


def test_ask(built: Path) -> None:
    assert store.query(built, "ASK { ?i xs:inspectedUnit/skos:altLabel \"省商务厅\"@zh }").boolean is True
    r = store.query(built, "ASK { ?p a xs:Problem }")
    assert r.kind == "ask" and r.boolean is False and r.json == {"head": {}, "boolean": False}


def test_construct_returns_turtle(built: Path) -> None:
    r = store.query(built, "CONSTRUCT { ?i xs:team ?t } WHERE { ?i xs:team ?t }")
    assert r.kind == "graph"
    g = rdflib.Graph().parse(data=r.graph_ttl, format="turtle")
    assert set(g) == {(XSR["inspection/1"], XS.team, XSR["unit/team-3"])}
    assert "@prefix xs:" in r.graph_ttl


def test_describe(built: Path) -> None:
    r = store.query(built, "DESCRIBE xsr:person\\/zhang-san")
    g = rdflib.Graph().parse(data=r.graph_ttl, format="turtle")
    assert (XSR["person/zhang-san"], ORG.holds, XSR["post/1"]) in g


def test_syntax_error_is_one_clear_exception(built: Path) -> None:
    with pytest.raises(SparqlSyntaxError, match=r"1:\d+"):
        store.query(built, "SELECT * WHERE { ?s ?p }")


@pytest.mark.parametrize("fmt,parse_as,quads", [
    ("turtle", "turtle", False), ("nt", "nt", False), ("jsonld", "json-ld", False),
    ("nquads", "nquads", True), ("trig", "trig", True),
])
def test_export_round_trips(built: Path, fmt: str, parse_as: str, quads: bool) -> None:
    data = store.export(built, fmt)
    assert isinstance(data, bytes)
    ds = sample_dataset()
    if quads:
        back = Dataset()
        back.parse(data=data, format=parse_as)
        assert quad_count(back) == quad_count(ds) + ONTOLOGY_TRIPLES
        assert len(list(back.graphs())) >= 3
    else:
        back_g = rdflib.Graph().parse(data=data, format=parse_as)
        assert len(back_g) == distinct_triples(ds) + ONTOLOGY_TRIPLES
        assert (XSR["unit/liaoning-shangwuting"], SKOS.altLabel, Literal("省商务厅", lang="zh")) in back_g
    if fmt in ("turtle", "trig"):
        assert b"@prefix xs: <https://w3id.org/xunshi-kg/ontology#>" in data
    if fmt == "jsonld":
        assert "@context" in json.loads(data)


def test_export_unknown_format(built: Path) -> None:
    with pytest.raises(ValueError, match="turtle"):
        store.export(built, "rdfxml")


def test_stats(built: Path) -> None:
    st = store.stats(built)
    ds = sample_dataset()
    assert st["quads"] == quad_count(ds) + ONTOLOGY_TRIPLES
    assert st["triples"] == distinct_triples(ds) + ONTOLOGY_TRIPLES
    assert st["named_graphs"] == 3 and st["report_graphs"] == 2
    assert st["classes"]["Report"] == 2
    assert st["classes"]["Unit"] == 2  # the unit and the team (typed xs:Unit too)
    assert st["classes"]["InspectionTeam"] == 1
    assert st["classes"]["Mention"] == 2
    assert st["classes"]["Problem"] == 0
    assert "Status" not in st["classes"]


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="kg build"):
        store.query(tmp_path / "nope", "ASK {}")
    assert not (tmp_path / "nope").exists(), "opening must not create an empty store"


def test_save_replaces_previous_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    store.save(sample_dataset(), store_dir)
    ds = Dataset()
    ds.graph(URIRef("urn:g")).add((XSR["unit/x"], RDF.type, XS.Unit))
    store.save(ds, store_dir)
    assert store.stats(store_dir)["classes"]["Unit"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"], "no temporary directories left behind"


def test_failed_save_keeps_old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_dir = tmp_path / "store"
    store.save(sample_dataset(), store_dir)

    def boom(_ds: rdflib.Graph) -> bytes:
        raise RuntimeError("serialization failed")

    monkeypatch.setattr(store, "_nquads", boom)
    with pytest.raises(RuntimeError):
        store.save(sample_dataset(), store_dir)
    assert store.stats(store_dir)["classes"]["Report"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_refuses_to_replace_a_non_store_directory(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError):
        store.save(sample_dataset(), tmp_path)
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"


def _graph_nquads(ds: Dataset) -> dict:
    """Each named graph of ``ds`` as its own N-Quads, as the build hands them to the loader."""
    import pyoxigraph as ox

    out = {}
    for g in ds.graphs():
        if len(g):
            data = Dataset()
            data.graph(g.identifier).__iadd__(g)
            out[ox.NamedNode(str(g.identifier))] = data.serialize(format="nquads", encoding="utf-8")
    return out


def _store_quads(store_dir: Path) -> set[str]:
    return {str(q) for q in store.open_store(store_dir)}


def test_loader_batches_and_compaction_keep_every_quad(tmp_path: Path) -> None:
    """Graphs loaded one small batch at a time, then compacted, make the same store as one batch unsqueezed."""
    graphs = _graph_nquads(sample_dataset())
    assert len(graphs) == 2
    with store.GraphLoader(tmp_path / "one", compact_after=1 << 40) as loader:
        for graph, data in graphs.items():
            loader.replace(graph, data)
    loader = store.GraphLoader(tmp_path / "many", first_batch=1, batch_bytes=2, compact_after=0)
    with loader:
        for graph, data in graphs.items():
            loader.replace(graph, data)
            assert not loader._batch  # over batch_bytes: handed over at once, the loader idle or not
    assert loader._loaded == sum(map(len, graphs.values()))
    assert _store_quads(tmp_path / "many") == _store_quads(tmp_path / "one")
    assert len(_store_quads(tmp_path / "one")) == quad_count(sample_dataset())


def test_an_idle_loader_is_given_a_batch_at_once_and_batches_grow_with_the_load(tmp_path: Path) -> None:
    graphs = list(_graph_nquads(sample_dataset()).items())
    with store.GraphLoader(tmp_path / "s", first_batch=1, batch_bytes=1 << 20) as loader:
        assert loader.least_batch() == 1
        for graph, data in graphs:
            deadline = time.monotonic() + 60
            while loader._done != loader._handed:  # wait for the loader to be idle (it has little to do)
                assert time.monotonic() < deadline, "the loader never finished its batch"
                time.sleep(0.01)
            loader.replace(graph, data)
            assert not loader._batch  # far under batch_bytes, but the loader had nothing to do
        loaded = loader._loaded
        loader._loaded = 800_000  # as if that much had been loaded: a batch is then at least an eighth of it
        assert loader.least_batch() == 100_000
        loader._loaded = 80 << 20
        assert loader.least_batch() == 1 << 20  # never over batch_bytes
        loader._loaded = loaded
    assert len(_store_quads(tmp_path / "s")) == quad_count(sample_dataset())


def test_the_new_store_is_closed_before_it_is_moved_into_place(tmp_path: Path) -> None:
    """RocksDB writes into its folder until it is closed: a store moved while open logs errors (its close
    cannot write the MANIFEST; a compaction running then fails, and RocksDB sleeps a second after it)."""
    with store.GraphLoader(tmp_path / "s") as loader:
        for graph, data in _graph_nquads(sample_dataset()).items():
            loader.replace(graph, data)
    store.save(sample_dataset(), tmp_path / "saved")
    for folder in (tmp_path / "s", tmp_path / "saved"):
        log = (folder / "LOG").read_text(encoding="utf-8", errors="replace")
        assert "[ERROR]" not in log
    assert {p.name for p in tmp_path.iterdir()} == {"s", "saved"}  # no temporary folder left behind
