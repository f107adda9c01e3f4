"""An interactive HTML view of the graph (pyvis / vis-network), one self-contained UTF-8 file.

What it avoids, from pyvis's own tracker: CDN scripts that break offline (#228, #229) — every script and
style is inlined from the copy pyvis ships, and the Bootstrap links are dropped; non-ASCII mangled by the
locale encoding (#222) — the file is written as UTF-8 by us, not by ``Network.write_html``.
Safety: all document text reaching the page is HTML-escaped before it is put into a tooltip.
"""
from __future__ import annotations

import contextlib
import html
import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import pyvis
from pyvis.network import Network
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg import ontology
from kg.vocab import PREFIXES, XS

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
HIDDEN_EDGES = {RDF.type, XS.mention, XS.inReport}
NAME_PREDICATES = {RDFS.label, SKOS.altLabel}
MAX_LABEL = 24
MAX_SENTENCES = 3
_VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
_NETWORK_NEW = "network = new vis.Network(container, data, options);"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _curie(term: URIRef) -> str:
    s = str(term)
    for prefix, ns in PREFIXES.items():
        if s.startswith(str(ns)) and len(s) > len(str(ns)):
            return f"{prefix}:{s[len(str(ns)):]}"
    return s


def _zh(term: URIRef) -> str:
    """The ontology's Chinese name for a term, else its CURIE."""
    return ontology.label(term, "zh") or _curie(term)


def _as_graph(graph: Graph) -> Graph:
    """A Dataset's named graphs merged into one graph (the view does not care which report said what)."""
    if not graph.context_aware:
        return graph
    merged = Graph()
    for s, p, o, _ in graph.quads((None, None, None, None)):  # type: ignore[attr-defined]
        merged.add((s, p, o))
    return merged


def _class_of(g: Graph, node: Node) -> URIRef | None:
    types = set(g.objects(node, RDF.type))
    return next((c for c in CLASS_STYLE if c in types), None)


def _name(g: Graph, node: Node) -> str:
    labels = list(g.objects(node, RDFS.label))
    zh = [l for l in labels if isinstance(l, Literal) and l.language == "zh"]
    for candidates in (zh, labels, list(g.objects(node, DCTERMS.title)), list(g.objects(node, XS.dueDate)),
                       list(g.objects(node, XS.sourceFile))):
        if candidates:
            return str(sorted(candidates)[0])
    return _curie(node) if isinstance(node, URIRef) else str(node)


def _short(text: str, n: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _sentence_html(sentence: str, surface: str | None) -> str:
    """The sentence, escaped, with the mention's surface in bold."""
    if surface and surface in sentence:
        before, _, after = sentence.partition(surface)
        return f"{_esc(before)}<b>{_esc(surface)}</b>{_esc(after)}"
    return _esc(sentence)


def _tooltip(g: Graph, node: URIRef, cls: URIRef, nodes: set[URIRef]) -> str:
    parts = [f"<div class='kg-tip'><b>{_esc(_name(g, node))}</b>",
             f"<div>类别 class: {_esc(_zh(cls))} ({_esc(_curie(cls))})</div>"]
    names = sorted({str(o) for p in NAME_PREDICATES for o in g.objects(node, p)} - {_name(g, node)})
    if names:
        parts.append(f"<div>{_esc(_zh(SKOS.altLabel))}: {_esc('、'.join(names))}</div>")
    for p, o in sorted(g.predicate_objects(node)):
        if p in NAME_PREDICATES or p in HIDDEN_EDGES or o in nodes:
            continue
        if isinstance(o, Literal) or (isinstance(o, URIRef) and ontology.label(o, "zh")):
            value = str(o) if isinstance(o, Literal) else _zh(o)
            parts.append(f"<div>{_esc(_zh(p))}: {_esc(_short(value, 200))}</div>")
    mentions = sorted(g.objects(node, XS.mention), key=lambda m: (str(g.value(m, XS.inReport)),
                                                                  int(g.value(m, XS.start) or 0)))
    sentences: dict[str, str | None] = {}  # sentence → the surface to bold; a sentence naming it twice once
    for m in mentions:
        if (sentence := g.value(m, XS.sentence)) is not None and str(sentence) not in sentences:
            surface = g.value(m, XS.surface)
            sentences[str(sentence)] = str(surface) if surface is not None else None
    if sentences:
        items = "".join(f"<li>{_sentence_html(s, sf)}</li>" for s, sf in list(sentences.items())[:MAX_SENTENCES])
        parts.append(f"<div>出处 mentions ({len(mentions)}):</div><ol>{items}</ol>")
    parts.append(f"<div class='kg-iri'>{_esc(_curie(node))}</div></div>")
    return "".join(parts)


def _page_header(title: str, classes: Counter[URIRef], shown: int, total: int) -> str:
    legend = "".join(
        f"<span class='kg-key'><span style='color:{color}'>{glyph}</span> {_esc(_zh(c))} "
        f"<small>{_esc(_curie(c))} ({classes[c]})</small></span>"
        for c, (color, _shape, glyph) in CLASS_STYLE.items() if classes[c])
    note = ""
    if shown < total:
        note = (f"<p class='kg-note'>图中显示连接最多的 {shown} 个节点，另有 {total - shown} 个未显示（共 {total} 个）。"
                f" Showing the {shown} most connected of {total} nodes; {total - shown} left out.</p>")
    return f"<header id='kg-header'><h1>{_esc(title)}</h1><div class='kg-legend'>{legend}</div>{note}</header>"


_STYLE = """<style>
body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
#kg-header { padding: 8px 16px; border-bottom: 1px solid #ddd; }
#kg-header h1 { font-size: 20px; margin: 4px 0 8px; }
.kg-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 14px; }
.kg-key span { font-size: 18px; }
.kg-note { color: #a33; font-size: 13px; margin: 6px 0 0; }
.card { border: 0; }
div.vis-tooltip { white-space: normal; max-width: 520px; font-family: inherit; font-size: 13px; line-height: 1.5; }
.kg-tip ol { margin: 4px 0; padding-left: 20px; }
.kg-iri { color: #888; font-size: 11px; }
</style>
"""

# vis-network shows a string title as plain text; ours are built from escaped pieces, so turn them into
# elements. Then let physics lay the graph out once and stop, so it holds still to be read.
_SCRIPT = """
                  (function () {
                      var updates = [];
                      nodes.forEach(function (n) {
                          if (n.tip) { var el = document.createElement("div"); el.innerHTML = n.tip;
                                       updates.push({id: n.id, title: el}); }
                      });
                      nodes.update(updates);
                  })();
                  network = new vis.Network(container, data, options);
                  network.once("stabilizationIterationsDone", function () {
                      network.setOptions({physics: {enabled: false}});
                  });"""

_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']https?://[^\"']*[\"'][^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']https?://[^\"']*[\"'][^>]*>", re.I | re.S)


def _inline_remote(match: re.Match[str]) -> str:
    """A CDN tag for vis-network becomes the inlined copy pyvis ships; any other CDN tag is dropped."""
    tag = match.group(0)
    if "vis-network" in tag and tag.lower().startswith("<script"):
        return "<script>" + (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8") + "</script>"
    if "vis-network" in tag:
        return "<style>" + (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8") + "</style>"
    return ""


def _script_json(data: object) -> str:
    """JSON safe inside <script>, with Chinese kept as UTF-8 (Jinja's tojson writes \\uXXXX escapes)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _data_line(page: str, name: str, data: object) -> str:
    """Swap the one-line ``<name> = new vis.DataSet(...);`` pyvis wrote for our UTF-8 JSON."""
    pattern = re.compile(rf"^(\s*{name} = new vis\.DataSet\().*(\);)$", re.M)
    page, n = pattern.subn(lambda m: m.group(1) + _script_json(data) + m.group(2), page, count=1)
    if n != 1:
        raise RuntimeError(f"unexpected pyvis template: no one-line {name} DataSet")
    return page


def _postprocess(page: str, net: Network, title: str, header: str) -> str:
    page = _data_line(page, "nodes", net.nodes)
    page = _data_line(page, "edges", net.edges)
    page = _REMOTE_TAG.sub(_inline_remote, page)
    page = re.sub(r"<!--\s*<link[^>]*node_modules.*?-->", "", page, flags=re.S)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    if _NETWORK_NEW not in page:
        raise RuntimeError("unexpected pyvis template: cannot find where the network is created")
    page = page.replace(_NETWORK_NEW, _SCRIPT.strip(), 1)
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="zh">', 1)
    page = page.replace('<meta charset="utf-8">', f'<meta charset="utf-8">\n<title>{_esc(title)}</title>', 1)
    page = page.replace("</head>", _STYLE + "</head>", 1)
    page = re.sub(r"<body>", lambda _m: "<body>\n" + header, page, count=1)
    return page


def write_html(graph: Graph, path: Path, *, max_nodes: int = 400, title: str = "xunshi-kg",
               total: int | None = None) -> None:
    """Draw ``graph`` to a self-contained HTML file at ``path``.

    One node per extracted thing (not mentions, not literals), coloured and shaped by class, labelled with
    its Chinese name; edges labelled with the ontology's Chinese property names. Above ``max_nodes`` the
    most connected things are kept and the page says how many were left out. ``total`` is the number of
    things in the whole graph when ``graph`` is already a selection of it (``kg.rdf.view_graph``).
    """
    g = _as_graph(graph)
    classes = {s: c for s in set(g.subjects(RDF.type, None)) if isinstance(s, URIRef) and (c := _class_of(g, s))}
    pairs: dict[tuple[URIRef, URIRef], set[URIRef]] = defaultdict(set)
    for s, p, o in g:
        if s in classes and o in classes and s != o and p not in HIDDEN_EDGES:
            pairs[(s, o)].add(p)  # type: ignore[index]
    degree: Counter[URIRef] = Counter()
    for s, o in pairs:
        degree[s] += 1
        degree[o] += 1
    order = list(CLASS_STYLE)
    ranked = sorted(classes, key=lambda n: (-degree[n], order.index(classes[n]), str(n)))
    kept = set(ranked[:max_nodes])

    net = Network(height="780px", width="100%", directed=True, cdn_resources="in_line", heading="")
    net.options = {
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
                    "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "color": {"inherit": False},
                  "font": {"size": 10, "align": "middle"},
                  "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.1}},
        "nodes": {"font": {"size": 14}},
    }
    things = set(classes)
    for n in ranked[:max_nodes]:
        color, shape, _glyph = CLASS_STYLE[classes[n]]
        net.add_node(str(n), label=_short(_name(g, n)), shape=shape, color=color,
                     size=12 + min(degree[n], 20), tip=_tooltip(g, n, classes[n], things))
    for (s, o), preds in sorted(pairs.items()):
        if s in kept and o in kept:
            label = " / ".join(sorted(_zh(p) for p in preds))
            net.add_edge(str(s), str(o), label=label, title=" / ".join(sorted(_curie(p) for p in preds)),
                         color="#999999")
    header = _page_header(title, Counter(classes[n] for n in kept), len(kept), max(total or 0, len(classes)))
    page = _postprocess(net.generate_html(), net, title, header)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")




# -- views (kg.viz) -> pages ---------------------------------------------------------------------------
# The page is written by us from a small template, not by pyvis's Jinja one: only vis-network (the copy
# pyvis ships) and pyvis's options format are reused. Everything is in the one file; the view's data go
# in a <script type="application/json"> block as escaped JSON, and the panel is filled with textContent,
# so no document text is ever parsed as HTML.

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


def view_page(view, *, title: str | None = None) -> str:
    """The HTML text of a view (kg.viz.View), per the page contract."""
    from kg.viz import CLASSES, OTHER, class_label
    title = title or view.title
    counts = Counter(n.cls for n in view.nodes)
    present = [c for c in (*CLASSES, OTHER) if counts[c]]
    style = {c: {"color": STYLE_BY_NAME[c][0], "shape": STYLE_BY_NAME[c][1], "zh": class_label(c)} for c in present}
    legend = "".join(
        f"<label class='kg-key'><input type='checkbox' class='kg-class-filter' value='{_esc(c)}' checked> "
        f"<span class='kg-glyph' style='color:{STYLE_BY_NAME[c][0]}'>{STYLE_BY_NAME[c][2]}</span> "
        f"{_esc(class_label(c))} <small>{_esc(c)} ({counts[c]})</small></label>" for c in present)
    data = {
        "nodes": [n.as_json() for n in view.nodes],
        "edges": [{"from": e.source, "to": e.target, "predicate": e.predicate, "label": e.label} for e in view.edges],
        "style": style,
        "options": _view_options(len(view.nodes), len(view.edges)),
    }
    note = f"<p id='kg-note'>{_esc(view.note)}</p>" if view.note else ""
    js, css = _vis_assets()
    return "".join((
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
    ))


def _write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_view(view, path: Path, *, title: str | None = None) -> None:
    """Write a view (kg.viz.View) as one self-contained UTF-8 HTML page at ``path``, atomically."""
    _write_atomic(Path(path), view_page(view, title=title))


def write_report_pages(store, out_dir: Path, *, max_nodes: int | None = None) -> int:
    """Write ``reports/<slug>.html`` under ``out_dir`` for every report; return how many.

    ``store``: a pyoxigraph Store, a store folder, or a list of ``ox.Quad`` (the build's quads; they are put
    in an in-memory store, which reads ten times faster than the one on disk)."""
    from kg import viz
    store = _as_store(store)
    kwargs = {} if max_nodes is None else {"max_nodes": max_nodes}
    n = 0
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


__all__ = ["write_html", "write_view", "view_page", "write_report_pages", "write_graph_view", "CLASS_STYLE", "STYLE_BY_NAME"]
