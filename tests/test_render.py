"""The HTML pages of views: self-contained (no CDN, no request), UTF-8, escaped, per the page contract."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg import viz as _viz
from kg.render import view_page, write_view

# -- pages of views (kg.viz.View → kg.render.write_view), per the page contract ---------------------


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

    monkeypatch.setattr("kg.files.os.replace", boom)
    with pytest.raises(OSError):
        write_view(handmade_view(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["v.html"], "no temporary file left behind"


def test_the_pages_network_is_pyvis_and_keeps_the_views_fields(view_html: str) -> None:
    data = _view_data(view_html)
    unit = next(n for n in data["nodes"] if n["label"] == "辽宁省商务厅")
    assert (unit["shape"], unit["color"]) == ("dot", "#1f77b4")  # pyvis's node, styled by class
    assert unit["cls"] == "Unit" and unit["alt"] == ["省商务厅"] and unit["mentions"][0]["m"] == "省商务厅"
    (edge,) = data["edges"]
    assert edge["arrows"] == "to" and edge["predicate"] == "xs:inspectedUnit"  # a directed pyvis edge


def test_the_networks_node_ids_answer_membership_from_a_set_and_still_check_like_pyvis() -> None:
    """pyvis tests ``id in node_ids`` for every node and edge it adds; ours answer from a set beside the
    list, and pyvis's own checks (one node per id, no edge to an unknown node) still hold."""
    from kg.render import _network

    view = _viz.synthetic_view(300, seed=3)
    net = _network(view)
    assert net.get_nodes() == [n.id for n in view.nodes] and len(net.edges) == len(view.edges)
    assert view.nodes[7].id in net.get_nodes() and "urn:nowhere" not in net.get_nodes()
    net.add_node(view.nodes[0].id, label="again")  # an id it has: ignored, as pyvis does
    assert len(net.nodes) == 300 and net.nodes[0]["label"] == view.nodes[0].label
    with pytest.raises(AssertionError, match="non existent node"):
        net.add_edge(view.nodes[0].id, "urn:nowhere")
