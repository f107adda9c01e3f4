"""The overview page ``index.html``: what was read, every inspection, two charts, the most-cited documents.

One self-contained UTF-8 file, as the graph views are: no script, style, font or image is loaded from
anywhere. The charts are pygal's SVG, inlined (``js=[]``, and the inline config script pygal still adds is
dropped, since nothing reads it); each bar gets an SVG ``<title>`` so the browser shows its count on hover
without any script. All text from the documents is HTML-escaped (the SVG is escaped by pygal's XML writer).

Everything comes from the store by SPARQL (a few small queries, sorted here, not in Oxigraph, whose string
comparisons are slow), so the page shows what ``kg query`` shows. The page is written whole or not at all
(a temporary file, then a rename) and is the same bytes for the same store and summary (no dates, no
random ids). Links: ``graph.html`` and, per inspection, ``reports/<slug>.html``, where slug is the last
path segment of the report's IRI.
"""
from __future__ import annotations

import dataclasses
import html
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote

import pyoxigraph as ox

from kg.files import write_atomic
from kg.store import open_store, run_query
from kg.vocab import XS_IRI

COMPLETED = XS_IRI + "Completed"
IN_PROGRESS = XS_IRI + "InProgress"
MAX_DOCUMENTS = 30  # rows of the most-cited table
MAX_GAP = 6  # the deadline chart draws up to this many empty months in a row, a longer run as one "…"
GAP_LABEL = "…"

# Status categories of the stacked bar: a partition of the problems by xs:status and xs:longTerm (the
# reports mark 长期坚持 beside 已完成 or 正在整改, rarely alone): (key, legend, colour). A category no
# problem falls in is left out of the chart.
STATUS_SERIES = (
    ("completed", "已完成 completed", "#3f8f52"),
    ("completed_lt", "已完成·长期坚持 completed, long-term", "#93c99f"),
    ("in_progress_lt", "正在整改·长期坚持 in progress, long-term", "#f3c57e"),
    ("in_progress", "正在整改 in progress", "#e08a1e"),
    ("long_term", "长期坚持 long-term", "#4f81bd"),
    ("no_status", "未说明 no status", "#bdbdbd"),
)
DEADLINE_SERIES = (
    ("completed", "已完成 completed", "#4a9c5d"),
    ("open", "未完成 open", "#d0564b"),
)
FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
         '"WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif')

_INSPECTIONS = """
SELECT ?inspection ?team ?unit ?start ?end ?feedback ?type ?report ?report_label ?issued WHERE {
  ?inspection a xs:Inspection .
  OPTIONAL { ?inspection xs:team/rdfs:label ?team }
  OPTIONAL { ?inspection xs:inspectedUnit/rdfs:label ?unit }
  OPTIONAL { ?inspection xs:startDate ?start }
  OPTIONAL { ?inspection xs:endDate ?end }
  OPTIONAL { ?inspection xs:feedbackDate ?feedback }
  OPTIONAL { ?inspection xs:inspectionType ?type }
  OPTIONAL { ?report xs:reportsOn ?inspection .
             OPTIONAL { ?report dcterms:issued ?issued }
             OPTIONAL { ?report rdfs:label ?report_label } }
}"""
# counted in SPARQL (one row per report and status, not per problem: half the time)
_PROBLEMS = """
SELECT ?report ?status ?long_term (COUNT(?problem) AS ?n) WHERE {
  ?problem xs:report ?report .
  OPTIONAL { ?problem xs:status ?status }
  OPTIONAL { ?problem xs:longTerm ?long_term }
} GROUP BY ?report ?status ?long_term"""
_DEADLINES = """
SELECT ?due ?status (COUNT(?problem) AS ?n) WHERE {
  ?problem xs:deadline/xs:dueDate ?due .
  OPTIONAL { ?problem xs:status ?status }
} GROUP BY ?due ?status"""
_COUNTS = """
SELECT ?class (COUNT(?thing) AS ?n) WHERE {
  VALUES ?class { xs:Report xs:Inspection xs:Unit xs:InspectionTeam xs:Person xs:Document xs:Program
                  xs:Problem }
  ?thing a ?class
} GROUP BY ?class"""
# the answer of `kg query most-cited-documents` (tested), in a shape Oxigraph runs ten times faster: the
# threshold in HAVING rather than a FILTER on a substituted parameter
_CITED = """
SELECT ?document ?reports ?doc_number WHERE {
  { SELECT ?d (COUNT(DISTINCT ?report) AS ?reports) WHERE { ?report xs:cites ?d }
    GROUP BY ?d HAVING (COUNT(DISTINCT ?report) >= %d) }
  ?d rdfs:label ?document .
  OPTIONAL { ?d xs:docNumber ?doc_number }
}"""
_FILES = "SELECT (COUNT(DISTINCT ?file) AS ?n) WHERE { ?report a xs:Report ; xs:sourceFile ?file }"


@dataclass
class Inspection:
    iri: str
    team: str = ""
    unit: str = ""
    start: str = ""
    end: str = ""
    feedback: str = ""
    types: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # report IRIs
    report_labels: dict[str, str] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    problems: Counter = field(default_factory=Counter)  # status category → count


# -- helpers ----------------------------------------------------------------------------------------

def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _add(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


def report_slug(report_iri: str) -> str:
    """The name of a report's page: ``…/report/000_27b93d8875c74f18-1`` → ``000_27b93d8875c74f18-1``
    (kg.viz.slug, which the pages are written under)."""
    from kg.viz import slug

    return slug(report_iri)


def report_href(report_iri: str) -> str:
    """The link to a report's own page, relative to index.html."""
    return f"reports/{quote(report_slug(report_iri), safe='-_.~')}.html"


def _natural(text: str) -> tuple:
    """Sort key with digit runs as numbers: report -2 before report -10."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def _rows(store: ox.Store, sparql: str) -> list[dict[str, str | None]]:
    result = run_query(store, sparql)
    return [dict(zip(result.variables, row)) for row in result.rows]


def _status_of(status: str | None, long_term: str | None) -> str:
    """The STATUS_SERIES key of a problem with this xs:status and xs:longTerm."""
    lasting = long_term in ("true", "1")
    if status == COMPLETED:
        return "completed_lt" if lasting else "completed"
    if status == IN_PROGRESS:
        return "in_progress_lt" if lasting else "in_progress"
    return "long_term" if lasting else "no_status"


def _month_key(due: str) -> tuple[int, int] | None:
    """(year, month) of an ISO date or year-month; (year, 13) for a year alone (due by its end)."""
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?", due)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else 13


def _month_label(key: tuple[int, int] | None) -> str:
    if key is None:
        return GAP_LABEL
    year, month = key
    return f"{year}年内" if month == 13 else f"{year}-{month:02d}"


def _ordinal(key: tuple[int, int]) -> float:
    """Months since year 0; a year-only bucket sits between that year's December and the next January."""
    year, month = key
    return year * 12 + (11.5 if month == 13 else month - 1)


def _month_range(keys: Iterable[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """The buckets of the time axis: every month from the first key to the last (a year-only key after its
    December), except that a run of more than MAX_GAP empty months becomes one ``None`` (drawn as …)."""
    present = sorted(set(keys), key=_ordinal)
    axis: list[tuple[int, int] | None] = []
    for i, key in enumerate(present):
        if i:
            lo, hi = math.floor(_ordinal(present[i - 1])) + 1, math.ceil(_ordinal(key))
            if hi - lo > MAX_GAP:
                axis.append(None)
            else:
                axis.extend((n // 12, n % 12 + 1) for n in range(lo, hi))
        axis.append(key)
    return axis


# -- reading the store ------------------------------------------------------------------------------

@dataclass
class OverviewData:
    inspections: list[Inspection]
    counts: dict[str, int]
    files: int
    status_by_unit: dict[str, Counter]
    deadlines: dict[tuple[int, int], Counter]
    documents: list[tuple[str, int, str]]  # (label, reports citing it, document number)
    problems: Counter


def read_overview(store: ox.Store) -> OverviewData:
    """Everything the page shows, from a few queries on an open store."""
    inspections: dict[str, Inspection] = {}
    for row in _rows(store, _INSPECTIONS):
        it = inspections.setdefault(row["inspection"] or "", Inspection(row["inspection"] or ""))
        for name in ("team", "unit", "start", "end", "feedback"):
            if row[name] and (not getattr(it, name) or row[name] < getattr(it, name)):
                setattr(it, name, row[name])  # one value; the smallest if a query gives several
        _add(it.types, row["type"])
        _add(it.reports, row["report"])
        if row["report"] and row["report_label"]:
            it.report_labels.setdefault(row["report"], row["report_label"])
        _add(it.issued, row["issued"])

    report_to_inspections: dict[str, list[Inspection]] = defaultdict(list)
    for it in inspections.values():
        it.types.sort()  # several values come in the store's order, which differs between stores
        it.issued.sort()
        it.reports.sort(key=lambda r: _natural(report_slug(r)))
        for report in it.reports:
            report_to_inspections[report].append(it)

    # problems per report and status category, then per inspection and per inspected unit
    problems: Counter = Counter()
    status_by_unit: dict[str, Counter] = defaultdict(Counter)
    for row in _rows(store, _PROBLEMS):
        category, n = _status_of(row["status"], row["long_term"]), int(row["n"] or 0)
        problems[category] += n
        units: set[str] = set()
        for it in report_to_inspections.get(row["report"] or "", ()):
            it.problems[category] += n
            if it.unit:
                units.add(it.unit)
        for unit in units:
            status_by_unit[unit][category] += n

    deadlines: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for row in _rows(store, _DEADLINES):
        key = _month_key(row["due"] or "")
        if key is not None:
            deadlines[key]["completed" if row["status"] == COMPLETED else "open"] += int(row["n"] or 0)

    counts = {(row["class"] or "")[len(XS_IRI):]: int(row["n"] or 0) for row in _rows(store, _COUNTS)}
    files = int((_rows(store, _FILES) or [{"n": "0"}])[0]["n"] or 0)

    cited = _rows(store, _CITED % 2) or _rows(store, _CITED % 1)  # a small corpus: every cited document
    documents = sorted(((row["document"] or "", int(row["reports"] or 0), row["doc_number"] or "") for row in cited),
                       key=lambda d: (-d[1], d[0], d[2]))

    ordered = sorted(inspections.values(),
                     key=lambda it: (it.start or "9999", [_natural(report_slug(r)) for r in it.reports] or [()],
                                     it.unit, it.team, it.iri))
    return OverviewData(ordered, counts, files, dict(status_by_unit), dict(deadlines), documents, problems)


# -- charts -----------------------------------------------------------------------------------------

def _svg_filter(series_titles: list[str], chart_title: str):
    """An xml_filter for pygal: drop comments (they hold today's date), scripts (nothing reads them) and
    pygal's own <title>s (\"Pygal\", guide positions); name the chart; and give each bar a <title>
    "label · series: value", which the browser shows on hover."""
    def apply(root):
        # collected first, removed after: lxml's iter() loses its place when the tree changes under it
        # (pygal uses lxml when it is installed, xml.etree otherwise)
        doomed = [(parent, child) for parent in root.iter() for child in parent
                  if (child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else "") in ("", "script", "title")]
        for parent, child in doomed:
            parent.remove(child)
        title = root.makeelement("title", {})
        title.text = chart_title
        root.insert(0, title)
        for g in root.iter():
            serie = next((c for c in (g.get("class") or "").split() if c.startswith("serie-")), None)
            if serie is None or not serie[6:].isdigit() or int(serie[6:]) >= len(series_titles):
                continue
            name = series_titles[int(serie[6:])]
            for bar in g.iter():
                if "bar" not in (bar.get("class") or "").split():
                    continue
                desc = {(d.get("class") or "").split()[0]: d.text or "" for d in bar
                        if isinstance(d.tag, str) and d.tag.endswith("desc") and d.get("class")}
                tip = bar.makeelement("title", {})
                tip.text = f"{desc.get('x_label', '')} · {name}: {desc.get('value', '')}"
                bar.insert(0, tip)
        return root
    return apply


def _render(chart, chart_id: str, series_titles: list[str], chart_title: str) -> str:
    chart.uuid = chart_id  # fixed instead of random: the same page for the same store
    chart.xml_filters = [_svg_filter(series_titles, chart_title)]
    svg = chart.render(is_unicode=True)
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)


LABEL_SIZE = 13


def _style(colors: Iterable[str]):
    from pygal.style import Style

    return Style(background="white", plot_background="white", foreground="#333", foreground_strong="#222",
                 foreground_subtle="#ddd", font_family=FONTS, label_font_size=LABEL_SIZE,
                 major_label_font_size=LABEL_SIZE,
                 legend_font_size=13, value_font_size=11, tooltip_font_size=12, colors=tuple(colors),
                 opacity=".9", opacity_hover="1", transition="0s", guide_stroke_color="#e3e3e3",
                 guide_stroke_dasharray="1,0", major_guide_stroke_color="#c8c8c8", major_guide_stroke_dasharray="1,0")


def _wide_chars(text: str) -> int:
    """Characters drawn about one em wide (CJK), where pygal's size estimate assumes 0.6 em for all."""
    return sum(1 for ch in text if ord(ch) >= 0x2E80)


def _major_labels(months: list[tuple[int, int] | None], labels: list[str]) -> list[str]:
    """The labels shown on a long time axis: gaps first, then year-only buckets, the first month and each
    quarter's first, but never two neighbours (their slanted labels would overlap)."""
    def rank(i: int) -> int | None:
        key = months[i]
        if key is None:
            return 0
        if key[1] == 13:
            return 1
        return 2 if i == 0 or key[1] in (1, 4, 7, 10) else None

    chosen: set[int] = set()
    for _, i in sorted((r, i) for i in range(len(months)) if (r := rank(i)) is not None):
        if i - 1 not in chosen and i + 1 not in chosen:
            chosen.add(i)
    return [labels[i] for i in sorted(chosen)]


def status_chart(status_by_unit: Mapping[str, Counter]) -> str:
    """A horizontal stacked bar per inspected unit: its problems by status (inline SVG)."""
    import pygal

    units = sorted(status_by_unit, key=lambda u: (-sum(status_by_unit[u].values()), u))
    units.reverse()  # pygal draws the first label at the bottom: the unit with most problems goes on top
    series = [s for s in STATUS_SERIES if any(status_by_unit[u].get(s[0]) for u in units)] or STATUS_SERIES[:1]
    # room for the unit names: pygal measures every character as 0.6 em, a Chinese one is 1 em
    extra = int(max((_wide_chars(u) * 0.42 * LABEL_SIZE for u in units), default=0))
    chart = pygal.HorizontalStackedBar(
        js=[], style=_style(c for _, _, c in series), width=900, height=130 + 30 * max(len(units), 2),
        truncate_label=-1, truncate_legend=-1, legend_at_bottom=True, legend_at_bottom_columns=2,
        margin_left=10 + extra, margin_bottom=10 + 10 * ((len(series) + 1) // 2),
        show_minor_x_labels=True, no_data_text="无数据 No data", margin=10, spacing=8,
        x_title="问题数 problems")
    chart.x_labels = units
    drawn = [(key, title) for key, title, _ in series]
    for key, title in drawn:
        chart.add(title, [status_by_unit[u].get(key, 0) or None for u in units])
    return _render(chart, "kg-status", [t for _, t in drawn],
                   "各被巡视单位的问题整改状态 / Problem status per inspected unit")


def deadline_chart(deadlines: Mapping[tuple[int, int], Counter]) -> str:
    """A stacked bar per month: the problems due then, completed or still open (inline SVG)."""
    import pygal

    months = _month_range(deadlines)
    empty: Counter = Counter()
    labels = [_month_label(m) for m in months]
    many = len(months) > 18  # then only each quarter's first month and the year-only buckets are labelled
    chart = pygal.StackedBar(
        js=[], style=_style(c for _, _, c in DEADLINE_SERIES), width=900, height=380,
        truncate_label=-1, truncate_legend=-1, legend_at_bottom=True, legend_at_bottom_columns=2,
        x_label_rotation=-40 if len(months) > 8 else 0, show_minor_x_labels=not many,
        no_data_text="无数据 No data", margin=10, spacing=8, y_title="问题数 problems")
    chart.x_labels = labels
    if many:
        chart.x_labels_major = _major_labels(months, labels)
    for key, title, _ in DEADLINE_SERIES:
        chart.add(title, [deadlines.get(m, empty).get(key, 0) or None for m in months])
    return _render(chart, "kg-deadline", [t for _, t, _ in DEADLINE_SERIES],
                   "每月到期的整改时限 / Deadlines per month")


# -- the page ---------------------------------------------------------------------------------------

_CSS = """
body { font-family: %(fonts)s; margin: 0; color: #222; background: #f6f6f4; line-height: 1.5; }
main { max-width: 1100px; margin: 0 auto; padding: 1em 1.5em 3em; }
header { background: #8c1c13; color: white; padding: 1em 1.5em; }
header h1 { margin: 0 auto; max-width: 1100px; font-size: 1.5em; }
header nav { margin: .3em auto 0; max-width: 1100px; }
header a { color: white; font-weight: bold; }
h2 { font-size: 1.2em; border-bottom: 2px solid #8c1c13; padding-bottom: .2em; margin-top: 2em; }
.en { color: #777; font-weight: normal; font-size: .85em; margin-left: .4em; }
header .en { color: #f3d6d3; }
section { background: white; padding: .2em 1.2em 1em; margin-top: 1.2em; border-radius: 6px;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
section h2 { margin-top: .8em; }
dl.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .6em; margin: 0; }
dl.stats div { background: #f6f6f4; border-radius: 4px; padding: .4em .7em; }
dl.stats dt { font-size: .85em; color: #555; }
dl.stats dt .en { display: block; margin: 0; }
dl.stats div.wide { grid-column: span 2; }
dl.stats dd { margin: 0; font-size: 1.35em; font-weight: bold; }
dl.stats dd.text { font-size: 1.1em; }
table { border-collapse: collapse; width: 100%%; font-size: .92em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #f0ece8; white-space: nowrap; }
th .en { display: block; margin: 0; font-size: .8em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.date, td.team { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.report { font-size: .9em; }
tbody tr:nth-child(even) { background: #fafafa; }
tbody tr:hover { background: #fff4e5; }
.chart svg { width: 100%%; height: auto; display: block; }
p.note { color: #666; font-size: .85em; margin: .5em 0 0; }
code { background: #f0f0f0; padding: 0 .25em; border-radius: 3px; }
.done { color: #4a9c5d; } .open { color: #d0564b; }
""" % {"fonts": FONTS}


def _th(zh: str, en: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f'<th scope="col"{attr}>{_esc(zh)}<span class="en">{_esc(en)}</span></th>'


def _h2(zh: str, en: str) -> str:
    return f'<h2>{_esc(zh)}<span class="en">{_esc(en)}</span></h2>'


def _range(values: Iterable[str]) -> str:
    values = sorted(v for v in values if v)
    if not values:
        return "—"
    return values[0] if values[0] == values[-1] else f"{values[0]} — {values[-1]}"


_TEXT, _WIDE = ' class="text"', ' class="wide"'


def _summary_html(data: OverviewData, summary: Mapping[str, Any]) -> str:
    c = data.counts
    units = {it.unit for it in data.inspections if it.unit}
    stats: list[tuple[str, str, object, bool | str]] = [  # (zh, en, value, is text: True or "wide")
        ("文件", "files read", summary.get("files") or data.files, False),
        ("通报", "reports", summary.get("reports") or c.get("Report", 0), False),
        ("巡视（巡察）", "inspections", c.get("Inspection", len(data.inspections)), False),
        ("被巡视单位", "inspected units", len(units), False),
        ("单位", "units named", c.get("Unit", 0) - c.get("InspectionTeam", 0), False),
        ("人员", "people", c.get("Person", 0), False),
        ("反馈问题", "problems", c.get("Problem", 0), False),
        ("引用文件", "documents", c.get("Document", 0), False),
        ("进驻日期", "inspections started", _range(it.start for it in data.inspections), "wide"),
        ("通报日期", "reports issued", _range(d for it in data.inspections for d in it.issued), "wide"),
    ]
    if summary.get("triples"):  # 0: a BuildSummary before the build counted them
        stats.append(("三元组", "triples", summary["triples"], False))
    if "violations" in summary:
        v = summary["violations"]
        stats.append(("SHACL 违规", "SHACL violations", "未检查 not checked" if v is None else v, v is None))
    skipped = summary.get("skipped")
    if skipped:
        n = skipped if isinstance(skipped, int) else len(skipped)
        stats.append(("跳过的文件", "files skipped", n, False))
    items = "".join(
        f'<div{_WIDE if text == "wide" else ""}><dt>{_esc(zh)}<span class="en">{_esc(en)}</span></dt>'
        f'<dd{_TEXT if text else ""}>{_esc(f"{v:,}" if isinstance(v, int) else v)}</dd></div>'
        for zh, en, v, text in stats)
    p = data.problems
    total = sum(p.values())
    note = ""
    if total:
        done, doing = p["completed"] + p["completed_lt"], p["in_progress"] + p["in_progress_lt"]
        lasting = p["completed_lt"] + p["in_progress_lt"] + p["long_term"]
        note = (f'<p class="note">通报列出的反馈问题 {total} 个：已完成 {done}，正在整改 {doing}，'
                f'未说明状态 {p["no_status"] + p["long_term"]}；其中需长期坚持 {lasting}。'
                f' / {total} problems listed in reports: {done} completed, {doing} in progress, '
                f'{p["no_status"] + p["long_term"]} of no stated status; {lasting} of them long-term.</p>')
    return (f'<section id="kg-summary">{_h2("读取了什么", "What was read")}'
            f'<dl class="stats">{items}</dl>{note}</section>')


def _inspections_html(data: OverviewData) -> str:
    head = "".join([_th("#", "", "num"), _th("巡视组", "team"), _th("被巡视单位", "inspected unit"),
                    _th("类型", "kind"), _th("进驻", "start"), _th("结束", "end"), _th("反馈", "feedback"),
                    _th("问题", "problems", "num"), _th("已完成", "completed", "num"),
                    _th("通报日期", "issued"), _th("通报", "report")])
    rows = []
    for n, it in enumerate(data.inspections, 1):
        links = "<br>".join(
            f'<a class="kg-report-link" href="{_esc(report_href(r))}" title="{_esc(r)}">'
            f'{_esc(it.report_labels.get(r) or report_slug(r))}</a>'
            for r in it.reports) or "—"
        total = sum(it.problems.values())
        done = it.problems["completed"] + it.problems["completed_lt"]
        rows.append(
            f'<tr><td class="num">{n}</td><td class="team">{_esc(it.team or "—")}</td>'
            f'<td>{_esc(it.unit or "—")}</td>'
            f'<td>{_esc("、".join(it.types) or "—")}</td><td class="date">{_esc(it.start or "—")}</td>'
            f'<td class="date">{_esc(it.end or "—")}</td><td class="date">{_esc(it.feedback or "—")}</td>'
            f'<td class="num">{total}</td><td class="num">{done if total else "—"}</td>'
            f'<td class="date">{"<br>".join(_esc(d) for d in it.issued) or "—"}</td>'
            f'<td class="report">{links}</td></tr>')
    return (f'<section>{_h2("巡视一览", "Inspections")}'
            f'<table id="kg-inspections"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            '<p class="note">每行一次巡视（巡察）；“通报”链接到该整改通报的图谱页面。'
            ' / One row per inspection; the report link opens that report\'s graph view. '
            'Also: <code>kg query inspections-by-unit</code>.</p></section>')


def _documents_html(data: OverviewData) -> str:
    head = "".join([_th("#", "", "num"), _th("文件", "document"), _th("文号", "number"),
                    _th("引用通报数", "reports citing", "num")])
    shown = data.documents[:MAX_DOCUMENTS]
    rows = "".join(
        f'<tr><td class="num">{n}</td><td>{_esc(label)}</td><td>{_esc(number or "—")}</td>'
        f'<td class="num">{reports}</td></tr>'
        for n, (label, reports, number) in enumerate(shown, 1))
    more = ""
    if len(data.documents) > len(shown):
        rest = len(data.documents) - len(shown)
        more = f"另有 {rest} 份未列出。 / {rest} more not shown. "
    return (f'<section>{_h2("被引用最多的文件", "Most-cited documents")}'
            f'<table id="kg-documents"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
            f'<p class="note">{_esc(more)}按引用它的通报数排列。 / By the number of reports citing each. '
            'Also: <code>kg query most-cited-documents</code>.</p></section>')


def render_overview(data: OverviewData, summary: Mapping[str, Any] | Callable[[], Any] | None = None) -> str:
    """The page's HTML text. ``summary`` may be a function giving it: it is called once the rest of the
    page is drawn, so that what it waits for (the build's SHACL check, in a thread) runs meanwhile."""
    without = sorted(it.unit for it in data.inspections if it.unit and it.unit not in data.status_by_unit)
    without_note = ""
    if without:
        names = "、".join(without)
        without_note = (f"<p class=\"note\">通报中未列出问题的被巡视单位（{len(without)}）："
                        f"{_esc(names)}。 / Inspected units whose reports list no problems are not drawn.</p>")
    n_deadlines = sum(sum(c.values()) for c in data.deadlines.values())
    inspections, documents = _inspections_html(data), _documents_html(data)
    charts = status_chart(data.status_by_unit), deadline_chart(data.deadlines)
    facts = _as_mapping(summary() if callable(summary) else summary)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>巡视整改知识图谱 · 概览 / Overview</title>
<style>{_CSS}</style>
</head>
<body>
<header><h1>巡视整改知识图谱 · 概览<span class="en">Inspection-rectification knowledge graph: overview</span></h1>
<nav><a id="kg-graph-link" href="graph.html">图谱视图 →<span class="en">Graph view</span></a></nav></header>
<main>
{_summary_html(data, facts)}
{inspections}
<section>{_h2("各被巡视单位的问题整改状态", "Problem status per inspected unit")}
<div id="kg-status-chart" class="chart">{charts[0]}</div>
<p class="note">每个问题计入一类；“长期坚持”是通报在“已完成”或“正在整改”之外另加的标注，浅色表示。 /
Each problem counts once; long-term (长期坚持) is marked beside completed or in progress and is shown
in the lighter shade. Also: <code>kg query problem-status-by-unit</code>.</p>{without_note}
</section>
<section>{_h2("整改时限", "Deadlines over time")}
<div id="kg-deadline-chart" class="chart">{charts[1]}</div>
<p class="note">每月到期的整改时限（共 {n_deadlines} 个；一个问题有几个时限就计几次；只写年份的计入“某年内”，
排在该年 12 月之后；连续 {MAX_GAP} 个月以上没有时限的，合并为“{GAP_LABEL}”）。 /
Problems due each month ({n_deadlines} deadlines; a problem counts once per deadline; a deadline of a year
alone is shown after that year's December; more than {MAX_GAP} months in a row without one are drawn as
“{GAP_LABEL}”). Open problems: <code>kg query open-problems</code>.</p>
</section>
{documents}
</main>
</body>
</html>
"""


def _as_mapping(summary: Any) -> dict[str, Any]:
    if summary is None:
        return {}
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        return dataclasses.asdict(summary)
    return dict(summary)


def write_overview(store: ox.Store | Path | str, path: Path, *,
                   summary: Mapping[str, Any] | Callable[[], Any] | Any = None) -> None:
    """Write the overview page of ``store`` (open, or its folder) to ``path``, whole or not at all.

    ``summary``: what the build knows that the store does not (``files``, ``reports``, ``triples``,
    ``violations`` (None: not checked), ``skipped``); a dict or a ``kg.build.BuildSummary``, or a function
    giving one, called last (``render_overview``).
    """
    if not isinstance(store, ox.Store):
        store = open_store(Path(store))
    page = render_overview(read_overview(store), summary)
    write_atomic(Path(path), page.encode("utf-8"))


__all__ = ["write_overview", "render_overview", "read_overview", "status_chart", "deadline_chart",
           "report_slug", "report_href", "OverviewData", "Inspection"]
