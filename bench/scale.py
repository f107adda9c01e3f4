#!/usr/bin/env python3
"""Benchmark at scale: the seeds at 1×, 10× and 100×, each figure from the same run.

    .venv/bin/python bench/scale.py                                   # 1×, 10× and 100× (100× takes long)
    .venv/bin/python bench/scale.py --factors 1 10 --json /tmp/scale.json
    .venv/bin/python bench/scale.py --factors 10 --workers 1 2        # 1 vs 2 extraction workers

For each factor: the corpus is made by ``bench/scale_corpus.py`` (copies that name other places, persons,
years and teams) and kept in ``bench/.corpora/`` for the next run, remade when the scaler, its data, the
seeds or kg's person extractor change. Then, each in a fresh process, so that nothing one memoised helps
another:

* ``jieba.lcut`` over the same text (the reference: plain word segmentation, ``build_vs_jieba``'s timer);
* ``kg build CORPUS --out TMP --rebuild``, as a user runs it, once per ``--workers`` value: wall seconds,
  and the peak RSS of the build and the processes it started (``os.wait4``: that child's own maximum, so
  builds do not mix), the triples and per-class counts from its summary, the store's size on disk;
* every canned question (``kg/queries/*.rq``, with the parameters ``queries_vs_rdflib.py`` gives) on the
  built store, ``--repeats`` times: median milliseconds.

``--workers`` is passed to ``kg build`` only when its ``--help`` lists the option or when it is given here;
without it, one build per factor and no speed-up. Prints the machine, one table of builds and one of query
latencies (markdown), and with ``--json PATH`` writes everything measured. Not a test: nothing here fails
on a slow machine; a shared machine makes single runs noisy, so compare figures of one run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from build_vs_jieba import _jieba_seconds  # noqa: E402
import scale_corpus  # noqa: E402

CORPORA = BENCH / ".corpora"
MIB = 1024 * 1024
POLL_S = 0.2  # how often a build's memory is sampled, at most
POLL_SHARE = 0.1  # …and at most this share of a core spent sampling: PSS takes ~20 ms per GiB to read
# What the scaled corpus depends on besides the seeds: a change to any of these makes it anew.
CORPUS_INPUTS = (BENCH / "scale_corpus.py", *sorted((BENCH / "scale_data").iterdir()),
                 ROOT / "kg" / "extract" / "persons.py", ROOT / "kg" / "lexicons" / "surnames.txt")


@dataclass
class Build:
    workers: int | None  # None: kg build's own default (the option was not passed)
    seconds: float
    peak_rss_mib: float  # the largest process's peak (os.wait4's ru_maxrss): the build or a child it forked
    peak_tree_mib: float  # the most the build and its children held together (PSS), sampled (see POLL_S)
    peak_at_s: float  # when that was, in seconds from the start: compare with the stage times in counts
    exit_code: int
    stopped: str = ""  # why the build was stopped before its end (over --max-rss-gib), if it was
    counts: dict[str, float] = field(default_factory=dict)  # the summary table: files, reports, Person, triples…
    store_mib: float = 0.0
    cpu_seconds: float = 0.0  # user + system CPU of the build and every process it waited for (os.wait4)

    @property
    def cores_busy(self) -> float:
        """How many cores the build kept busy on average: CPU seconds over wall seconds."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


@dataclass
class Run:
    factor: int
    files: int
    chars: int
    jieba_seconds: float
    builds: list[Build] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)


# -- the corpus ---------------------------------------------------------------------------------------

def corpus(seeds: Path, factor: int, seed: int, cache: Path = CORPORA) -> Path:
    """The scaled corpus's folder, made unless an identical one is cached; stale ones are removed."""
    digest = hashlib.sha256(f"{factor}|{seed}".encode())
    for path in [*CORPUS_INPUTS, *sorted(p for p in seeds.rglob("*") if p.is_file())]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    stem = f"x{factor}-seed{seed}-"
    folder = cache / f"{stem}{digest.hexdigest()[:12]}"
    if not folder.is_dir():
        for stale in cache.glob(f"{stem}*"):
            shutil.rmtree(stale, ignore_errors=True)
        t = time.perf_counter()
        scale_corpus.scale([seeds], factor, folder, seed)
        print(f"[{factor}×] corpus made in {time.perf_counter() - t:.0f} s: {folder}", file=sys.stderr)
    return folder


def _jieba_over(paths: list[Path]) -> float:
    """In a fresh process: seconds ``jieba.lcut`` takes over the files' text (after jieba.initialize)."""
    from kg.read import read_source

    return _jieba_seconds([read_source(p).text for p in paths], 1)


def jieba_seconds(paths: list[Path]) -> float:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_jieba_over, paths).result()


# -- the build ----------------------------------------------------------------------------------------

def _kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def _env() -> dict[str, str]:
    """This checkout's kg, and a wide terminal so that rich prints the summary table unwrapped."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "COLUMNS": "200"}


def build_has_workers() -> bool:
    """Does ``kg build --help`` list ``--workers``?"""
    done = subprocess.run(_kg("build", "--help"), capture_output=True, text=True, env=_env(), cwd=ROOT)
    return "--workers" in done.stdout


_ROW = re.compile(r"^[│┃|]\s*(?P<name>\S[^│┃|]*?)\s*[│┃|]\s*(?P<number>[\d,]+(?:\.\d+)?)\s*[│┃|]\s*$")


def summary_counts(table: str) -> dict[str, float]:
    """The numbers of ``kg build``'s summary table: files, reports, one per class, triples, seconds (the
    build's own, without the start-up), each stage's seconds."""
    counts: dict[str, float] = {}
    for line in table.splitlines():
        if m := _ROW.match(line.strip()):
            number = m["number"].replace(",", "")
            counts.setdefault(m["name"], float(number) if "." in number else int(number))
    return counts


def disk_mib(folder: Path) -> float:
    """What ``du`` counts: the blocks the folder's files take."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file()) / MIB


def _tree_memory(process: psutil.Process) -> int:
    """Bytes ``process`` and all its descendants hold together: their PSS, in which a page a fork shares
    counts once in all (their RSS would count it in each), or their RSS where there is no PSS."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += getattr(p.memory_full_info(), "pss", None) or p.memory_info().rss
        except psutil.Error:  # ended between the listing and the reading
            pass
    return total


def _stop_tree(process: psutil.Process) -> None:
    """Kill the build this script started, and the processes it started."""
    for p in [*process.children(recursive=True), process]:
        try:
            p.kill()
        except psutil.Error:
            pass


def build(corpus_dir: Path, out: Path, workers: int | None, max_rss: float | None = None) -> Build:
    """``kg build CORPUS --out OUT --rebuild [--workers N]`` in a fresh process, timed and measured.

    With ``max_rss`` (bytes), a build whose processes together hold more (PSS) is stopped, so that a corpus too big
    for the machine ends in a figure rather than in the out-of-memory killer picking a victim."""
    args = ["build", str(corpus_dir), "--out", str(out), "--rebuild"]
    if workers is not None:
        args += ["--workers", str(workers)]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stdout, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        t = time.perf_counter()
        child = subprocess.Popen(_kg(*args), stdout=stdout, stderr=stderr, env=_env(), cwd=ROOT)
        process, peak, peak_at, stopped = psutil.Process(child.pid), 0, 0.0, ""
        while True:  # wait4, not Popen.wait: it gives the rusage of this child and the children it waited for
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            read = time.perf_counter()
            rss = _tree_memory(process)
            read = time.perf_counter() - read
            if rss > peak:
                peak, peak_at = rss, time.perf_counter() - t
            if max_rss and rss > max_rss and not stopped:
                stopped = f"over {max_rss / 1024 ** 3:.1f} GiB after {time.perf_counter() - t:.0f} s"
                _stop_tree(process)
            time.sleep(max(POLL_S, read / POLL_SHARE))
        seconds = time.perf_counter() - t
        child.returncode = code = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        table, errors = stdout.read(), stderr.read()
    if code not in (0, 1) and not stopped:  # 1: some files were skipped, and they are named on stderr
        raise SystemExit(f"kg build failed (exit {code}):\n{errors[-2000:]}")
    skipped = [line for line in errors.splitlines() if line.startswith("skipped ")]
    for line in skipped[:5]:
        print(f"  {line}", file=sys.stderr)
    result = Build(workers, seconds, usage.ru_maxrss / 1024, peak / MIB, peak_at, code, stopped,
                   summary_counts(table))
    result.counts["skipped files"] = len(skipped)
    result.store_mib = disk_mib(out / "store") if not stopped else 0.0
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    return result


# -- canned questions ---------------------------------------------------------------------------------

def query_cases() -> list[tuple[str, dict[str, str]]]:
    """``queries_vs_rdflib.CASES``, and each other canned question that needs no parameter, as is."""
    from kg import queries
    from queries_vs_rdflib import CASES

    named = {name for name, _ in CASES}
    extra = [(q.name, {}) for q in queries.list_queries()
             if q.name not in named and not any(p.required for p in q.params)]
    return [*CASES, *extra]


def time_queries(store_dir: Path, repeats: int) -> list[dict[str, Any]]:
    """Each case ``repeats`` times on the store: median and each run's milliseconds, and the rows."""
    from kg import queries
    from kg.store import open_store

    store = open_store(store_dir)
    results = []
    for name, params in query_cases():
        runs, rows = [], -1
        for _ in range(repeats):
            t = time.perf_counter()
            rows = len(queries.run(store, name, params).rows)
            runs.append((time.perf_counter() - t) * 1000)
        results.append({"query": name, "params": params, "rows": rows,
                        "median_ms": statistics.median(runs), "runs_ms": runs})
    return results


# -- the machine and the report -----------------------------------------------------------------------

def machine() -> dict[str, Any]:
    """What the figures depend on: cores, memory, CPU, Python, and how busy the machine was."""
    model = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), model)
    return {"cpu": model or "unknown", "cores": os.cpu_count(),
            "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average": os.getloadavg()}


def _speed_up(builds: list[Build], cores: int) -> str:
    """The speed-up from the fewest workers to the most, and the most this machine allows it (Amdahl, from
    the CPU the build with the fewest already spent: with ``c`` cores, wall time is at least CPU ÷ c)."""
    timed = {b.workers: b for b in builds if b.workers is not None and not b.stopped}
    if len(timed) < 2:
        return "n/a"
    low, high = min(timed), max(timed)
    bound = min(high, cores) / timed[low].cores_busy if timed[low].cores_busy else float("nan")
    return f"{timed[low].seconds / timed[high].seconds:.2f}× ({low}→{high}; at most {bound:.2f}× on {min(high, cores)} cores)"


def _build_row(r: Run, cores: int) -> str:
    b = r.builds[0]
    peak = f"{max(x.peak_rss_mib for x in r.builds):,.0f} / {max(x.peak_tree_mib for x in r.builds):,.0f}"
    if b.stopped:
        return (f"| {r.factor}× | {r.files} | — | — | {r.chars:,} | {r.jieba_seconds:.1f} | stopped: {b.stopped} "
                f"| — | — | {peak} | — | — | — | — | — |")
    skipped = b.counts.get("skipped files", 0)
    files = f"{b.counts.get('files', 0)}" + (f" ({skipped} skipped!)" if skipped else "")
    return (f"| {r.factor}× | {files} | {b.counts.get('reports', 0):,} | {b.counts.get('Person', 0):,} | "
            f"{r.chars:,} | {r.jieba_seconds:.1f} | {b.seconds:.1f} | {b.seconds / r.jieba_seconds:.2f} | "
            f"{r.chars / b.seconds:,.0f} | {peak} | {b.counts.get('triples', 0):,} | {b.store_mib:,.0f} | "
            f"{b.cpu_seconds:.1f} ({b.cores_busy:.2f}) | {_speed_up(r.builds, cores)} | "
            f"{b.counts.get('seconds', float('nan')):.1f} |")


def print_report(info: dict[str, Any], runs: list[Run]) -> None:
    print(f"machine: {info['cpu']}, {info['cores']} cores ({info['cores_usable']} usable), {info['ram_gib']} GiB RAM, "
          f"Python {info['python']}, {info['platform']}; load average at start "
          + ", ".join(f"{x:.1f}" for x in info["load_average"]))
    print()
    print("| factor | files | reports | persons | chars | jieba s | build s | build/jieba | chars/s | "
          "peak RSS MiB (process / all) | triples | store MiB | CPU s (cores busy) | workers speed-up | kg's own s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in runs:
        print(_build_row(r, info["cores_usable"]))
    workers = {b.workers for r in runs for b in r.builds}
    print("\nbuild s, build/jieba and chars/s are the "
          + ("build without --workers (kg build's default)" if workers == {None}
             else f"build with --workers {runs[0].builds[0].workers}")
          + "; build s is wall time, start-up included (imports, jieba's dictionary); kg's own s is the "
            "summary's, without it. Peak RSS: the largest single process (os.wait4), and the most the build "
            f"and the processes it forked held together (PSS, sampled every {POLL_S} s or more, so as to take "
            f"at most {POLL_SHARE:.0%} of a core); the largest of the factor's builds.")
    print()
    cases = list(dict.fromkeys((q["query"], json.dumps(q["params"], ensure_ascii=False))
                               for r in runs for q in r.queries))
    timed = [{(q["query"], json.dumps(q["params"], ensure_ascii=False)): q for q in r.queries} for r in runs]
    print("| query | params | " + " | ".join(f"{r.factor}× ms (rows)" for r in runs) + " |")
    print("|---|---|" + "---:|" * len(runs))
    for name, params in cases:
        shown = " ".join(f"{k}={v}" for k, v in json.loads(params).items()) or "—"
        cells = [f"{t[name, params]['median_ms']:.1f} ({t[name, params]['rows']})" if (name, params) in t else "—"
                 for t in timed]
        print(f"| {name} | {shown} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100], help="corpus sizes, in seeds")
    ap.add_argument("--workers", type=int, nargs="+", default=None,
                    help="kg build --workers values to compare (default: 1 2 if kg build has the option)")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="the seed folder")
    ap.add_argument("--seed", type=int, default=0, help="the scaler's random seed")
    ap.add_argument("--repeats", type=int, default=5, help="runs of each canned question; the median counts")
    ap.add_argument("--max-rss-gib", type=float, default=None,
                    help="stop a build whose processes together hold more (PSS; default: 80%% of the memory "
                         "available at the start)")
    ap.add_argument("--json", type=Path, help="also write every figure measured to this file")
    a = ap.parse_args(argv)
    if min(a.factors) < 1 or (a.workers and min(a.workers) < 1) or a.repeats < 1:
        ap.error("--factors, --workers and --repeats take whole numbers of at least 1")
    if not a.seeds.is_dir():
        ap.error(f"no seed folder {a.seeds}")
    workers: list[int | None] = a.workers or ([1, 2] if build_has_workers() else [None])
    max_rss = a.max_rss_gib * 1024 ** 3 if a.max_rss_gib else 0.8 * psutil.virtual_memory().available

    from kg.read import discover, read_source

    info, runs = machine(), []
    info["max_rss_gib"] = round(max_rss / 1024 ** 3, 1)
    for factor in a.factors:
        folder = corpus(a.seeds, factor, a.seed)
        paths = discover([folder])
        run = Run(factor, len(paths), sum(len(read_source(p).text) for p in paths), jieba_seconds(paths))
        print(f"[{factor}×] {run.files} files, {run.chars:,} chars; jieba.lcut {run.jieba_seconds:.1f} s",
              file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix=f"kg-scale-x{factor}-") as tmp:
            for n in workers:
                out = Path(tmp) / f"out-w{n}"
                run.builds.append(b := build(folder, out, n, max_rss))
                print(f"[{factor}×] kg build{f' --workers {n}' if n else ''}: "
                      + (f"stopped, {b.stopped}" if b.stopped else f"{b.seconds:.1f} s") +
                      f", peak RSS {b.peak_rss_mib:,.0f} MiB (all processes {b.peak_tree_mib:,.0f} MiB at "
                      f"{b.peak_at_s:.0f} s), {b.counts.get('triples', 0):,} triples", file=sys.stderr)
                if b.stopped:
                    break  # another worker count would only be stopped too
                if n != workers[0]:
                    shutil.rmtree(out)
            if not run.builds[0].stopped:
                run.queries = time_queries(Path(tmp) / f"out-w{workers[0]}" / "store", a.repeats)
        runs.append(run)

    print_report(info, runs)
    if a.json:
        from kg.files import write_atomic

        data = {"machine": info, "runs": [asdict(r) for r in runs]}
        write_atomic(a.json, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
