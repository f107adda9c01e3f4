"""Benchmark: every canned question on the Oxigraph store vs the same SPARQL on an in-memory rdflib Graph.

Not a test: a script that prints a table. It builds the seed corpus and a 10× corpus (each seed file copied
ten times under different names, so each copy's reports get their own IRIs), then for each canned query
(with the parameters a user would typically give) times:

* store  — ``kg.queries.run`` on the on-disk store (what ``kg query NAME`` does, result conversion included);
* rdflib — ``rdflib.Graph.query`` on graph.ttl loaded into memory, the same text, parameters bound with
  ``initBindings``;

best of N each, measured in the same run, and checks that both return the same number of rows. A store
time at or over 100 ms on the 10× corpus is flagged. rdflib can take seconds per query at 10×: after a
first run over ``--rdflib-cap`` seconds its repeats are skipped, and each rdflib query runs in a forked
child that is stopped after ``--rdflib-timeout`` seconds (reported as ``>T``) rather than hang the bench.

    .venv/bin/python bench/queries_vs_rdflib.py            # seeds and 10× (a few minutes: rdflib parses ~50 MB)
    .venv/bin/python bench/queries_vs_rdflib.py --copies 0 # seeds only
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rdflib  # noqa: E402

from kg import queries  # noqa: E402
from kg.build import build_corpus  # noqa: E402
from kg.store import PREFIX_MAP, open_store  # noqa: E402

LIMIT_MS = 100.0
# (query, params): the usual call, and for questions with optional parameters the filtered one as well.
CASES: list[tuple[str, dict[str, str]]] = [
    ("inspections-by-team", {}),
    ("inspections-by-team", {"team": "省委第八巡视组"}),
    ("inspections-by-unit", {}),
    ("inspections-by-unit", {"unit": "省商务厅"}),
    ("open-problems", {}),
    ("open-problems", {"as_of": "2020-12-31"}),
    ("open-problems", {"as_of": "2020-12-31", "unit": "省体育局"}),
    ("problem-status-by-unit", {}),
    ("problem-status-by-unit", {"unit": "省商务厅"}),
    ("documents-by-unit", {}),
    ("documents-by-unit", {"unit": "区纪委"}),
    ("most-cited-documents", {}),
    ("people-by-unit", {}),
    ("people-by-unit", {"unit": "省商务厅"}),
    ("programs-by-unit", {}),
    ("units-by-same-team", {}),
    ("units-by-same-team", {"unit": "省商务厅"}),
    ("provenance", {"label": "宋彦麟"}),
    ("provenance", {"node": "xsr:person/f3f442d9b7e4d02b"}),
    ("unit-profile", {"unit": "省商务厅"}),
]


def best_of(fn: Callable[[], int], n: int, cap_s: float | None = None) -> tuple[float, int]:
    """(best milliseconds, rows); repeats stop after a first run longer than ``cap_s``."""
    best, rows = float("inf"), -1
    for i in range(n):
        t = time.perf_counter()
        rows = fn()
        elapsed = time.perf_counter() - t
        best = min(best, elapsed)
        if cap_s is not None and i == 0 and elapsed > cap_s:
            break
    return best * 1000, rows


def copy_corpus(seeds: Path, dest: Path, copies: int) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted(seeds.glob("*.txt")):
        for i in range(copies):
            shutil.copyfile(src, dest / f"{src.stem}-copy{i}{src.suffix}")
    return [dest]


def _rdflib_child(conn: Any, graph: rdflib.Graph, sparql: str, init: dict[str, Any], repeats: int,
                  cap_s: float) -> None:
    ns = {p: rdflib.Namespace(iri) for p, iri in PREFIX_MAP.items()}
    conn.send(best_of(lambda: len(list(graph.query(sparql, initNs=ns, initBindings=init))), repeats, cap_s))


def time_rdflib(graph: rdflib.Graph, sparql: str, init: dict[str, Any], repeats: int, cap_s: float,
                timeout_s: float) -> tuple[float, int]:
    """rdflib's (best ms, rows) in a forked child; (inf, -1) if it runs past ``timeout_s``."""
    ctx = mp.get_context("fork")  # the child shares the parsed graph instead of parsing it again
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_rdflib_child, args=(child, graph, sparql, init, repeats, cap_s))
    proc.start()
    ready = parent.poll(timeout_s)
    result = parent.recv() if ready else (float("inf"), -1)
    if proc.is_alive():
        proc.kill()
    proc.join()
    return result


def bench_corpus(label: str, out: Path, repeats: int, cap_s: float, timeout_s: float) -> list[dict[str, Any]]:
    store = open_store(out / "store")
    t = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(out / "graph.ttl", format="turtle")
    print(f"[{label}] rdflib loaded {len(graph):,} triples in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    results = []
    for name, params in CASES:
        cq = queries.get(name)
        store_ms, store_rows = best_of(lambda: len(queries.run(store, cq, params).rows), repeats)
        rdf_ms, rdf_rows = time_rdflib(graph, cq.sparql, queries.rdflib_bindings(cq, params), repeats, cap_s,
                                       timeout_s)
        results.append({"corpus": label, "query": name, "params": params, "store_ms": store_ms,
                        "rdflib_ms": rdf_ms, "rows": store_rows, "rdflib_rows": rdf_rows, "timeout": timeout_s})
        print(f"[{label}] {name} {params}: store {store_ms:.1f} ms, rdflib {rdf_ms:.1f} ms", file=sys.stderr)
    return results


def print_table(results: list[dict[str, Any]], flag_corpus: str) -> None:
    print(f"| corpus | query | params | rows | store ms | rdflib ms | rdflib/store |")
    print("|---|---|---|---:|---:|---:|---:|")
    for r in results:
        params = " ".join(f"{k}={v}" for k, v in r["params"].items()) or "—"
        timed_out = r["rdflib_rows"] < 0
        rows = str(r["rows"]) if r["rows"] == r["rdflib_rows"] or timed_out else \
            f"{r['rows']} (rdflib {r['rdflib_rows']}!)"
        flag = " ⚠ ≥100 ms" if r["corpus"] == flag_corpus and r["store_ms"] >= LIMIT_MS else ""
        rdf = f">{r['timeout'] * 1000:.0f}" if timed_out else f"{r['rdflib_ms']:.1f}"
        ratio = f">{r['timeout'] * 1000 / max(r['store_ms'], 1e-3):.0f}×" if timed_out else \
            f"{r['rdflib_ms'] / max(r['store_ms'], 1e-3):.0f}×"
        print(f"| {r['corpus']} | {r['query']} | {params} | {rows} | {r['store_ms']:.1f}{flag} | {rdf} | {ratio} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=10, help="copies of each seed file in the big corpus (0: skip)")
    ap.add_argument("--repeats", type=int, default=5, help="runs per query; the best counts")
    ap.add_argument("--rdflib-cap", type=float, default=10.0, help="seconds after which rdflib is not repeated")
    ap.add_argument("--rdflib-timeout", type=float, default=120.0, help="seconds after which rdflib is stopped")
    args = ap.parse_args()
    seeds = ROOT / "seeds"
    with tempfile.TemporaryDirectory(prefix="kg-bench-queries-") as tmp:
        tmp_path = Path(tmp)
        corpora = [("seeds", [seeds])]
        if args.copies:
            corpora.append((f"{args.copies}×", copy_corpus(seeds, tmp_path / "copies", args.copies)))
        results: list[dict[str, Any]] = []
        for label, inputs in corpora:
            out = tmp_path / label.replace("×", "x")
            t = time.perf_counter()
            summary = build_corpus(inputs, out, progress=False)
            print(f"[{label}] built {summary.reports} reports, {summary.triples:,} triples in "
                  f"{time.perf_counter() - t:.1f} s", file=sys.stderr)
            results += bench_corpus(label, out, args.repeats, args.rdflib_cap, args.rdflib_timeout)
    print_table(results, corpora[-1][0])
    slow = [r for r in results if r["corpus"] == corpora[-1][0] and r["store_ms"] >= LIMIT_MS]
    mismatched = [r for r in results if r["rows"] != r["rdflib_rows"] and r["rdflib_rows"] >= 0]
    if slow:
        print(f"\n{len(slow)} quer{'y' if len(slow) == 1 else 'ies'} at or over {LIMIT_MS:.0f} ms on the store "
              f"({corpora[-1][0]}): " + ", ".join(r["query"] for r in slow))
    if mismatched:
        print(f"\nrow counts differ between store and rdflib: " + ", ".join(r["query"] for r in mismatched))
    return 1 if slow or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
