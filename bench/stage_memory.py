#!/usr/bin/env python3
"""Benchmark: a build's peak memory (RSS) and seconds per stage, in one process.

    .venv/bin/python bench/stage_memory.py CORPUS [--out DIR] [--workers N]

A thread samples this process's RSS every half second; the build's own stage timer (``BuildSummary.lap``)
marks where each stage ends, so each sample is counted for the stage running then. Use it to find which
stage a memory peak belongs to (``scale.py`` gives the peak and when it came, not the stage). Forked
workers' memory is not counted: with ``--workers 1`` everything runs in this process. Not a test.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path


def _rss_mib() -> int:
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, default=None, help="build folder (default: a temporary one)")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)

    import kg.build as build

    current = ["(start)"]
    peaks: dict[str, int] = {}
    order: list[str] = []

    def sample() -> None:
        while True:
            peaks[current[0]] = max(peaks.get(current[0], 0), _rss_mib())
            time.sleep(0.5)

    threading.Thread(target=sample, daemon=True).start()
    lap = build.BuildSummary.lap

    def marked(self, stage: str, since: float) -> float:  # the stage that ends now had the samples so far
        peaks[stage] = max(peaks.pop(current[0], 0), _rss_mib())
        order.append(stage)
        current[0] = "(after " + stage + ")"
        return lap(self, stage, since)

    build.BuildSummary.lap = marked  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        out = a.out or Path(tmp) / "out"
        summary = build.build_corpus([a.corpus], out, progress=False, rebuild=True, workers=a.workers)
    print(f"{'stage':<45}{'seconds':>10}{'peak RSS MiB':>14}")
    for stage in order:
        print(f"{stage:<45}{summary.stages[stage]:>10.1f}{peaks.get(stage, 0):>14,}")
    print(f"{'whole build':<45}{summary.seconds:>10.1f}{max(peaks.values()):>14,}")
    print(f"SHACL: {summary.validation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
