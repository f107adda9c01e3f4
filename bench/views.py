"""Time writing graph-view pages (kg.render.write_view) for views of 500, 2,000 and 5,000 nodes.

    .venv/bin/python bench/views.py [--store output/store] [--repeat 3]

Synthetic views (kg.viz.synthetic_view: ~1.5 edges and 2 mentions per node) measure the page writing
alone; with --store, the real views of that store (overview, every report page) are timed too, building
the view (SPARQL + reads) and writing it separately. Time in the browser until physics stops is measured
elsewhere (tests/test_browser.py); this is only the Python side.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg import render, viz  # noqa: E402


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, help="also time the real views of this store")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-views-"))
    render._vis_assets()  # read once per process: not part of a page's cost
    print(f"{'view':<28}{'nodes':>7}{'edges':>7}{'build s':>9}{'write s':>9}{'MB':>7}")
    for n in (500, 2000, 5000):
        view = viz.synthetic_view(n)
        path = tmp / f"synthetic-{n}.html"
        w = best_of(args.repeat, lambda: render.write_view(view, path))
        print(f"{'synthetic':<28}{n:>7}{len(view.edges):>7}{'-':>9}{w:>9.3f}{path.stat().st_size / 1e6:>7.2f}")
    if args.store:
        from kg.store import open_store
        store = open_store(args.store)
        b0 = time.perf_counter()
        view = viz.overview(store)
        b = time.perf_counter() - b0
        w = best_of(args.repeat, lambda: render.write_view(view, tmp / "overview.html"))
        print(f"{'overview':<28}{len(view.nodes):>7}{len(view.edges):>7}{b:>9.3f}{w:>9.3f}")
        t = time.perf_counter()
        count = render.write_report_pages(store, tmp)
        print(f"{f'all {count} report pages (disk)':<28}{'':>7}{'':>7}{'':>9}{time.perf_counter() - t:>9.3f}")
        quads = list(store.quads_for_pattern(None, None, None, None))
        t = time.perf_counter()
        count = render.write_report_pages(quads, tmp)
        print(f"{f'all {count} report pages (quads)':<28}{'':>7}{'':>7}{'':>9}{time.perf_counter() - t:>9.3f}")
    print(f"pages in {tmp}")


if __name__ == "__main__":
    main()
