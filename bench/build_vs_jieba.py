#!/usr/bin/env python3
"""Benchmark: the build of a corpus against plain ``jieba.lcut`` over the same text, in one run.

    .venv/bin/python bench/build_vs_jieba.py [INPUT ...] [--repeat N] [--workers N]   # default: seeds/, 3 runs, 1 worker

Each build runs in a fresh process, as ``kg build`` does, so nothing one run memoised about the text helps
the next. The process first pays its one-off start-up (imports, jieba's dictionary, our lexicons' compiled
patterns, by building a two-line snippet that is not part of the corpus) and then times ``build_corpus``
over the corpus: the same code ``kg build`` runs, stage by stage. ``jieba.lcut`` over the same text is
timed in that process just before, after ``jieba.initialize()``. The table takes the best of ``--repeat``
runs for each side, because the machines are shared and noisy, and each run's own ratio is printed too. Not a test: nothing here fails on a slow machine.
"""
from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

WARM_UP = ("辽宁省商务厅党组关于巡视整改进展情况的通报\n"
           "根据省委统一部署，省委第八巡视组于2019年10月25日至12月31日对省商务厅党组进行了巡视。\n")


def _build_once(inputs: list[Path], texts: list[str], workers: int = 1) -> tuple[dict[str, float], float, float, int, float]:
    """In a fresh process: start up, time ``jieba.lcut`` over ``texts``, then build ``inputs``.

    Returns (stage seconds, build seconds, jieba seconds, reports, peak RSS MiB). Both are timed in the same
    process within seconds of each other, so a noisy neighbour slows both alike."""
    from kg.build import build_corpus

    t_jieba = _jieba_seconds(texts, 1)
    with tempfile.TemporaryDirectory() as tmp:
        snippet = Path(tmp) / "warm-up.txt"
        snippet.write_text(WARM_UP, encoding="utf-8")
        build_corpus([snippet], Path(tmp) / "warm-up", progress=False)
        summary = build_corpus(inputs, Path(tmp) / "out", progress=False, workers=workers)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return summary.stages, summary.seconds, t_jieba, summary.reports, rss


def _jieba_seconds(texts: list[str], repeat: int) -> float:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for text in texts:
            jieba.lcut(text)
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", type=Path, default=[Path("seeds")])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1, help="kg build --workers (1: the build's one process)")
    a = ap.parse_args(argv)

    from kg.read import discover, read_source

    paths = discover(a.inputs)
    texts = [read_source(p).text for p in paths]
    chars = sum(map(len, texts))

    spawn = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(a.repeat):  # not a Pool: its workers are daemons, and a build forks a child
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            runs.append(pool.submit(_build_once, a.inputs, texts, a.workers).result())
    stages = {name: min(r[0][name] for r in runs) for name in runs[0][0]}
    t_build, t_jieba = min(r[1] for r in runs), min(r[2] for r in runs)

    print(f"corpus: {len(paths)} files, {runs[0][3]} reports, {chars:,} characters; best of {a.repeat} runs; "
          f"--workers {a.workers}")
    rows = [("jieba.lcut (reference)", t_jieba), *stages.items(), ("whole build (kg build)", t_build)]
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'stage':<{width}}{'seconds':>10}{'× jieba.lcut':>14}")
    for name, secs in rows:
        print(f"{name:<{width}}{secs:>10.3f}{secs / t_jieba:>14.2f}")
    print(f"throughput: build {chars / t_build:,.0f} chars/s, jieba.lcut {chars / t_jieba:,.0f} chars/s")
    print("build ÷ jieba.lcut in each run: " + ", ".join(f"{r[1] / r[2]:.2f}" for r in runs))
    print(f"peak RSS of a build process: {max(r[4] for r in runs):,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
