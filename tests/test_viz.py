"""Graph views from the store (kg.viz) and the `kg viz` command, on the seed build."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import render, viz
from kg.cli import app
from kg.store import open_store

REPORT = "000_27b93d8875c74f18-1"
XSR = "https://w3id.org/xunshi-kg/resource/"
REMOTE = re.compile(r"<[a-z]+\b[^>]*\b(src|href)\s*=", re.I)  # an element loading or linking anything


@pytest.fixture(scope="module")
def store(seed_build):
    out, _summary = seed_build
    return open_store(out / "store")


@pytest.fixture(scope="module")
def store_dir(seed_build) -> Path:
    return seed_build[0] / "store"


def labels(view: viz.View) -> set[str]:
    return {n.label for n in view.nodes} | {a for n in view.nodes for a in n.alt}


def test_overview_small_with_reports_teams_units(store) -> None:
    view = viz.overview(store)
    classes = Counter(n.cls for n in view.nodes)
    assert classes["Report"] == 16 and classes["Inspection"] == 16
    assert classes["InspectionTeam"] >= 10 and classes["Unit"] >= 10
    assert len(view.nodes) < 16 * 8, "tens of nodes per report, not thousands"
    assert not view.omitted
    assert "省委第八巡视组" in labels(view) and "省商务厅" in labels(view)
    report = next(n for n in view.nodes if n.id == XSR + "report/" + REPORT)
    assert report.caption and report.caption.startswith("问题 ") and "文件" in report.caption
    assert dict(report.info)["反馈问题"].isdigit()
    preds = {e.predicate for e in view.edges}
    assert {"xs:reportsOn", "xs:team", "xs:inspectedUnit"} <= preds
    assert any(e.label == "巡视组" for e in view.edges), "edge labels are the ontology's @zh labels"


def test_report_view(store) -> None:
    for ref in (REPORT, XSR + "report/" + REPORT):
        view = viz.report_view(store, ref)
        assert {"省商务厅", "省委第八巡视组"} <= labels(view)
        assert XSR + "report/" + REPORT in {n.id for n in view.nodes}
    unit = next(n for n in view.nodes if "省商务厅" in n.alt)
    assert unit.cls == "Unit" and unit.mentions and unit.n_mentions >= len(unit.mentions)
    m = unit.mentions[0]
    assert m.report.endswith("第1篇"), "the report's own mentions come first"
    assert m.sentence[m.start:m.start + len(m.surface)] == m.surface
    assert len(unit.mentions) <= viz.MAX_MENTIONS


def test_unknown_report(store) -> None:
    with pytest.raises(viz.ViewError, match="kg query"):
        viz.report_view(store, "no-such-report")


def test_focus_view(store) -> None:
    view = viz.focus_view(store, "宋彦麟", depth=1)
    classes = Counter(n.cls for n in view.nodes)
    assert classes["Person"] == 1 and classes["Post"] >= 2
    assert "厅长" in labels(view)
    assert all(e.predicate == "org:holds" for e in view.edges)
    assert len(viz.focus_view(store, "宋彦麟", depth=2).nodes) > len(view.nodes)
    with pytest.raises(viz.ViewError):
        viz.focus_view(store, "没有这个名字")


def test_focus_limit_keeps_the_focus(store) -> None:
    view = viz.focus_view(store, "省商务厅", depth=2, max_nodes=10)
    assert len(view.nodes) == 10 and view.total > 10 and view.n_omitted == view.total - 10
    assert any("省商务厅" in n.alt for n in view.nodes)


def test_construct_view(store) -> None:
    view = viz.construct_view(store, "CONSTRUCT { ?i xs:team ?t ; xs:inspectedUnit ?u } "
                                     "WHERE { ?i xs:team ?t ; xs:inspectedUnit ?u }")
    assert Counter(n.cls for n in view.nodes)["Inspection"] == 16
    assert {e.predicate for e in view.edges} == {"xs:team", "xs:inspectedUnit"}
    assert "省委第八巡视组" in labels(view)
    with pytest.raises(viz.ViewError, match="CONSTRUCT"):
        viz.construct_view(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_report_pages(store, tmp_path: Path) -> None:
    assert render.write_report_pages(store, tmp_path) == 16
    page = (tmp_path / "reports" / f"{REPORT}.html").read_text(encoding="utf-8")
    assert "省委第八巡视组" in page and 'id="kg-data"' in page
    assert not REMOTE.search(page)
    quads = list(store.quads_for_pattern(None, None, None, None))
    again = tmp_path / "again"
    assert render.write_report_pages(quads, again) == 16
    assert sorted(p.name for p in (again / "reports").iterdir()) == sorted(p.name for p in (tmp_path / "reports").iterdir())
    # quads are read in Python, not through a store: the same pages, byte for byte
    for page in (tmp_path / "reports").iterdir():
        assert (again / "reports" / page.name).read_bytes() == page.read_bytes(), page.name


def test_memory_store_from_nquads(store) -> None:
    """The store the build draws its views from, loaded from N-Quads bytes (no GIL) or from Python quads:
    the same quads, so the same overview."""
    import pyoxigraph as ox
    from kg.store import ONTOLOGY_GRAPH

    quads = [q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ONTOLOGY_GRAPH]
    from_bytes = viz.memory_store(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    from_quads = viz.memory_store(quads)
    assert len(from_bytes) == len(from_quads) == len(quads)
    assert set(from_bytes) == set(from_quads)
    assert render.view_page(viz.overview(from_bytes)) == render.view_page(viz.overview(from_quads))


def test_synthetic_view() -> None:
    view = viz.synthetic_view(300)
    assert len(view.nodes) == 300 and len(view.edges) >= 299
    ids = {n.id for n in view.nodes}
    assert all(e.source in ids and e.target in ids for e in view.edges)


# -- the command ------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(app, ["viz", *args])


def test_cli_views(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.html"
    r = run("--store", str(store_dir), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "64 nodes" in r.output or "nodes" in r.output
    assert out.read_bytes().decode("utf-8").count("<html") == 1
    r = run("--store", str(store_dir), "--report", REPORT, "--out", str(tmp_path / "r.html"))
    assert r.exit_code == 0, r.output
    r = run("--store", str(store_dir), "--focus", "省商务厅", "--depth", "2", "--max-nodes", "5",
            "--out", str(tmp_path / "f.html"))
    assert r.exit_code == 0 and "left out" in r.output, r.output
    assert re.search(r"id=[\"']kg-omitted[\"']", (tmp_path / "f.html").read_text(encoding="utf-8"))
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?i xs:team ?t } WHERE { ?i xs:team ?t }", encoding="utf-8")
    r = run("--store", str(store_dir), "--query", str(rq), "--out", str(tmp_path / "q.html"))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("args, message", [
    (["--report", "nope"], "kg query"),
    (["--focus", "没有这个名字"], "nothing is named"),
    (["--report", REPORT, "--focus", "省商务厅"], "at most one"),
])
def test_cli_errors(store_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    r = run("--store", str(store_dir), "--out", str(tmp_path / "x.html"), *args)
    assert r.exit_code == 2
    assert message in r.output
    assert not (tmp_path / "x.html").exists()


def test_cli_bad_query_and_missing_store(store_dir: Path, tmp_path: Path) -> None:
    rq = tmp_path / "s.rq"
    rq.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    r = run("--store", str(store_dir), "--query", str(rq), "--out", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "CONSTRUCT" in r.output
    rq.write_text("CONSTRUCT {", encoding="utf-8")
    assert run("--store", str(store_dir), "--query", str(rq), "--out", str(tmp_path / "x.html")).exit_code == 2
    r = run("--store", str(tmp_path / "none"), "--out", str(tmp_path / "x.html"))
    assert r.exit_code == 2 and "kg build" in r.output


def test_a_reports_page_name_is_one_short_safe_file_name() -> None:
    from kg.rdf import _report_iri

    long_name = viz.slug(_report_iri("中" * 200, 0).value)
    assert len(long_name) <= viz.MAX_SLUG and "/" not in long_name and not long_name.endswith("%")
    assert long_name != viz.slug(_report_iri("中" * 199 + "文", 0).value)  # the hash keeps them apart
    for stem in ("../evil", "a b/c", "..\\x"):
        name = viz.slug(_report_iri(stem, 0).value)
        assert "/" not in name and "\\" not in name and name not in (".", "..")


def test_a_report_view_from_its_graph_and_the_shared_things_is_the_store_s_view_of_the_two(store) -> None:
    """What the build's page writers draw (one report's graph over the shared things, read in Python) is
    what report_view draws from a store holding those two graphs; nothing of other reports comes in."""
    import pyoxigraph as ox
    from kg.rdf import ENTITIES_GRAPH

    report = ox.NamedNode(XSR + "report/" + REPORT)
    own = list(store.quads_for_pattern(None, None, None, report))
    shared = list(store.quads_for_pattern(None, None, None, ENTITIES_GRAPH))
    view = viz.report_view_of_graph(own, viz.SharedThings(shared))
    expected = viz.report_view(viz.memory_store(own + shared), report.value)
    assert render.view_page(view) == render.view_page(expected)
    sentences = {m.sentence for n in view.nodes for m in n.mentions}
    own_sentences = {q.object.value for q in own if q.predicate.value.endswith("#sentence")}
    assert sentences and sentences <= own_sentences  # every sentence shown comes from this report
    with pytest.raises(viz.ViewError, match="not the graph of one report"):
        viz.report_view_of_graph(shared, viz.SharedThings(shared))


def test_the_collector_is_paused_in_the_block_and_as_it_was_after() -> None:
    import gc

    from kg.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError):
        with collector_paused():
            raise KeyError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left disabled, as the caller had it
    finally:
        gc.enable()


def test_a_report_graph_over_the_shared_things_merges_a_things_triples_once_and_copies_nothing_else() -> None:
    below = {"a": [("p", 1)], "b": [("p", 2)]}
    above = {"b": [("q", 3)], "c": [("q", 4)]}
    overlay = viz._Overlay(below, above)
    assert overlay.get("a") is below["a"] and overlay.get("c") is above["c"] and overlay.get("d") == ()
    merged = overlay.get("b")
    assert merged == [("p", 2), ("q", 3)] and overlay.get("b") is merged  # read again: the same list
    assert below["b"] == [("p", 2)] and above["b"] == [("q", 3)]  # neither side changed


def test_the_quad_index_reads_a_report_graph_as_the_store_does(store) -> None:
    """_QuadIndex.of (the build's page writers) finds the things _REPORT_THINGS finds in the store, each
    subject's triples as the store has them, and the report; a repeated quad counts once."""
    import pyoxigraph as ox

    report = ox.NamedNode(XSR + "report/" + REPORT)
    own = list(store.quads_for_pattern(None, None, None, report))
    index = viz._QuadIndex.of(own + own[:50])
    assert index.reports == {report.value}
    res = store.query(viz._REPORT_THINGS % str(report), prefixes=viz.PREFIX_MAP)
    assert index.things[report.value] == {sol["x"].value for sol in res}
    subject = own[0].subject.value
    assert sorted(index.triples.get(subject)) == sorted(
        (q.predicate.value, str(q.object)) for q in own if q.subject.value == subject)
    assert viz._QuadIndex.of([ox.Quad(own[0].subject, own[0].predicate, own[0].object, viz.UNION_GRAPH)]) is None
