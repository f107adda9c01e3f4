"""Map the resolved corpus to RDF and write a build's outputs, graph by graph.

Streaming: each report is read back from where the build spilled it (``kg.spill``), and its named graph is
mapped, serialized (N-Quads for the store, Turtle for ``graph.ttl``), drawn as its page
(``reports/<slug>.html``) and forgotten; the build's process only hands the bytes on, in report order: to
the store's loader (``kg.store.GraphLoader``, a thread that loads in Rust without the GIL) and to
``graph.ttl``. So memory grows neither with the reports nor with the RDF of the corpus, and the mapping runs
in ``workers`` processes at once. Workers are forked after the merge, so they share the merged shared
things without copying them, and read the reports they map themselves; they keep the shared things' graph
(``ENTITIES_GRAPH``), to draw pages with. The overview pages (``index.html``, ``graph.html``) are drawn from
the finished store.

With one worker, and where fork is missing or unsafe (another thread runs: forking it could deadlock) or
this process is a daemon (it may have no children), the same work runs in this process, graph after graph.
"""
from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from .collector import collector_paused
from .engines import fork_is_safe
from .progress import progress_bar
from .overview import write_overview
from .rdf import GraphMapper, GraphText, TurtleWriter, entities_graph
from .rdftext import ntriples, value
from .render import write_graph_view, write_view
from .spill import SpilledCorpus
from .store import ONTOLOGY_GRAPH, GraphLoader, ontology_nquads
from .validate import MENTION_DETAILS
from .viz import SharedThings, report_view_of_graph, slug
from .vocab import RDF, XS_IRI

MANIFEST_FORMAT = 1
_RDF_TYPE, _XS_CLASS = f"<{RDF.type}>", f"<{XS_IRI}"
_MENTION_DETAILS = frozenset(map(str, MENTION_DETAILS))  # their text


@dataclass
class Written:
    """What writing found out, for the build's summary and manifest."""

    digests: dict[str, str] = field(default_factory=dict)  # named graph → sha256 of its N-Quads
    counts: Counter[str] = field(default_factory=Counter)  # things per class of the vocabulary
    triples: int = 0
    graphs_written: int = 0  # loaded into the store (all of them, unless the build is incremental)
    graphs_dropped: int = 0
    pages: int = 0
    structure: list[bytes] = field(default_factory=list)  # N-Triples without mention details, for SHACL
    structure_triples: int = 0  # how many triples ``structure`` holds, or would hold past its limit

    @property
    def manifest(self) -> dict:
        return {"format": MANIFEST_FORMAT, "graphs": dict(sorted(self.digests.items()))}


@dataclass
class MappedGraph:
    """One named graph, mapped and serialized (by a worker, or by this process)."""

    graph: str
    nquads: bytes
    turtle: bytes
    structure: bytes
    counts: Counter[str]
    triples: int
    page: bool  # its page was written


def write_graphs(corpus: SpilledCorpus, staging: Path, *, previous: dict | None, base_store: Path | None,
                 workers: int, progress: bool = False, structure_limit: int | None = None,
                 on_structure: Callable[[Written], None] | None = None) -> Written:
    """Write ``staging/store``, ``staging/graph.ttl`` and ``staging/reports/``; return what was written.

    ``previous``: the last build's manifest, whose store (``base_store``) the new store starts as a copy of
    (then only graphs whose digest changed are loaded, and graphs no longer made are dropped).
    ``structure_limit``: keep the structure (for SHACL) only up to this many triples: past it, what was kept
    is let go and ``written.structure`` stays empty, so that memory stays flat on a big corpus.
    ``on_structure``: called with what was written once the structure is complete, before the store is
    closed, so that its check can run meanwhile."""
    written = Written()
    entities = entities_graph(corpus.shared_things())
    entities_nquads = entities.nquads()
    (staging / "reports").mkdir(parents=True, exist_ok=True)
    with _GraphWorkers(corpus, entities_nquads, staging, workers) as mapped_graphs, \
            GraphLoader(staging / "store", base=base_store) as loader, \
            TurtleWriter(staging / "graph.ttl") as turtle:

        def store(graph: str, nquads: bytes) -> None:
            """Record the graph's digest; load it unless the last build's store holds it already."""
            written.digests[graph] = digest = hashlib.sha256(nquads).hexdigest()
            if previous is None or previous["graphs"].get(graph) != digest:
                loader.replace(ox.NamedNode(graph), nquads)
                written.graphs_written += 1

        def hand_over(mapped: MappedGraph) -> None:
            store(mapped.graph, mapped.nquads)
            turtle.write(mapped.turtle)
            written.structure_triples += mapped.structure.count(b"\n")
            if structure_limit is None or written.structure_triples <= structure_limit:
                written.structure.append(mapped.structure)
            else:
                written.structure.clear()
            written.counts.update(mapped.counts)
            written.triples += mapped.triples
            written.pages += mapped.page

        with progress_bar(progress and len(corpus) > 1) as bar:  # after the fork: the bar runs a thread
            task = bar.add_task("writing graphs and pages", total=len(corpus))
            for mapped in mapped_graphs:  # in report order, whoever mapped them
                hand_over(mapped)
                bar.advance(task)
        hand_over(_serialized(entities, page=False))
        if on_structure is not None:
            on_structure(written)
        store(ONTOLOGY_GRAPH.value, ontology_nquads())  # in the store only: not the corpus's graph.ttl
        for graph in previous["graphs"] if previous else ():
            if graph not in written.digests:
                loader.drop(ox.NamedNode(graph))
                written.graphs_dropped += 1
    return written


def write_overview_pages(staging: Path, facts: Callable[[], dict]) -> None:
    """``graph.html`` and ``index.html``, drawn from the finished store in ``staging``.

    ``facts`` gives the build's figures for ``index.html``; it is called last, once ``graph.html`` and the
    rest of ``index.html`` are drawn, so that what it waits for (the SHACL check, in a thread) runs
    meanwhile."""
    store = ox.Store.read_only(str(staging / "store"))
    write_graph_view(store, staging / "graph.html")
    write_overview(store, staging / "index.html", summary=facts)
    del store  # closes it: the folder is about to move


def write_manifest(staging: Path, written: Written) -> None:
    (staging / "manifest.json").write_text(json.dumps(written.manifest, indent=1, sort_keys=True), encoding="utf-8")


# -- mapping one graph --------------------------------------------------------------------------------

def _serialized(graph: GraphText, *, page: bool) -> MappedGraph:
    """One graph's N-Quads, Turtle and structure (N-Triples without the mentions' details, for SHACL),
    written from its text (``kg.rdftext``), with its things counted by class."""
    structure = [t for t in graph if t[1] not in _MENTION_DETAILS]
    counts = Counter(o[len(_XS_CLASS):-1] for _s, p, o in structure if p == _RDF_TYPE and o.startswith(_XS_CLASS))
    return MappedGraph(value(graph.graph), graph.nquads(), TurtleWriter.chunk(graph), ntriples(structure),
                       counts, len(graph), page)


class _Job:
    """What a graph worker needs, set before the workers fork so that they share it without a copy."""

    corpus: SpilledCorpus
    entities: bytes
    folder: Path
    shared: SharedThings | None = None  # the shared things' triples, read once by each worker


_job = _Job()


def _map_report(position: int) -> MappedGraph:
    """Map one report: its graph serialized, and its page written from its graph and the shared things."""
    report, resolved = _job.corpus.report(position)
    with collector_paused():
        return _map(report, resolved)


def _map(report, resolved) -> MappedGraph:
    graph = GraphMapper([report], resolved).report_graph(report)
    mapped = _serialized(graph, page=True)
    if _job.shared is None:
        _job.shared = SharedThings(ox.parse(_job.entities, format=ox.RdfFormat.N_QUADS))
    write_view(report_view_of_graph(graph, _job.shared), _job.folder / f"{slug(mapped.graph)}.html")
    return mapped


def _start_worker() -> None:
    # the inherited heap is the parent's: the collector would walk (and so copy) all of it for nothing
    gc.freeze()


class _GraphWorkers:
    """The reports' graphs, mapped by forked workers (or here) and yielded in report order.

    At most a few graphs per worker are mapped ahead of the one the build waits for, so finished graphs
    do not pile up when the store is the slower side."""

    def __init__(self, corpus: SpilledCorpus, entities: bytes, staging: Path, workers: int) -> None:
        _job.corpus, _job.entities, _job.folder = corpus, entities, staging / "reports"
        _job.shared = None
        self.pool: ProcessPoolExecutor | None = None
        self.ahead = 4 * max(1, workers)
        if workers > 1 and len(corpus) > 1 and fork_is_safe():
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start_worker)
            self.pool.submit(int)  # forks every worker now, before the store's loader starts its thread

    def __iter__(self) -> Iterator[MappedGraph]:
        count = len(_job.corpus)
        if self.pool is None:
            for position in range(count):
                yield _map_report(position)
            return
        waiting: deque[Future] = deque()
        submitted = 0
        while submitted < count or waiting:
            while submitted < count and len(waiting) < self.ahead:
                waiting.append(self.pool.submit(_map_report, submitted))
                submitted += 1
            try:
                yield waiting.popleft().result()
            except BrokenProcessPool as exc:
                raise RuntimeError(f"a process mapping the graphs died ({exc}); was it out of memory? "
                                   "try fewer --workers") from None

    def __enter__(self) -> "_GraphWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        _job.corpus = _job.shared = None  # type: ignore[assignment]


__all__ = ["write_graphs", "write_overview_pages", "write_manifest", "Written", "MappedGraph", "MANIFEST_FORMAT"]
