"""The build: read → split → extract → resolve → RDF → write (Turtle, Oxigraph store, HTML).

Everything is written into a fresh temporary folder beside ``out_dir`` and moved into place only when the
whole build succeeded, so a failure or Ctrl-C leaves the previous output intact.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .model import Report
from .pipeline import Pipeline
from .rdf import to_quads, union_triples, view_graph, write_turtle
from .render import write_html
from .store import save
from .read import UnreadableInput, discover, read_source
from .resolve import resolve
from .split import split_reports
from .vocab import RDF, XS_IRI

OUTPUTS = ("graph.ttl", "graph.html", "store")
VIEW_NODES = 400  # things drawn in graph.html: the most connected ones


@dataclass
class BuildSummary:
    files: int = 0
    reports: int = 0
    triples: int = 0
    seconds: float = 0.0
    per_class: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in pipeline order

    def lap(self, stage: str, since: float) -> float:
        """Record the seconds ``stage`` took since ``since``; returns now, the next stage's start."""
        now = time.perf_counter()
        self.stages[stage] = now - since
        return now


def extract(paths: list[Path], *, pipeline: Pipeline | None = None, progress: bool = False,
            summary: BuildSummary | None = None) -> list[Report]:
    """Read, split and extract every file; a file that fails is skipped with its reason in ``summary``."""
    pipeline = pipeline or Pipeline()
    summary = summary if summary is not None else BuildSummary()
    reports: list[Report] = []
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True, disable=not progress or len(paths) < 2) as bar:
        task = bar.add_task("extracting", total=len(paths))
        for path in paths:
            bar.update(task, description=f"extracting {path.name}")
            try:
                source = read_source(path)
                found = split_reports(source)
                for report in found:
                    pipeline(report)
            except UnreadableInput as exc:
                summary.skipped.append((str(path), str(exc)))
            else:
                reports.extend(found)
                summary.files += 1
            bar.advance(task)
    return reports


def build_corpus(inputs: list[Path], out_dir: Path, *, progress: bool = True) -> BuildSummary:
    """Build the graph of ``inputs`` (files or folders) into ``out_dir``; see the module docstring."""
    started = lap = time.perf_counter()
    summary = BuildSummary()
    paths = discover(inputs)
    reports = extract(paths, progress=progress, summary=summary)
    lap = summary.lap("read, split, extract", lap)
    resolved = resolve(reports)
    lap = summary.lap("resolve", lap)
    quads = to_quads(reports, resolved)
    lap = summary.lap("map to RDF", lap)

    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        # The store loads in Rust without the GIL, so it is written while Python writes the Turtle and
        # the HTML; leaving the ``with`` waits for it, so nothing is moved or removed while it writes.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store") as pool:
            stored = pool.submit(save, quads, staging / "store")
            triples = union_triples(quads)
            write_turtle(triples, staging / "graph.ttl")
            view, total = view_graph(triples, max_nodes=VIEW_NODES)
            write_html(view, staging / "graph.html", max_nodes=VIEW_NODES, total=total)
            stored.result()  # re-raises the store's error, if any
        _move_into_place(staging, out_dir)
        summary.lap("write (Turtle, store, HTML)", lap)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    summary.reports = len(reports)
    summary.triples = len(triples)
    rdf_type = str(RDF.type)
    typed = Counter(t.object.value[len(XS_IRI):] for t in triples
                    if t.predicate.value == rdf_type and t.object.value.startswith(XS_IRI))
    summary.per_class = dict(sorted(typed.items()))
    summary.seconds = time.perf_counter() - started
    return summary


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Replace each output of a previous build by the new one; other files in ``out_dir`` are kept."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        new, old = staging / name, out_dir / name
        if not new.exists():
            continue
        if old.is_dir() and not old.is_symlink():
            trash = staging / f"old-{name}"
            old.rename(trash)
        elif old.exists():
            old.unlink()
        new.rename(old)
