"""Write a build's outputs: each report's named graph as soon as the report is resolved, its page once
the corpus is merged, and the pages of the whole from the finished store.

Streaming, in two passes. While files are still being extracted, each report, as soon as it is resolved
(``kg.spill`` calls back), is mapped to its named graph (``kg.rdf``: its share of the corpus-wide
resolution is final by then, see ``kg.resolve.stream.Merged.resolved``), written out as text (N-Quads
for the store, Turtle for ``graph.ttl``, the structure for the SHACL check) and forgotten: the store's
loader (``kg.store.GraphLoader``, a thread that loads in Rust without the GIL) works on the other core
while extraction goes on, rather than after it. Once every report is in and the merge is settled, the
graph of the shared things is written, and each report's page (``reports/<slug>.html``) is drawn from its
graph (mapped again: cheaper than keeping it) and the shared things, by ``workers`` processes at once.
Those are forked after the merge, so they share the merged things without copying them, and read the
reports they draw themselves; they keep the shared things' graph (``ENTITIES_GRAPH``). The overview pages
(``index.html``, ``graph.html``) are drawn from the finished store.

With one worker, and where fork is missing or unsafe (another thread runs: forking it could deadlock) or
this process is a daemon (it may have no children), the pages are drawn in this process, one after the
other; the store's loader is then left to finish meanwhile.
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
from .model import Report, Thing
from .progress import progress_bar
from .overview import write_overview
from .rdf import GraphMapper, GraphText, TurtleWriter, entities_graph
from .rdftext import ntriples, value
from .render import write_graph_view, write_view
from .resolve import Resolved
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
    structure: list[bytes] = field(default_factory=list)  # N-Triples without mention details, for SHACL
    structure_triples: int = 0  # how many triples ``structure`` holds, or would hold past its limit

    @property
    def manifest(self) -> dict:
        return {"format": MANIFEST_FORMAT, "graphs": dict(sorted(self.digests.items()))}


@dataclass
class MappedGraph:
    """One named graph, mapped and serialized."""

    graph: str
    nquads: bytes
    turtle: bytes
    structure: bytes
    counts: Counter[str]
    triples: int


class GraphWriter:
    """The store, ``graph.ttl`` and the structure, written graph by graph as the build hands them over.

    ``write_report`` maps and writes one resolved report's graph; ``finish`` writes the shared things'
    graph and the ontology, and drops what the last build had and this one does not make; ``close`` waits
    for the store. ``previous``: the last build's manifest, whose store (``base_store``) the new store
    starts as a copy of (then only graphs whose digest changed are loaded). ``structure_limit``: keep the
    structure (for SHACL) only up to this many triples: past it, what was kept is let go and
    ``written.structure`` stays empty, so that memory stays flat on a big corpus.

    The store's loader starts with the first graph, not before: the extraction engine forks its workers
    when the first report goes out, and a process must not fork while the loader's thread runs."""

    def __init__(self, staging: Path, *, previous: dict | None, base_store: Path | None,
                 structure_limit: int | None = None) -> None:
        self.written = Written()
        self.staging, self.previous, self.base_store = staging, previous, base_store
        self.structure_limit = structure_limit
        self._loader: GraphLoader | None = None
        self._turtle = TurtleWriter(staging / "graph.ttl")
        self.closed = False

    def write_report(self, report: Report, resolved: Resolved) -> GraphText:
        """Map ``report`` (with its share of the corpus-wide resolution) and write its graph; returns it."""
        with collector_paused():  # tens of thousands of short-lived strings and tuples, none in a cycle
            graph = GraphMapper([report], resolved).report_graph(report)
            self._hand_over(_serialized(graph))
        return graph

    def finish(self, shared_things: list[Thing]) -> bytes:
        """Write the shared things' graph (returned, as N-Quads, to draw pages with) and the ontology, and
        drop the last build's graphs this one did not make. The structure is complete after this."""
        entities = entities_graph(shared_things)
        self._hand_over(_serialized(entities))
        self._turtle.close()
        self._store(ONTOLOGY_GRAPH.value, ontology_nquads())  # in the store only: not the corpus's graph.ttl
        for graph in self.previous["graphs"] if self.previous else ():
            if graph not in self.written.digests:
                self._loaded().drop(ox.NamedNode(graph))
                self.written.graphs_dropped += 1
        self._loaded().finish()  # loads what waits for a batch to fill, and compacts, while pages are drawn
        return entities.nquads()

    def close(self) -> None:
        """Wait for the store to be loaded and swapped into place (``staging/store``)."""
        if not self.closed:
            self.closed = True
            self._loaded().close()

    def abort(self) -> None:
        self.closed = True
        self._turtle.close()
        if self._loader is not None:
            self._loader.abort()

    def __enter__(self) -> "GraphWriter":
        return self

    def __exit__(self, kind, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def _loaded(self) -> GraphLoader:
        if self._loader is None:
            self._loader = GraphLoader(self.staging / "store", base=self.base_store)
        return self._loader

    def _store(self, graph: str, nquads: bytes) -> None:
        """Record the graph's digest; load it unless the last build's store holds it already."""
        self.written.digests[graph] = digest = hashlib.sha256(nquads).hexdigest()
        if self.previous is None or self.previous["graphs"].get(graph) != digest:
            self._loaded().replace(ox.NamedNode(graph), nquads)
            self.written.graphs_written += 1

    def _hand_over(self, mapped: MappedGraph) -> None:
        written = self.written
        self._store(mapped.graph, mapped.nquads)
        self._turtle.write(mapped.turtle)
        written.structure_triples += mapped.structure.count(b"\n")
        if self.structure_limit is None or written.structure_triples <= self.structure_limit:
            written.structure.append(mapped.structure)
        else:
            written.structure.clear()
        written.counts.update(mapped.counts)
        written.triples += mapped.triples


def pages_fork(workers: int, reports: int) -> bool:
    """Whether report pages will be drawn by forked workers (which needs no other thread running then)."""
    return workers > 1 and reports > 1


def write_report_pages(corpus: SpilledCorpus, entities: bytes, staging: Path, *, workers: int,
                       progress: bool = False, forked: Callable[[], None] | None = None) -> int:
    """Draw ``staging/reports/<slug>.html`` for every report, from its graph and the shared things'
    (``entities``, their N-Quads); returns how many. ``forked`` is called once the workers are forked (or
    at once if there are none), to start what runs in a thread meanwhile."""
    (staging / "reports").mkdir(parents=True, exist_ok=True)
    with _PageWorkers(corpus, entities, staging, workers) as pages:
        if forked is not None:
            forked()
        with progress_bar(progress and len(corpus) > 1) as bar:  # after the fork: the bar runs a thread
            task = bar.add_task("drawing report pages", total=len(corpus))
            for _ in pages:  # in report order, whoever drew them
                bar.advance(task)
    return len(corpus)


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


# -- one graph, one page -------------------------------------------------------------------------------

def _serialized(graph: GraphText) -> MappedGraph:
    """One graph's N-Quads, Turtle and structure (N-Triples without the mentions' details, for SHACL),
    written from its text (``kg.rdftext``), with its things counted by class."""
    structure = [t for t in graph if t[1] not in _MENTION_DETAILS]
    counts = Counter(o[len(_XS_CLASS):-1] for _s, p, o in structure if p == _RDF_TYPE and o.startswith(_XS_CLASS))
    return MappedGraph(value(graph.graph), graph.nquads(), TurtleWriter.chunk(graph), ntriples(structure),
                       counts, len(graph))


class _Job:
    """What a page worker needs, set before the workers fork so that they share it without a copy."""

    corpus: SpilledCorpus
    entities: bytes
    folder: Path
    shared: SharedThings | None = None  # the shared things' triples, read once by each worker


_job = _Job()


def _draw_page(position: int) -> None:
    """Draw one report's page from its graph (as written, if the corpus kept it; else mapped again) and the
    shared things."""
    with collector_paused():
        graph = _job.corpus.made(position)
        if graph is None:
            report, resolved = _job.corpus.report(position)
            graph = GraphMapper([report], resolved).report_graph(report)
        if _job.shared is None:
            _job.shared = SharedThings(ox.parse(_job.entities, format=ox.RdfFormat.N_QUADS))
        write_view(report_view_of_graph(graph, _job.shared), _job.folder / f"{slug(value(graph.graph))}.html")


def _start_worker() -> None:
    # the inherited heap is the parent's: the collector would walk (and so copy) all of it for nothing
    gc.freeze()


class _PageWorkers:
    """The reports' pages, drawn by forked workers (or here), reported done in report order.

    At most a few pages per worker are drawn ahead of the one the build waits for."""

    def __init__(self, corpus: SpilledCorpus, entities: bytes, staging: Path, workers: int) -> None:
        _job.corpus, _job.entities, _job.folder = corpus, entities, staging / "reports"
        _job.shared = None
        self.pool: ProcessPoolExecutor | None = None
        self.ahead = 4 * max(1, workers)
        if pages_fork(workers, len(corpus)) and fork_is_safe():
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start_worker)
            self.pool.submit(int)  # forks every worker now, before any thread of this process starts

    def __iter__(self) -> Iterator[None]:
        count = len(_job.corpus)
        if self.pool is None:
            for position in range(count):
                yield _draw_page(position)
            return
        waiting: deque[Future] = deque()
        submitted = 0
        while submitted < count or waiting:
            while submitted < count and len(waiting) < self.ahead:
                waiting.append(self.pool.submit(_draw_page, submitted))
                submitted += 1
            try:
                yield waiting.popleft().result()
            except BrokenProcessPool as exc:
                raise RuntimeError(f"a process drawing the pages died ({exc}); was it out of memory? "
                                   "try fewer --workers") from None

    def __enter__(self) -> "_PageWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        _job.corpus = _job.shared = None  # type: ignore[assignment]


__all__ = ["GraphWriter", "write_report_pages", "pages_fork", "write_overview_pages", "write_manifest", "Written",
           "MappedGraph", "MANIFEST_FORMAT"]
