"""The HTML view: self-contained (no CDN), UTF-8, escaped, one node per extracted thing."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.render import write_html
from kg.vocab import XS, XSR
from test_store import ATTACK, sample_dataset

REMOTE = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.I)


def _data(page: str, name: str) -> list[dict]:
    m = re.search(rf"^\s*{name} = new vis\.DataSet\((.*)\);$", page, re.M)
    assert m, f"no {name} DataSet in the page"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("html") / "sub" / "graph.html"
    write_html(sample_dataset(), path, title="巡视整改 <图>")
    raw = path.read_bytes()
    return raw.decode("utf-8")  # must be UTF-8 whatever the locale


def test_self_contained(page: str) -> None:
    assert not REMOTE.search(page), REMOTE.search(page).group(0)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    assert "bootstrap" not in page.lower()
    assert "vis-network" in page and len(page) > 300_000, "vis-network JS/CSS should be inlined"
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page


def test_chinese_labels_in_utf8(page: str) -> None:
    assert "辽宁省商务厅" in page and "省商务厅" in page
    labels = {n["label"] for n in _data(page, "nodes")}
    assert {"辽宁省商务厅", "省委第三巡视组", "张三", "厅长"} <= labels
    edge_labels = {e["label"] for e in _data(page, "edges")}
    assert {"担任", "所属单位", "被巡视单位", "巡视组", "发布单位", "制发单位"} <= edge_labels


def test_document_text_is_escaped(page: str) -> None:
    assert "<script>alert(1)" not in page
    tips = " ".join(n["tip"] for n in _data(page, "nodes"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tips
    assert ATTACK not in tips
    assert "巡视整改 &lt;图&gt;" in page  # the title too


def test_one_node_per_thing(page: str) -> None:
    nodes = {n["id"]: n for n in _data(page, "nodes")}
    assert len(nodes) == 8  # 2 reports, unit, team, inspection, person, post, document
    assert not any("/mention/" in i for i in nodes)
    team = nodes[str(XSR["unit/team-3"])]
    assert team["shape"] == "star", "the most specific class (InspectionTeam) decides the style"
    assert len({n["color"] for n in nodes.values()}) == 7


def test_tooltip_has_class_names_and_sentences(page: str) -> None:
    unit = next(n for n in _data(page, "nodes") if n["label"] == "辽宁省商务厅")
    assert "单位" in unit["tip"] and "xs:Unit" in unit["tip"]
    assert "省商务厅" in unit["tip"]  # the alternative name
    assert "出处 mentions (2)" in unit["tip"]
    assert unit["tip"].count("<li>") == 1, "both mentions are in the same sentence: shown once"
    assert "<b>辽宁省商务厅</b>（以下简称" in unit["tip"]  # the surface in bold inside its sentence


def test_legend_and_physics_stop(page: str) -> None:
    assert "kg-legend" in page and "巡视组/巡察组" in page
    assert '"stabilization": {"enabled": true' in page
    assert 'network.once("stabilizationIterationsDone"' in page
    assert "physics: {enabled: false}" in page


def test_max_nodes_keeps_most_connected(tmp_path: Path) -> None:
    path = tmp_path / "g.html"
    write_html(sample_dataset(), path, max_nodes=3)
    page = path.read_text(encoding="utf-8")
    nodes = {n["id"] for n in _data(page, "nodes")}
    assert len(nodes) == 3
    assert str(XSR["unit/liaoning-shangwuting"]) in nodes  # degree 5, the hub
    assert "另有 5 个未显示" in page and "5 left out" in page
    assert all(e["from"] in nodes and e["to"] in nodes for e in _data(page, "edges"))


def test_plain_graph_and_at_most_three_sentences(tmp_path: Path) -> None:
    g = Graph()
    unit = XSR["unit/a"]
    g.add((unit, RDF.type, XS.Unit))
    g.add((unit, XS.mention, XSR["mention/x"]))
    for i in range(5):
        m = XSR[f"mention/{i}"]
        g.add((unit, XS.mention, m))
        g.add((m, XS.start, Literal(i)))
        g.add((m, XS.sentence, Literal(f"第{i}句。")))
    path = tmp_path / "g.html"
    write_html(g, path)
    (node,) = _data(path.read_text(encoding="utf-8"), "nodes")
    assert node["label"] == "xsr:unit/a"  # no label: the compact IRI
    assert node["tip"].count("<li>") == 3 and "(6)" in node["tip"]


# -- pages of views (kg.viz.View → kg.render.write_view), per the page contract ---------------------

from kg import viz as _viz  # noqa: E402
from kg.render import view_page, write_view  # noqa: E402

EVIL = "<script>alert(1)</script>"


def _view_data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert m, "no kg-data block"
    return json.loads(m.group(1))


def handmade_view() -> _viz.View:
    unit = _viz.Node("https://w3id.org/xunshi-kg/resource/unit/a", "辽宁省商务厅", "Unit", ["省商务厅"],
                     [("开始日期", "2019-10-25")],
                     [_viz.Mention(f"省商务厅说{EVIL}。", "省商务厅", 0, "a.txt 第1篇 & <b>", "a.txt")], 1)
    team = _viz.Node("https://w3id.org/xunshi-kg/resource/inspectionteam/b", "省委第八巡视组", "InspectionTeam")
    return _viz.View(f"视图 {EVIL}", [unit, team],
                     [_viz.Edge(team.id, unit.id, "xs:inspectedUnit", "被巡视单位")], total=2)


@pytest.fixture(scope="module")
def view_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("view") / "deep" / "v.html"
    write_view(handmade_view(), path)
    return path.read_bytes().decode("utf-8")


def test_view_page_self_contained(view_html: str) -> None:
    assert not re.search(r"<[a-z]+\b[^>]*\b(src|href)\s*=", view_html, re.I), "no element with src= or href="
    assert not re.search(r"url\(\s*(?![\"']?data:)", view_html), "CSS loads nothing but data: URIs"
    assert "@import" not in view_html
    assert not re.search(r"https?://(?!w3id\.org/xunshi-kg/|www\.w3\.org/)[^\s\"'<>]*\.(js|css|woff2?|png|svg)", view_html)
    assert "sourceMappingURL" not in view_html
    assert view_html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in view_html
    assert len(view_html) > 400_000, "vis-network inlined"


def test_view_page_contract_ids(view_html: str) -> None:
    for needle in ('id="kg-data"', "id='kg-search'", "id='kg-search-status'", "id='kg-legend'", "id='kg-panel'",
                   "class='kg-class-filter' value='Unit' checked", "value='InspectionTeam'",
                   "window.kgNetwork", "window.kgReady = true", "window.kgSelect", "physics: {enabled: false}"):
        assert needle in view_html, needle
    assert not re.search(r"id=[\"']kg-omitted", view_html), "nothing left out: no note"
    assert "单位" in view_html and "巡视组/巡察组" in view_html  # the legend's Chinese class names


def test_view_page_escapes_document_text(view_html: str) -> None:
    assert EVIL not in view_html
    assert "&lt;b&gt;" not in view_html and "a.txt 第1篇 & <b>" not in view_html  # only in the escaped JSON
    assert "视图 &lt;script&gt;alert(1)&lt;/script&gt;" in view_html  # title
    data = _view_data(view_html)
    unit = data["nodes"][0]
    assert unit["mentions"][0]["s"] == f"省商务厅说{EVIL}。"  # intact as data, shown with textContent
    assert unit["mentions"][0]["r"] == "a.txt 第1篇 & <b>"
    assert data["edges"][0]["label"] == "被巡视单位"
    assert "辽宁省商务厅" in view_html  # Chinese as UTF-8, not \\u escapes


def test_view_page_omitted_note() -> None:
    view = _viz.synthetic_view(60)
    big = _viz._limit(view, 25)
    page = view_page(big)
    assert re.search(r"id=[\"']kg-omitted", page) and "另有 35 个未显示（共 60 个）" in page and "35 left out" in page
    assert len(_view_data(page)["nodes"]) == 25


def test_empty_view_is_ready_at_once(tmp_path: Path) -> None:
    path = tmp_path / "e.html"
    write_view(_viz.View("空"), path)
    page = path.read_text(encoding="utf-8")
    assert "if (DATA.nodes.length === 0) { stop(); }" in page


def test_write_view_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v.html"
    path.write_text("old", encoding="utf-8")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("kg.render.os.replace", boom)
    with pytest.raises(OSError):
        write_view(handmade_view(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["v.html"], "no temporary file left behind"


def test_synthetic_5000_writes_fast(tmp_path: Path) -> None:
    import time
    view = _viz.synthetic_view(5000)
    write_view(_viz.synthetic_view(10), tmp_path / "warm.html")
    t = time.perf_counter()
    write_view(view, tmp_path / "big.html")
    assert time.perf_counter() - t < 2.0
