"""An interactive HTML view of the graph (pyvis / vis-network), one self-contained UTF-8 file.

What it avoids, from pyvis's own tracker: CDN scripts that break offline (#228, #229) — every script and
style is inlined from the copy pyvis ships, and the Bootstrap links are dropped; non-ASCII mangled by the
locale encoding (#222) — the file is written as UTF-8 by us, not by ``Network.write_html``.
Safety: all document text reaching the page is HTML-escaped before it is put into a tooltip.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
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


__all__ = ["write_html", "CLASS_STYLE"]
