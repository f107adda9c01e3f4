"""Benchmark: how long a graph view of 500, 2,000 and 5,000 nodes takes to write and to render.

Not a test: a script that prints a table. For each size it makes a synthetic view (``kg.viz.synthetic_view``:
made-up nodes of every class, ~1.5 edges each with hubs, two mention sentences per node), then times

* write  — ``kg.render.write_view``: the view to one self-contained HTML file;
* load   — in headless chromium (Debian's, as the browser tests drive it), navigation to the load event;
* render — navigation until the page sets ``window.kgReady = true``: the layout has stabilised and physics
  is switched off, so the graph holds still. Taken inside the page (``performance.now()`` when kgReady is
  set, i.e. milliseconds since navigation started), so the polling of the driver adds nothing.

and the file size. Each page is loaded in a fresh tab; with ``--repeat N`` the best of N is reported.

    .venv/bin/python bench/render_in_browser.py                  # 500, 2000, 5000 nodes
    .venv/bin/python bench/render_in_browser.py --sizes 100 500  # other sizes
    .venv/bin/python bench/render_in_browser.py --keep /tmp/pages  # keep the pages (and a screenshot each)

Needs /usr/bin/chromium (``make test`` installs it) and the playwright package (the test extra).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import browser_support as bs  # noqa: E402
from kg.viz import synthetic_view  # noqa: E402

# Record when the page sets window.kgReady = true (ms since navigation start), whatever sets it.
RECORD_READY = """
(() => {
  let value;
  Object.defineProperty(window, "kgReady", {
    configurable: true,
    get() { return value; },
    set(v) { value = v; if (v === true && window.__kgReadyAt === undefined) window.__kgReadyAt = performance.now(); },
  });
})();
"""


def write_page(n: int, path: Path) -> tuple[int, int, float]:
    """Write the synthetic view of ``n`` nodes to ``path``; returns (nodes, edges, seconds to write)."""
    from kg.render import write_view

    view = synthetic_view(n)
    t = time.perf_counter()
    write_view(view, path)
    return len(view.nodes), len(view.edges), time.perf_counter() - t


def render(browser, path: Path, timeout_s: float, shot: Path | None = None) -> tuple[float, float, int]:
    """Load ``path`` in a fresh tab; returns (seconds to load, seconds to kgReady, nodes drawn)."""
    context = bs.new_context(browser)
    try:
        context.add_init_script(RECORD_READY)
        page, watch = bs.open_page(context, path)
        page.wait_for_function("window.kgReady === true", timeout=timeout_s * 1000, polling=100)
        load_ms, ready_ms, nodes = page.evaluate("""() => [
            performance.getEntriesByType("navigation")[0].loadEventEnd, window.__kgReadyAt,
            window.kgNetwork.body.data.nodes.length]""")
        if shot:
            page.screenshot(path=str(shot))
        if watch.errors or watch.remote:
            print(f"  warning: {path.name}: {watch.errors + watch.remote}", file=sys.stderr)
        return load_ms / 1000, ready_ms / 1000, nodes
    finally:
        context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    ap.add_argument("--repeat", type=int, default=1, help="loads per page; the best is reported")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for kgReady per load")
    ap.add_argument("--keep", type=Path, help="write the pages (and screenshots) here instead of a temp dir")
    ap.add_argument("--page", type=Path, nargs="+", default=[],
                    help="also time these existing pages (e.g. output/graph.html output/reports/*.html)")
    args = ap.parse_args()
    if problem := bs.missing_browser():
        sys.exit(problem)
    from playwright.sync_api import sync_playwright

    out = args.keep or Path(tempfile.mkdtemp(prefix="kg-render-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    rows, pages = [], []
    with sync_playwright() as pw:
        browser = bs.launch(pw)
        print(f"chromium {browser.version}, headless; pages in {out}", file=sys.stderr)
        for n in args.sizes:
            path = out / f"view-{n}.html"
            nodes, edges, write_s = write_page(n, path)
            runs = [render(browser, path, args.timeout, out / f"view-{n}.png" if args.keep else None)
                    for _ in range(args.repeat)]
            load_s = min(r[0] for r in runs)
            ready_s = min(r[1] for r in runs)
            drawn = runs[0][2]
            rows.append((n, nodes, edges, drawn, write_s, load_s, ready_s, path.stat().st_size / 1e6))
            print(f"  {n}: write {write_s:.2f} s, render {ready_s:.2f} s", file=sys.stderr)
        for path in args.page:
            runs = [render(browser, path, args.timeout) for _ in range(args.repeat)]
            pages.append((path.name, runs[0][2], min(r[0] for r in runs), min(r[1] for r in runs),
                          path.stat().st_size / 1e6))
        browser.close()

    head = ("N", "nodes", "edges", "drawn", "write s", "load s", "render s", "file MB")
    print(" | ".join(f"{h:>8}" for h in head))
    print("-|-".join("-" * 8 for _ in head))
    for n, nodes, edges, drawn, write_s, load_s, ready_s, mb in rows:
        print(" | ".join([f"{n:>8}", f"{nodes:>8}", f"{edges:>8}", f"{drawn:>8}", f"{write_s:>8.2f}",
                          f"{load_s:>8.2f}", f"{ready_s:>8.2f}", f"{mb:>8.2f}"]))

    if pages:
        print()
        print(f"{'page':>32} | {'nodes':>8} | {'load s':>8} | {'render s':>8} | {'file MB':>8}")
        for name, drawn, load_s, ready_s, mb in pages:
            print(f"{name:>32} | {drawn:>8} | {load_s:>8.2f} | {ready_s:>8.2f} | {mb:>8.2f}")


if __name__ == "__main__":
    main()
