#!/usr/bin/env python3
"""Benchmark: the build of a corpus against plain ``jieba.lcut`` over the same text, in one run.

    .venv/bin/python bench/build_vs_jieba.py [INPUT ...]      # default: seeds/

Prints the time of each stage of our build (in-process, the same code ``kg build`` runs) and the ratio of
the whole build to ``jieba.lcut`` over the same characters. Both sides are timed after their one-off
start-up (jieba's dictionary load; our lexicons' compilation) and take the best of ``--repeat`` runs,
because the machines are shared and noisy. Not a test: nothing here fails on a slow machine.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import jieba

from kg.build import build_corpus, extract
from kg.pipeline import Pipeline
from kg.rdf import to_quads, union_triples
from kg.read import discover, read_source
from kg.resolve import resolve


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", type=Path, default=[Path("seeds")])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)

    paths = discover(a.inputs)
    texts = [read_source(p).text for p in paths]
    chars = sum(map(len, texts))
    jieba.setLogLevel(60)
    jieba.initialize()
    extract(paths[:1], pipeline=Pipeline())  # warm-up: lexicons compiled, jieba loaded if used

    t_jieba = best_of(a.repeat, lambda: [jieba.lcut(t) for t in texts])
    stages: dict[str, list[float]] = {"read+split+extract": [], "resolve": [], "map to RDF": []}
    for _ in range(a.repeat):  # each stage on fresh objects: resolving changes the things it merges
        t0 = time.perf_counter()
        reports = extract(paths, pipeline=Pipeline())  # fresh components: no memo of the last run
        t1 = time.perf_counter()
        resolved = resolve(reports)
        t2 = time.perf_counter()
        union_triples(to_quads(reports, resolved))
        t3 = time.perf_counter()
        for name, secs in zip(stages, (t1 - t0, t2 - t1, t3 - t2)):
            stages[name].append(secs)
    with tempfile.TemporaryDirectory() as tmp:
        t_build = best_of(a.repeat, lambda: build_corpus(a.inputs, Path(tmp) / "out", progress=False))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"corpus: {len(paths)} files, {len(reports)} reports, {chars:,} characters")
    print(f"{'stage':<28}{'seconds':>10}{'× jieba.lcut':>14}")
    rows = [("jieba.lcut (reference)", t_jieba), *((k, min(v)) for k, v in stages.items()),
            ("whole build (kg build)", t_build)]
    for name, secs in rows:
        print(f"{name:<28}{secs:>10.3f}{secs / t_jieba:>14.2f}")
    print(f"throughput: build {chars / t_build:,.0f} chars/s, jieba.lcut {chars / t_jieba:,.0f} chars/s")
    print(f"peak RSS of this process: {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
