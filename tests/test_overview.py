"""The overview page index.html (kg.overview): what it shows of the seed build, that it is self-contained,
escaped and well-formed, and the month buckets of the deadline chart."""
from __future__ import annotations

from html.parser import HTMLParser

import pyoxigraph as ox
import pytest

from kg import queries
from kg.overview import MAX_DOCUMENTS, _month_key, _month_range, read_overview, report_href, report_slug, write_overview

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """Checks that every element is closed in order and collects the tables (rows of cells: text and links)
    and the text of each element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.tables: dict[str, list[list[dict]]] = {}
        self.ids: dict[str, list[str]] = {}
        self._table: str | None = None
        self._cell: dict | None = None
        self._in_tbody = False
        self._open_ids: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table":
            self._table = a.get("id", "")
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._table is not None and self._in_tbody:
            self.tables[self._table].append([])
        elif tag == "td" and self._table is not None and self._in_tbody:
            self._cell = {"text": "", "links": []}
            self.tables[self._table][-1].append(self._cell)
        elif tag == "a" and self._cell is not None:
            self._cell["links"].append(a)
        if tag in VOID:
            return
        if "id" in a:
            self.ids[a["id"]] = []
            self._open_ids.append((a["id"], len(self.stack)))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # <rect … /> in the SVG
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            return
        self.stack.pop()
        while self._open_ids and self._open_ids[-1][1] >= len(self.stack):
            self._open_ids.pop()
        if tag == "table":
            self._table = None
        elif tag == "tbody":
            self._in_tbody = False
        elif tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        for name, _ in self._open_ids:
            self.ids[name].append(data)

    def text(self, element_id: str) -> str:
        return "".join(self.ids.get(element_id, []))


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert parser.stack == [], f"unclosed elements: {parser.stack}"
    return parser


def section(page: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of its <div>/<section> (charts are one div)."""
    start = page.index(f'id="{element_id}"')
    return page[start:page.index("</div>", start)]


@pytest.fixture(scope="module")
def seed_page(seed_build, tmp_path_factory) -> str:
    out, summary = seed_build
    path = tmp_path_factory.mktemp("overview") / "index.html"
    write_overview(out / "store", path, summary=summary)
    return path.read_text(encoding="utf-8")


# -- the seed build ---------------------------------------------------------------------------------

def test_inspections_table(seed_page):
    page = parse(seed_page)
    rows = page.tables["kg-inspections"]
    assert len(rows) == 16
    row = next(r for r in rows if r[2]["text"].endswith("省商务厅"))  # 辽宁省商务厅
    texts = [c["text"] for c in row]
    assert "省委第八巡视组" in texts and "2019-10-25" in texts
    links = [a for c in row for a in c["links"] if "kg-report-link" in a.get("class", "").split()]
    assert [a["href"] for a in links] == ["reports/000_27b93d8875c74f18-1.html"]
    # every row links to its report's page
    assert all(any(a.get("class") == "kg-report-link" for c in r for a in c["links"]) for r in rows)


def test_summary_says_what_was_read(seed_build, seed_page):
    summary = seed_build[1]
    text = parse(seed_page).text("kg-summary")
    assert f"{summary.files}" in text and "16" in text  # files, reports
    assert "2019-10-23" in text  # the earliest inspection
    assert 'href="graph.html"' in seed_page


def test_charts_are_inline_svg_with_the_units(seed_page):
    status, deadline = section(seed_page, "kg-status-chart"), section(seed_page, "kg-deadline-chart")
    for chart in (status, deadline):
        assert "<svg" in chart and "</svg>" in chart
    for unit in ("法库县委员会", "辽宁省商务厅", "辽宁省沈抚改革创新示范区工作委员会"):
        assert unit in status
    assert "已完成 completed" in status and "已完成 completed" in deadline
    assert "2020-12" in deadline and "2020年内" in deadline  # a month, and a deadline of a year alone
    assert "<title>辽宁省商务厅 · 已完成 completed: 10</title>" in status  # the hover text of a bar


def test_most_cited_documents(seed_build, seed_page):
    rows = parse(seed_page).tables["kg-documents"]
    first = [c["text"] for c in rows[0]]
    assert first[1] == "中国共产党党组工作条例" and first[-1] == "7"
    # the same answer as the canned question the page names
    canned = queries.run(seed_build[0] / "store", "most-cited-documents", {})
    expected = [[doc, number or "—", n] for doc, n, number in canned.rows][:MAX_DOCUMENTS]
    assert [[r[1]["text"], r[2]["text"], r[3]["text"]] for r in rows] == expected


def test_self_contained(seed_page):
    lowered = seed_page.lower()
    for bad in ("<script", "<link", "<img", "<iframe", "@import", 'href="http', "href='http", "url(http",
                'src="', "url(//", 'href="//'):
        assert bad not in lowered, bad
    assert seed_page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in seed_page


def test_the_build_writes_it(seed_build, seed_page):
    """The build draws index.html from its in-memory store: the same tables and charts as from the store on disk."""
    built = (seed_build[0] / "index.html").read_text(encoding="utf-8")
    assert parse(built).tables == parse(seed_page).tables
    for chart in ("kg-status-chart", "kg-deadline-chart"):
        assert section(built, chart) == section(seed_page, chart)


def test_deterministic_and_atomic(seed_build, tmp_path):
    out, summary = seed_build
    a, b = tmp_path / "a" / "index.html", tmp_path / "b" / "index.html"
    write_overview(out / "store", a, summary=summary)
    write_overview(ox.Store.read_only(str(out / "store")), b, summary=summary)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in a.parent.iterdir()) == ["index.html"]  # no temporary file left


# -- handmade stores ----------------------------------------------------------------------------------

EVIL = """
@prefix xs: <https://w3id.org/xunshi-kg/ontology#> .
@prefix rep: <https://w3id.org/xunshi-kg/resource/report/> .
@prefix ins: <https://w3id.org/xunshi-kg/resource/inspection/> .
@prefix tea: <https://w3id.org/xunshi-kg/resource/team/> .
@prefix uni: <https://w3id.org/xunshi-kg/resource/unit/> .
@prefix doc: <https://w3id.org/xunshi-kg/resource/document/> .
@prefix pro: <https://w3id.org/xunshi-kg/resource/problem/> .
@prefix dea: <https://w3id.org/xunshi-kg/resource/deadline/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

rep:evil-1 a xs:Report ; rdfs:label "evil.txt 第1篇"@zh ; xs:reportsOn ins:i1 ;
    dcterms:issued "2020-09-01"^^xsd:date ; xs:cites doc:d1 ; xs:sourceFile "evil.txt" .
ins:i1 a xs:Inspection ; xs:team tea:t1 ; xs:inspectedUnit uni:u1 ;
    xs:startDate "2019-10-25"^^xsd:date ; xs:inspectionType "常规<b>巡视</b>" .
tea:t1 a xs:InspectionTeam, xs:Unit ; rdfs:label "省委第一巡视组\\"><img src=x onerror=alert(1)>"@zh .
uni:u1 a xs:Unit ; rdfs:label "某局<script>alert('unit')</script>"@zh .
doc:d1 a xs:Document ; rdfs:label "《条例》</td></tr></table><script>alert(2)</script>"@zh .
pro:p1 a xs:Problem ; rdfs:label "问题一"@zh ; xs:report rep:evil-1 ; xs:status xs:Completed ;
    xs:longTerm true ; xs:deadline dea:x1 .
pro:p2 a xs:Problem ; rdfs:label "问题二"@zh ; xs:report rep:evil-1 ; xs:deadline dea:x2 .
dea:x1 a xs:Deadline ; xs:dueDate "2020-06-30"^^xsd:date .
dea:x2 a xs:Deadline ; xs:dueDate "2021"^^xsd:gYear .
"""


def evil_store() -> ox.Store:
    store = ox.Store()
    store.load(EVIL.encode("utf-8"), ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("https://w3id.org/xunshi-kg/resource/report/evil-1"))
    return store


def test_document_text_is_escaped(tmp_path):
    path = tmp_path / "index.html"
    write_overview(evil_store(), path)
    html = path.read_text(encoding="utf-8")
    page = parse(html)  # the page is still well-formed: no label closed a table or opened an element
    assert not {"script", "img", "b"} & set(page.tags)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "某局&lt;script&gt;alert(&#x27;unit&#x27;)&lt;/script&gt;" in html  # the table
    assert "某局&lt;script&gt;alert('unit')&lt;/script&gt;" in section(html, "kg-status-chart")  # pygal's SVG
    rows = page.tables["kg-inspections"]
    assert len(rows) == 1 and rows[0][2]["text"] == "某局<script>alert('unit')</script>"
    assert rows[0][1]["text"] == '省委第一巡视组"><img src=x onerror=alert(1)>'
    docs = page.tables["kg-documents"]
    assert docs[0][1]["text"] == "《条例》</td></tr></table><script>alert(2)</script>"
    assert rows[0][-1]["links"][0]["href"] == "reports/evil-1.html"


def test_empty_store_still_gives_a_page(tmp_path):
    path = tmp_path / "index.html"
    write_overview(ox.Store(), path, summary={"files": 0, "reports": 0, "violations": None})
    html = path.read_text(encoding="utf-8")
    page = parse(html)
    assert page.tables["kg-inspections"] == [] and page.tables["kg-documents"] == []
    for chart in ("kg-status-chart", "kg-deadline-chart"):
        assert "<svg" in section(html, chart)
    assert "未检查" in page.text("kg-summary")


def test_status_partition_and_deadline_buckets():
    data = read_overview(evil_store())
    assert dict(data.problems) == {"completed_lt": 1, "no_status": 1}
    assert {k: dict(v) for k, v in data.deadlines.items()} == {(2020, 6): {"completed": 1}, (2021, 13): {"open": 1}}


# -- helpers ------------------------------------------------------------------------------------------

def test_report_links():
    iri = "https://w3id.org/xunshi-kg/resource/report/000_27b93d8875c74f18-1"
    assert report_slug(iri) == "000_27b93d8875c74f18-1"
    assert report_href(iri) == "reports/000_27b93d8875c74f18-1.html"
    assert report_href("https://w3id.org/xunshi-kg/resource/report/a b?c") == "reports/a%20b%3Fc.html"


def test_month_buckets():
    assert _month_key("2020-06-30") == (2020, 6)
    assert _month_key("2020-06") == (2020, 6)
    assert _month_key("2020") == (2020, 13)  # a year alone: due by its end, after its December
    assert _month_key("年底") is None
    months = _month_range([(2020, 11), (2020, 13), (2021, 2)])
    assert months == [(2020, 11), (2020, 12), (2020, 13), (2021, 1), (2021, 2)]
    assert _month_range([(2020, 12), (2020, 13), (2021, 1)]) == [(2020, 12), (2020, 13), (2021, 1)]
    # a long run of empty months is one gap (drawn as …)
    assert _month_range([(2000, 1), (2000, 8), (2030, 1)]) == [(2000, m) for m in range(1, 9)] + [None, (2030, 1)]
    assert _month_range([]) == []
