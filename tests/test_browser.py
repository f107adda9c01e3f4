"""The pages of a build in a real browser: Debian's chromium, headless, offline.

Loads the seed build's graph.html, one report's page and the overview index.html, and checks the page
contract that kg.render (the graph views) and kg.overview (index.html) follow: no console or page errors, no request leaves the machine, the view settles
(``window.kgReady``) and its canvas has drawn, clicking a node or searching a name fills ``#kg-panel`` with
the sentences it came from, the class filter hides nodes, the overview lists every inspection with a
working link to its report's page. Every page a test opened is kept as a screenshot in test-artifacts/,
named after the test (also when it fails).

Needs /usr/bin/chromium: ``make test`` installs it with apt when it is missing. Without it these tests
fail and say so; KG_SKIP_BROWSER=1 skips them. KG_BROWSER_SITE=DIR tests the pages of an existing build
of seeds/ (e.g. output/) rather than building one. See tests/browser_support.py.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import browser_support as bs
from kg import ontology
from kg.vocab import XS

REPORT_SLUG = "000_27b93d8875c74f18-1"
PERSON = "宋彦麟"
INSPECTIONS = 16  # inspections in the seed corpus (one per report)
DRAWN_MIN = 2_000  # canvas pixels (of every 4th) that must differ from the background
VIEW_CLASSES = ["Report", "Inspection", "Unit", "InspectionTeam", "Person", "Post", "Document", "Program",
                "Deadline", "Problem"]


@pytest.fixture(scope="module")
def browser():
    if reason := bs.skip_reason():
        pytest.skip(reason)
    if problem := bs.missing_browser():
        pytest.fail(problem, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = bs.launch(pw)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(request) -> Path:
    """The output folder of the seed build (graph.html, index.html, reports/, store/).

    KG_BROWSER_SITE=DIR tests the pages of an existing build of seeds/ instead (e.g. output/).
    """
    if folder := os.environ.get("KG_BROWSER_SITE"):
        return Path(folder)
    return request.getfixturevalue("seed_build")[0]


class Browse:
    """Opens pages in one fresh browser context; a screenshot of each is kept when the test ends."""

    def __init__(self, browser, name: str) -> None:
        self.context = bs.new_context(browser)
        self.name = name
        self.pages: list = []

    def open(self, path: Path):
        assert path.is_file(), f"the build did not write {path.name} ({path})"
        page, watch = bs.open_page(self.context, path)
        self.pages.append(page)
        return page, watch

    def close(self) -> None:
        for page in self.context.pages:
            if page not in self.pages:
                self.pages.append(page)  # popups, pages opened by links
        for i, page in enumerate(self.pages):
            try:
                bs.screenshot(page, self.name if i == 0 else f"{self.name}-{i + 1}")
            except Exception:  # noqa: BLE001 - a page that crashed leaves no picture; the test says why
                pass
        self.context.close()


@pytest.fixture
def browse(browser, request):
    b = Browse(browser, request.node.name)
    yield b
    b.close()


def ready(page, watch: bs.Watch) -> None:
    """Wait for ``window.kgReady === true``; on timeout say what the page did instead."""
    try:
        bs.wait_ready(page)
    except Exception as e:  # playwright's TimeoutError
        state = page.evaluate("() => ({kgReady: window.kgReady, kgNetwork: typeof window.kgNetwork})")
        pytest.fail(f"window.kgReady never became true within {bs.READY_TIMEOUT_MS // 1000} s: {state}; "
                    f"errors: {watch.errors}; {type(e).__name__}", pytrace=False)


def open_view(browse: Browse, path: Path):
    page, watch = browse.open(path)
    ready(page, watch)
    return page, watch


def panel_text(page) -> str:
    return page.locator("#kg-panel").inner_text()


def marks(page) -> list[dict[str, str]]:
    """Each <mark> in the panel: its text and the text of the sentence (its parent) around it."""
    return page.evaluate("""() => Array.from(document.querySelectorAll("#kg-panel mark")).map(
        m => ({mark: m.textContent, sentence: (m.parentElement || m).textContent}))""")


def view_pages(site: Path) -> dict[str, Path]:
    return {"graph": site / "graph.html", "report": site / "reports" / f"{REPORT_SLUG}.html"}


VIEWS = ["graph", "report"]


# -- the graph views: graph.html and a report's page ------------------------------------------------------

@pytest.mark.parametrize("view", VIEWS)
def test_view_loads_offline_settles_and_draws(browse, site, view):
    page, watch = open_view(browse, view_pages(site)[view])
    first = page.evaluate("() => window.kgNetwork.getPositions()")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.kgNetwork.getPositions()") == first, "nodes still move after kgReady"
    pixels = bs.drawn_pixels(page)
    assert pixels["width"] > 0 and pixels["height"] > 0, f"no canvas: {pixels}"
    assert pixels["drawn"] > DRAWN_MIN, f"the canvas is (almost) blank: {pixels}"
    assert bs.visible_nodes(page) > 0
    ids = page.evaluate("() => window.kgNetwork.body.data.nodes.getIds()")
    assert all(str(i).startswith("https://w3id.org/xunshi-kg/") for i in ids), f"node ids are not IRIs: {ids[:5]}"
    watch.assert_clean()
    assert all(u.startswith(("file:", "data:", "about:", "blob:")) for u in watch.requests)


# What each view is asked: the node to click (its label) and the name to search, with the label expected.
# graph.html is the overview of reports, inspections, teams and units; a report's page has its people.
TARGETS = {"graph": ("辽宁省商务厅", "省商务厅", "辽宁省商务厅"), "report": (PERSON, PERSON, PERSON)}


def assert_provenance(page, label: str) -> None:
    """#kg-panel shows ``label`` and sentences with the mention in <mark>, the mark inside its sentence."""
    page.wait_for_selector("#kg-panel mark", timeout=5_000)
    assert label in panel_text(page), panel_text(page)[:500]
    found = marks(page)
    assert found and all(m["mark"] and m["mark"] in m["sentence"] for m in found), found
    if label == PERSON:
        assert any(PERSON in m["sentence"] and m["mark"] in PERSON for m in found), found


@pytest.mark.parametrize("view", VIEWS)
def test_click_node_shows_its_provenance(browse, site, view):
    page, watch = open_view(browse, view_pages(site)[view])
    label = TARGETS[view][0]
    node = bs.find_node(page, label)
    assert node, f"no node labelled {label} in the view"
    selected = bs.click_node(page, node)
    assert selected == [node], f"clicking {node} selected {selected}"
    assert_provenance(page, label)
    watch.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_search_finds_a_name_and_shows_the_sentences(browse, site, view):
    page, watch = open_view(browse, view_pages(site)[view])
    _, query, label = TARGETS[view]
    page.fill("#kg-search", query)
    page.press("#kg-search", "Enter")
    assert_provenance(page, label)
    text = panel_text(page)
    cls = XS.Person if view == "report" else XS.Unit
    assert ontology.label(cls, "zh") in text, "the panel names the class in Chinese"
    selected = page.evaluate("() => window.kgNetwork.getSelectedNodes()")
    assert selected == [bs.find_node(page, label)], selected
    watch.assert_clean()


def test_search_says_when_nothing_matches(browse, site):
    page, watch = open_view(browse, view_pages(site)["graph"])
    page.fill("#kg-search", "无此名称之单位")
    page.press("#kg-search", "Enter")
    status = page.locator("#kg-search-status")
    status.wait_for(state="visible", timeout=5_000)
    assert status.inner_text().strip(), "no 'not found' message"
    watch.assert_clean()


def test_select_function_fills_the_panel(browse, site):
    page, watch = open_view(browse, view_pages(site)["report"])
    node = bs.find_node(page, PERSON)
    page.evaluate("(id) => window.kgSelect(id)", node)
    assert_provenance(page, PERSON)
    assert page.evaluate("() => window.kgNetwork.getSelectedNodes()") == [node]
    watch.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_legend_and_class_filter(browse, site, view):
    page, watch = open_view(browse, view_pages(site)[view])
    boxes = page.locator("input.kg-class-filter[type=checkbox]")
    values = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
    assert values, "no class filter checkboxes"
    assert set(values) <= set(VIEW_CLASSES), values
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count())), "every class is shown at first"
    legend = page.locator("#kg-legend").inner_text()
    for value in values:
        assert ontology.label(XS[value], "zh") in legend, f"the legend lacks {value}"

    before = bs.visible_nodes(page)
    box = page.locator("input.kg-class-filter[value=Problem]")  # the most numerous in a report
    if not box.count():
        box = page.locator("input.kg-class-filter[value=Unit]")
    box.uncheck()
    page.wait_for_function(f"() => ({bs.VISIBLE_NODES_JS})() < {before}", timeout=5_000)
    hidden = before - bs.visible_nodes(page)
    assert hidden > 0
    bs.screenshot(page, f"test_legend_and_class_filter-{view}-unchecked")
    box.check()
    page.wait_for_function(f"() => ({bs.VISIBLE_NODES_JS})() === {before}", timeout=5_000)
    watch.assert_clean()


def test_omitted_note_when_nodes_are_left_out(browse, site, tmp_path):
    """A view cut at a node limit says so, visibly: how many of how many, and of which classes."""
    from kg import render, viz
    from kg.store import open_store

    view = viz.report_view(open_store(site / "store"), REPORT_SLUG, max_nodes=40)
    assert view.n_omitted > 0
    render.write_view(view, tmp_path / "limited.html")
    page, watch = open_view(browse, tmp_path / "limited.html")
    shown = page.evaluate("() => window.kgNetwork.body.data.nodes.length")
    assert shown == len(view.nodes) <= 40
    note = page.locator("#kg-omitted")
    assert note.count() == 1 and note.is_visible(), "no visible #kg-omitted note"
    text = note.inner_text()
    numbers = [int(n) for n in re.findall(r"\d+", text.replace(",", ""))]
    assert view.total in numbers and (shown in numbers or view.n_omitted in numbers), text
    assert any(viz.class_label(c) in text for c in view.omitted), f"the note does not say which: {text!r}"
    watch.assert_clean()

    page, _ = open_view(browse, view_pages(site)["report"])  # the build's page: did it leave anything out?
    drawn = page.evaluate("() => window.kgNetwork.body.data.nodes.length")
    note = page.locator("#kg-omitted")
    if drawn == view.total:
        assert not (note.count() and note.is_visible()), "a #kg-omitted note although nothing was left out"
    else:
        assert note.count() and note.is_visible(), f"{drawn} of {view.total} drawn, but no #kg-omitted note"


# -- the overview: index.html -------------------------------------------------------------------------------

def test_overview_page(browse, site):
    page, watch = browse.open(site / "index.html")
    page.wait_for_load_state("load")
    assert page.locator("#kg-summary").inner_text().strip()
    rows = page.locator("table#kg-inspections tr:has(td)")
    assert rows.count() == INSPECTIONS
    links = page.locator("table#kg-inspections a.kg-report-link")
    assert links.count() == INSPECTIONS
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        assert href.startswith("reports/") and href.endswith(".html"), href
        assert (site / href).is_file(), f"the link {href} leads nowhere"
    for chart in ("#kg-status-chart", "#kg-deadline-chart"):
        assert page.locator(f"{chart} svg").count() >= 1, f"no inline <svg> in {chart}"
    assert page.locator("table#kg-documents tr:has(td)").count() >= 1
    assert page.locator('a[href="graph.html"]').count() >= 1
    watch.assert_clean()


def test_overview_report_link_opens_a_ready_view(browse, site):
    page, watch = browse.open(site / "index.html")
    link = page.locator(f'table#kg-inspections a.kg-report-link[href="reports/{REPORT_SLUG}.html"]')
    if not link.count():
        link = page.locator("table#kg-inspections a.kg-report-link").first
    href = link.get_attribute("href")
    if link.get_attribute("target"):
        with page.expect_popup() as popup:
            link.click()
        target = popup.value
    else:
        with page.expect_navigation():
            link.click()
        target = page
    assert target.url.endswith(href), (target.url, href)
    ready(target, watch)
    assert bs.drawn_pixels(target)["drawn"] > DRAWN_MIN
    watch.assert_clean()
