"""`kg.open_graph`: an rdflib Graph over the Oxigraph store, read-only, seeing all reports at once."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

import kg
from kg import store as kgstore
from kg.vocab import XS, XSR
from test_store import distinct_triples, sample_dataset

TEAM_OF_SHANGWUTING = """SELECT ?team WHERE {
    ?i xs:inspectedUnit/rdfs:label|xs:inspectedUnit/skos:altLabel "省商务厅"@zh ; xs:team/rdfs:label ?team }"""


@pytest.fixture(scope="module")
def store_dir(seed_build) -> Path:
    out, _ = seed_build
    return out / "store"


@pytest.fixture(scope="module")
def graph(store_dir: Path) -> rdflib.Graph:
    return kg.open_graph(store_dir)


def test_query_with_project_prefixes(graph: rdflib.Graph) -> None:
    rows = list(graph.query(TEAM_OF_SHANGWUTING))
    assert [str(r.team) for r in rows] == ["省委第八巡视组"]
    assert rows[0].team == Literal("省委第八巡视组", lang="zh")


def test_answers_like_kg_query(graph: rdflib.Graph, store_dir: Path) -> None:
    q = "SELECT ?p ?name WHERE { ?p a xs:Person ; rdfs:label ?name } ORDER BY ?p"
    mine = [(str(r.p), str(r.name)) for r in graph.query(q)]
    theirs = [tuple(row) for row in kgstore.query(store_dir, q).rows]
    assert mine == theirs and len(mine) > 10
    ask = graph.query('ASK { ?p rdfs:label "宋彦麟"@zh }')
    assert ask.askAnswer is True


def test_iterating_sees_every_report(graph: rdflib.Graph, store_dir: Path) -> None:
    n_distinct = kgstore.stats(store_dir)["triples"]
    assert len(graph) == n_distinct
    units = {s for s in graph.subjects(RDF.type, XS.Unit)}
    shangwuting = [u for u in units if (u, RDFS.label, Literal("辽宁省商务厅", lang="zh")) in graph]
    assert len(shangwuting) == 1
    reports = set(graph.subjects(RDF.type, XS.Report))
    assert len(reports) == 16  # each lives in its own named graph; the default graph is their union


def test_named_graphs_are_reachable(graph: rdflib.Graph) -> None:
    rows = list(graph.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?r a xs:Report } }"))
    assert len(rows) == 16 and all(str(r.g).startswith(str(XSR["report/"])) for r in rows)
    assert isinstance(graph, rdflib.Dataset)
    ids = {g.identifier for g in graph.graphs()}
    assert {r.g for r in rows} <= ids


def test_read_only(graph: rdflib.Graph, store_dir: Path) -> None:
    before = len(graph)
    with pytest.raises(RuntimeError):
        graph.add((URIRef("urn:x"), RDFS.label, Literal("x")))
    with pytest.raises(Exception):
        graph.update("INSERT DATA { <urn:x> <urn:y> <urn:z> }")
    assert len(graph) == before
    assert not kgstore.query(store_dir, "ASK { <urn:x> ?p ?o }").boolean


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(kgstore.StoreNotFound):
        kg.open_graph(tmp_path / "none")


def test_store_with_merged_graph_counts_each_triple_once(tmp_path: Path) -> None:
    """A store saved from an rdflib Dataset holds the merge of its graphs too; no triple is seen twice."""
    ds = sample_dataset()
    kgstore.save(ds, tmp_path / "store", include_ontology=False)
    g = kg.open_graph(tmp_path / "store")
    assert sum(1 for _ in g) == distinct_triples(ds) == len(g)
    rows = list(g.query("SELECT ?l WHERE { ?u a xs:Unit ; rdfs:label ?l }"))
    assert sorted(str(r.l) for r in rows) == ["省委第三巡视组", "辽宁省商务厅"]


def test_importing_kg_stays_cheap() -> None:
    code = ("import sys, kg; assert 'rdflib' not in sys.modules and 'oxrdflib' not in sys.modules; "
            "f = kg.open_graph; import kg.graph; assert f is kg.graph.open_graph; "
            "assert 'oxrdflib' in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
    with pytest.raises(AttributeError):
        kg.no_such_thing  # noqa: B018
