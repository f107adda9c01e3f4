"""An interactive HTML view of the graph (pyvis / vis-network), one self-contained UTF-8 file.

A view (kg.viz.View) becomes a pyvis Network, whose nodes and edges the page hands to vis-network. The page
itself is ours, not pyvis's template, because of what pyvis's own tracker records: CDN scripts that break
offline (#228, #229), so vis-network's JS and CSS are inlined from the copy pyvis ships; non-ASCII mangled
by the locale encoding (#222), so the file is written as UTF-8 by us. The page carries the search, the
class filter, the legend and the provenance panel (the page contract in tests/test_browser.py).
Safety: document text enters the page as JSON escaped for <script> and is shown with textContent.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pyvis
from pyvis.network import Network
from rdflib import URIRef

from kg.collector import collector_paused, older_objects_frozen
from kg.files import write_atomic
from kg.vocab import XS

# class → (colour, vis shape, legend glyph); most specific first (an InspectionTeam is also a Unit).
CLASS_STYLE: dict[URIRef, tuple[str, str, str]] = {
    XS.Report: ("#7f7f7f", "box", "▭"),
    XS.Inspection: ("#d62728", "diamond", "◆"),
    XS.InspectionTeam: ("#ff7f0e", "star", "★"),
    XS.Unit: ("#1f77b4", "dot", "●"),
    XS.Person: ("#2ca02c", "triangle", "▲"),
    XS.Post: ("#8fd16f", "triangleDown", "▼"),
    XS.Document: ("#9467bd", "square", "■"),
    XS.Program: ("#e377c2", "hexagon", "⬢"),
    XS.Deadline: ("#bcbd22", "ellipse", "⬭"),
    XS.Problem: ("#17becf", "dot", "●"),
}
_VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(data: object) -> str:
    """JSON safe inside <script>, with Chinese kept as UTF-8 (Jinja's tojson writes \\uXXXX escapes)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


STYLE_BY_NAME: dict[str, tuple[str, str, str]] = {
    **{str(c)[len(str(XS)):]: style for c, style in CLASS_STYLE.items()}, "Other": ("#aaaaaa", "dot", "●")}


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS, read once per process, without the source-map comment (a request)."""
    drop = re.compile(r"^\s*(//|/\*)#\s*sourceMappingURL=.*$", re.M)
    js = drop.sub("", (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"))
    css = drop.sub("", (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8"))
    if re.search(r"</script", js, re.I) or re.search(r"</style", css, re.I):
        raise RuntimeError("vis-network's bundled files cannot be inlined safely")
    return js, css


def _physics(n_nodes: int) -> dict:
    """Stabilisation bounded by size; physics is switched off when it is done (see _VIEW_SCRIPT)."""
    iterations = 600 if n_nodes <= 100 else 300 if n_nodes <= 500 else 200 if n_nodes <= 2000 else 100
    return {"enabled": True, "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 50, "fit": True},
            "adaptiveTimestep": True}


def _view_options(n_nodes: int, n_edges: int) -> dict:
    big = n_nodes > 1000
    return {
        "physics": _physics(n_nodes),
        "layout": {"improvedLayout": n_nodes <= 150, "randomSeed": 7},
        "interaction": {"hover": not big, "tooltipDelay": 200, "hideEdgesOnDrag": big, "navigationButtons": False,
                        "multiselect": False},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "color": {"color": "#999999", "inherit": False},
                  "font": {"size": 10, "align": "middle", "color": "#555555"},
                  "smooth": False if n_edges > 1500 else {"enabled": True, "type": "continuous"}},
        "nodes": {"font": {"size": 14}, "size": 14},
    }


_VIEW_CSS = """
html, body { margin: 0; height: 100%; }
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif;
       display: flex; flex-direction: column; color: #222; }
#kg-header { padding: 6px 14px; border-bottom: 1px solid #ddd; }
#kg-header h1 { font-size: 18px; margin: 2px 0 6px; }
.kg-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; font-size: 14px; }
#kg-search { font-size: 14px; padding: 3px 6px; width: 16em; }
#kg-search-status { color: #a33; min-width: 6em; }
#kg-legend { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 13px; margin-top: 4px; }
.kg-key { cursor: pointer; white-space: nowrap; }
.kg-glyph { font-size: 17px; }
.kg-key small { color: #777; }
#kg-omitted, #kg-note { color: #a33; font-size: 13px; margin: 4px 0 0; }
#kg-main { flex: 1; display: flex; min-height: 0; }
#kg-graph { flex: 1; min-width: 0; position: relative; }
#kg-panel { width: 380px; max-width: 40%; overflow-y: auto; border-left: 1px solid #ddd; padding: 8px 14px;
            font-size: 13px; line-height: 1.55; }
#kg-panel h2 { font-size: 16px; margin: 4px 0; }
#kg-panel .kg-cls { color: #555; }
#kg-panel dl { margin: 4px 0; } #kg-panel dt { float: left; clear: left; color: #777; margin-right: 6px; }
#kg-panel dd { margin: 0 0 2px 0; }
#kg-panel ol { padding-left: 20px; } #kg-panel li { margin-bottom: 6px; }
#kg-panel mark { background: #ffe066; }
#kg-panel .kg-src, #kg-panel .kg-iri { color: #888; font-size: 11px; word-break: break-all; }
div.vis-tooltip { font-family: inherit; font-size: 13px; white-space: normal; max-width: 420px; }
"""

_VIEW_SCRIPT = r"""
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var STYLE = DATA.style, byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  function short(s, n) { s = s.replace(/\s+/g, " "); return s.length <= n ? s : s.slice(0, n - 1) + "\u2026"; }
  var nodes = new vis.DataSet(DATA.nodes.map(function (n) {
    var st = STYLE[n.cls];
    return {id: n.id, label: short(n.label, 24) + (n.cap ? "\n" + n.cap : ""), shape: st.shape,
            color: st.color, title: n.label + " \u00b7 " + st.zh, cls: n.cls};
  }));
  var edges = new vis.DataSet(DATA.edges.map(function (e, i) {
    return {id: i, from: e.from, to: e.to, label: e.label, title: e.predicate};
  }));
  var container = document.getElementById("kg-graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, DATA.options);
  window.kgNetwork = network;
  window.kgReady = false;
  var stopped = false;
  function stop() {
    if (stopped) { return; }
    stopped = true;
    network.setOptions({physics: {enabled: false}});
    window.kgReady = true;
  }
  if (DATA.nodes.length === 0) { stop(); }
  else {
    network.once("stabilizationIterationsDone", stop);
    network.once("stabilized", stop);
    setTimeout(function () { if (!stopped) { network.stopSimulation(); stop(); } }, 60000);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  var panel = document.getElementById("kg-panel");
  function fill(id) {
    var n = byId[id];
    panel.textContent = "";
    if (!n) { return; }
    var st = STYLE[n.cls];
    panel.appendChild(el("div", st.zh + " (" + n.cls + ")", "kg-cls"));
    panel.appendChild(el("h2", n.label, "kg-label"));
    var dl = el("dl");
    if (n.alt.length) { dl.appendChild(el("dt", "\u522b\u540d")); dl.appendChild(el("dd", n.alt.join("\u3001"), "kg-alt")); }
    n.info.forEach(function (kv) { dl.appendChild(el("dt", kv[0])); dl.appendChild(el("dd", kv[1])); });
    panel.appendChild(dl);
    if (n.mentions.length) {
      panel.appendChild(el("div", "\u51fa\u5904 mentions (" + n.nm + ")", "kg-mentions-title"));
      var ol = el("ol", null, "kg-mentions");
      n.mentions.forEach(function (m) {
        var li = el("li"), a = m.a, s = m.s;
        if (a < 0 && m.m) { a = s.indexOf(m.m); }
        if (a >= 0 && m.m) {
          li.appendChild(document.createTextNode(s.slice(0, a)));
          li.appendChild(el("mark", s.slice(a, a + m.m.length)));
          li.appendChild(document.createTextNode(s.slice(a + m.m.length)));
        } else { li.appendChild(document.createTextNode(s)); }
        li.appendChild(el("div", m.r + (m.f && m.r.indexOf(m.f) < 0 ? " \u00b7 " + m.f : ""), "kg-src"));
        ol.appendChild(li);
      });
      panel.appendChild(ol);
    }
    panel.appendChild(el("div", n.id, "kg-iri"));
  }
  function select(id, focus) {
    if (!byId[id]) { return false; }
    var item = nodes.get(id);
    if (item && item.hidden) {
      nodes.update({id: id, hidden: false});
    }
    network.selectNodes([id]);
    if (focus) { network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: false}); }
    fill(id);
    return true;
  }
  window.kgSelect = function (id) { return select(id, true); };
  network.on("click", function (p) { if (p.nodes.length) { select(p.nodes[0], false); } });

  var status = document.getElementById("kg-search-status");
  function best(q) {
    var ql = q.toLowerCase(), top = null, topScore = null;
    DATA.nodes.forEach(function (n) {
      var label = n.label.toLowerCase(), alts = n.alt.map(function (a) { return a.toLowerCase(); }), r = null;
      if (label === ql) { r = 0; }
      else if (alts.indexOf(ql) >= 0) { r = 1; }
      else if (label.indexOf(ql) === 0) { r = 2; }
      else if (label.indexOf(ql) > 0) { r = 3; }
      else if (alts.some(function (a) { return a.indexOf(ql) >= 0; })) { r = 4; }
      if (r === null) { return; }
      var score = [r, n.label.length];
      if (top === null || score[0] < topScore[0] || (score[0] === topScore[0] && score[1] < topScore[1])) {
        top = n; topScore = score;
      }
    });
    return top;
  }
  document.getElementById("kg-search").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    ev.preventDefault();
    var q = this.value.trim();
    if (!q) { status.textContent = ""; return; }
    var n = best(q);
    if (!n) { status.textContent = "\u672a\u627e\u5230\u300c" + q + "\u300d not found"; return; }
    status.textContent = "";
    var box = document.querySelector('.kg-class-filter[value="' + n.cls + '"]');
    if (box && !box.checked) { box.checked = true; setClass(n.cls, true); }
    window.kgSelect(n.id);
  });
  function setClass(cls, on) {
    nodes.update(DATA.nodes.filter(function (n) { return n.cls === cls; })
                 .map(function (n) { return {id: n.id, hidden: !on}; }));
  }
  Array.prototype.forEach.call(document.querySelectorAll(".kg-class-filter"), function (box) {
    box.addEventListener("change", function () { setClass(box.value, box.checked); });
  });
})();
"""


def _omitted_note(view) -> str:
    from kg.viz import class_label
    if not view.n_omitted:
        return ""
    shown, total = len(view.nodes), view.total
    parts_zh = "、".join(f"{class_label(c)} {n}" for c, n in sorted(view.omitted.items(), key=lambda x: -x[1]))
    parts_en = ", ".join(f"{c} {n}" for c, n in sorted(view.omitted.items(), key=lambda x: -x[1]))
    return (f"<p id='kg-omitted'>图中显示连接最多的 {shown} 个节点，另有 {view.n_omitted} 个未显示（共 {total} 个）："
            f"{_esc(parts_zh)}。 Showing the {shown} most connected of {total} nodes; "
            f"{view.n_omitted} left out: {_esc(parts_en)}.</p>")


class _NodeIds(list):
    """pyvis's list of node ids, with a set beside it: pyvis asks ``id in node_ids`` for every node and both
    ends of every edge it adds, a scan of the list each time (quadratic in the nodes of a view)."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set = set()

    def append(self, item) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item) -> bool:
        return item in self._members


def _network(view) -> Network:
    """The view as a pyvis Network: its nodes and edges are what the page hands vis-network.

    The page is not pyvis's own template (it links CDNs, pyvis #228/#229, and has no room for the panel,
    search and filter), so only the network is pyvis's; a node keeps the view's fields (class, names,
    mentions) for the panel."""
    net = Network(directed=True)
    net.node_ids = _NodeIds()
    for node in view.nodes:
        fields = node.as_json()
        colour, shape = STYLE_BY_NAME[node.cls][:2]
        net.add_node(fields.pop("id"), label=fields.pop("label"), shape=shape, color=colour, **fields)
    for edge in view.edges:
        net.add_edge(edge.source, edge.target, label=edge.label, predicate=edge.predicate)
    return net


def _page_pieces(view, title: str | None) -> list[str | bytes]:
    """The page of a view in order: its own text as str, vis-network's JS and CSS as UTF-8 bytes (half of
    every page, the same in each: encoded once, not copied into and out of each page's text)."""
    from kg.viz import CLASSES, OTHER, class_label
    title = title or view.title
    counts = Counter(n.cls for n in view.nodes)
    present = [c for c in (*CLASSES, OTHER) if counts[c]]
    style = {c: {"color": STYLE_BY_NAME[c][0], "shape": STYLE_BY_NAME[c][1], "zh": class_label(c)} for c in present}
    legend = "".join(
        f"<label class='kg-key'><input type='checkbox' class='kg-class-filter' value='{_esc(c)}' checked> "
        f"<span class='kg-glyph' style='color:{STYLE_BY_NAME[c][0]}'>{STYLE_BY_NAME[c][2]}</span> "
        f"{_esc(class_label(c))} <small>{_esc(c)} ({counts[c]})</small></label>" for c in present)
    net = _network(view)
    data = {"nodes": net.nodes, "edges": net.edges, "style": style,
            "options": _view_options(len(view.nodes), len(view.edges))}
    note = f"<p id='kg-note'>{_esc(view.note)}</p>" if view.note else ""
    js, css = _vis_assets_utf8()
    return [
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_esc(title)}</title>\n<style>\n", css, "\n</style>\n<style>", _VIEW_CSS, "</style>\n</head>\n<body>\n",
        f"<header id='kg-header'><h1>{_esc(title)}</h1>\n<div class='kg-tools'>"
        "<input id='kg-search' type='search' placeholder='搜索名称 search by name' autocomplete='off'>"
        "<span id='kg-search-status' role='status'></span></div>\n",
        f"<div id='kg-legend'>{legend}</div>\n{_omitted_note(view)}{note}</header>\n",
        "<div id='kg-main'><div id='kg-graph'></div>"
        "<aside id='kg-panel'><p class='kg-hint'>点击节点查看详情与出处。Click a node for its names and mentions.</p></aside></div>\n",
        "<script>\n", js, "\n</script>\n",
        '<script type="application/json" id="kg-data">', _script_json(data), "</script>\n",
        "<script>", _VIEW_SCRIPT, "</script>\n</body>\n</html>\n",
    ]


@lru_cache(maxsize=1)
def _vis_assets_utf8() -> tuple[bytes, bytes]:
    js, css = _vis_assets()
    return js.encode("utf-8"), css.encode("utf-8")


def view_page(view, *, title: str | None = None) -> str:
    """The HTML text of a view (kg.viz.View), per the page contract."""
    return "".join(p.decode("utf-8") if isinstance(p, bytes) else p for p in _page_pieces(view, title))


def write_view(view, path: Path, *, title: str | None = None) -> None:
    """Write a view (kg.viz.View) as one self-contained UTF-8 HTML page at ``path``, atomically."""
    with collector_paused():
        page = b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in _page_pieces(view, title))
    write_atomic(Path(path), page)


def write_report_pages(store, out_dir: Path, *, max_nodes: int | None = None) -> int:
    """Write ``reports/<slug>.html`` under ``out_dir`` for every report; return how many.

    ``store``: a pyoxigraph Store, a store folder, or a list of ``ox.Quad`` (the build's quads; they are read
    in Python, which is much faster than reading any store, kg.viz.report_views)."""
    from kg import viz
    store = _as_store(store) if isinstance(store, (str, Path)) else store  # quads: viz reads them as they are
    kwargs = {} if max_nodes is None else {"max_nodes": max_nodes}
    n = 0
    with older_objects_frozen() as freeze:
        freeze()  # the build's heap (reports, things, quads): a third of the pages' time otherwise
        for slug, view in viz.report_views(store, **kwargs):
            write_view(view, Path(out_dir) / "reports" / f"{slug}.html")
            n += 1
    return n


def write_graph_view(store, path: Path, *, max_nodes: int | None = None) -> None:
    """Write the corpus overview (graph.html) from ``store`` (as for write_report_pages)."""
    from kg import viz
    kwargs = {} if max_nodes is None else {"max_nodes": max_nodes}
    write_view(viz.overview(_as_store(store), **kwargs), path)


def _as_store(source):
    """A store from a store, a store folder, or the build's quads (then in memory: much faster to read)."""
    import pyoxigraph as ox

    from kg import viz
    from kg.store import open_store
    if isinstance(source, (str, Path)):
        return open_store(Path(source))
    if isinstance(source, ox.Store):
        return source
    return viz.memory_store(source)


__all__ = ["write_view", "view_page", "write_report_pages", "write_graph_view", "CLASS_STYLE", "STYLE_BY_NAME"]
