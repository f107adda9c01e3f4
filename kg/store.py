"""A thin layer over an on-disk Oxigraph store: save, open, query, export, stats.

Why Oxigraph and not rdflib for querying: SPARQL on an in-memory rdflib graph does not scale to millions of
triples (rdflib #787, #2181). rdflib stays the pipeline's working format; the store is what users query.

Layout: each report is a named graph; the ontology sits in named graph <https://w3id.org/xunshi-kg/ontology>;
and ``save`` also writes the RDF merge of everything (each distinct triple once) to the named graph
UNION_GRAPH, which queries use as their default graph. Why not ``use_default_graph_as_union=True``:
pyoxigraph 0.5 (up to 0.5.13) counts a triple once per graph that holds it there (oxigraph #1919, fixed
after 0.5 by #1920), so a unit named in two reports came back twice and COUNTs were inflated. The
materialized merge costs disk space and keeps query results set-correct; GRAPH ?g still sees the
report graphs (and not UNION_GRAPH). A store without UNION_GRAPH is queried with the union flag instead.
"""
from __future__ import annotations

import json
import queue
import shutil
import threading
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pyoxigraph as ox
import rdflib

from kg.files import swap_into_place
from kg.ontology import ONTOLOGY_IRI, ONTOLOGY_TTL
from kg.vocab import PREFIXES, XS_IRI

ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_IRI)
UNION_GRAPH = ox.NamedNode("https://w3id.org/xunshi-kg/graph/union")
PREFIX_MAP: dict[str, str] = {p: str(ns) for p, ns in PREFIXES.items()}
EXPORT_FORMATS = ("turtle", "nt", "jsonld", "nquads", "trig")
# The classes `stats` reports on (xs:Status is a closed list of two values, not something extracted).
STAT_CLASSES = ("Report", "Inspection", "Unit", "InspectionTeam", "Person", "Post", "Document", "Program",
                "Deadline", "Problem", "Mention")

_ALL_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"


class StoreNotFound(Exception):
    """There is no store where one was expected (the user has not built one yet)."""

    def __init__(self, store_dir: Path) -> None:
        super().__init__(f"no knowledge-graph store at {store_dir}: run `kg build INPUT... --out DIR` first "
                         f"(it writes the store to DIR/store), or point --store at an existing one")
        self.store_dir = store_dir


class SparqlSyntaxError(ValueError):
    """The query does not parse; the message is the SPARQL parser's, position included."""


@dataclass
class QueryResult:
    """What a query returned, in plain Python types.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT/DESCRIBE). For SELECT, ``rows`` hold one
    string per variable (IRIs in full, literals as their lexical form, blank nodes as ``_:id``, None when
    unbound) and ``json`` holds the SPARQL 1.1 JSON results, which keep datatypes and language tags.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)
    boolean: bool | None = None
    graph_ttl: str | None = None
    json: dict[str, Any] | None = None


# -- writing ----------------------------------------------------------------------------------------

def is_store(path: Path) -> bool:
    """An Oxigraph (RocksDB) directory always holds a CURRENT file."""
    return path.is_dir() and (path / "CURRENT").is_file()


def _nquads(dataset: rdflib.Graph) -> bytes:
    if dataset.context_aware:  # a Dataset (named graphs), not a plain Graph
        return dataset.serialize(format="nquads", encoding="utf-8")
    return dataset.serialize(format="nt", encoding="utf-8")  # a plain Graph goes to the default graph


def _has_ontology(dataset: rdflib.Graph) -> bool:
    if not dataset.context_aware:
        return False
    ident = rdflib.URIRef(ONTOLOGY_IRI)
    return any(g.identifier == ident and len(g) for g in dataset.graphs())  # type: ignore[attr-defined]


def _write_store(store_dir: Path, fill: Callable[[ox.Store], None], *, base: Path | None = None) -> None:
    """Build a store with ``fill`` in a temporary sibling of ``store_dir`` (empty, or a copy of ``base``),
    close it, and swap it into place: a failure or Ctrl-C leaves the previous store intact.

    The store is closed before its folder moves. RocksDB left open goes on using the old path: a
    compaction running then fails (and RocksDB sleeps a second after a failed one), and closing it
    cannot write its MANIFEST. So ``fill`` must keep no reference to the store once it returns."""
    store_dir = Path(store_dir)
    if store_dir.exists() and not is_store(store_dir) and any(store_dir.iterdir()):
        raise FileExistsError(f"{store_dir} exists and is not an Oxigraph store; refusing to replace it")
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.new-", dir=store_dir.parent))
    try:
        if base is not None:
            tmp.rmdir()  # backup() creates the folder itself
            ox.Store.read_only(str(base)).backup(str(tmp))  # a RocksDB checkpoint: hard links, milliseconds
        _fill_and_close(tmp, fill)
        tmp.chmod(0o755)  # mkdtemp makes it private; the store should be as readable as any other output
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    swap_into_place(tmp, store_dir)


def _fill_and_close(folder: Path, fill: Callable[[ox.Store], None]) -> None:
    """Open the store in ``folder``, ``fill`` it, and close it: pyoxigraph has no ``close()``, a store
    closes when its last reference goes, which is this function's own when it returns."""
    store = ox.Store(str(folder))
    fill(store)
    store.flush()


def save(dataset: rdflib.Dataset, store_dir: Path, *, include_ontology: bool = True) -> None:
    """Write every quad of an rdflib ``dataset`` to a new store at ``store_dir``, replacing any store there.

    For users who made or changed a graph with rdflib; the build itself uses ``save_graphs``. The graphs
    of an rdflib Dataset may share triples, so the merge is materialized (see the module docstring). The
    ontology is added as named graph <https://w3id.org/xunshi-kg/ontology> unless the dataset holds it.
    """
    def fill(store: ox.Store) -> None:
        store.bulk_load(_nquads(dataset), ox.RdfFormat.N_QUADS)
        if include_ontology and not _has_ontology(dataset):
            store.bulk_load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
        _write_union(store)

    _write_store(store_dir, fill)


def ontology_nquads() -> bytes:
    """The ontology as N-Quads in its own named graph, for ``save_graphs``: the same bytes for the same
    file (the parser's random blank node ids are renamed in the order they appear)."""
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"ontology{len(names)}"))
        return term

    triples = ox.parse(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE)
    return ox.serialize((ox.Quad(stable(t.subject), t.predicate, stable(t.object), ONTOLOGY_GRAPH) for t in triples),
                        format=ox.RdfFormat.N_QUADS)


def save_graphs(store_dir: Path, graphs: dict[ox.NamedNode, bytes], *, base: Path | None = None,
                drop: Sequence[ox.NamedNode] = ()) -> None:
    """Write named graphs, each given as its N-Quads, to a new store at ``store_dir``.

    The build's graphs never share a triple (kg.rdf), so no merge is materialized. Without ``base`` the
    store holds exactly ``graphs``. With ``base`` (an earlier store) it starts as a copy of that store in
    which each graph in ``graphs`` replaces the graph of the same name and each graph in ``drop`` is
    removed: that is how an incremental build touches only what changed.
    """
    with GraphLoader(store_dir, base=base) as loader:
        for graph in drop:
            loader.drop(graph)
        for graph, data in graphs.items():
            loader.replace(graph, data)


class GraphLoader:
    """Writes named graphs to a new store as they are handed over, in a thread of its own.

    What a streaming build needs: each graph is handed over as N-Quads as soon as it is mapped, and the
    build forgets it; the loader gathers them into batches and bulk-loads each batch, which runs in Rust
    without the GIL, so the build's Python goes on meanwhile. A batch is handed to the loader as soon as
    the loader has nothing left to do and the batch holds ``first_batch`` bytes, or an eighth of what was
    loaded so far if that is more; while the loader is busy, the batch grows, up to ``batch_bytes``. So
    the store is loaded while the graphs are mapped, not after, and what is left to load when the last
    graph comes is about one graph's worth; yet a big build makes few batches (each bulk load costs some
    20 ms besides its bytes, and adds files a query reads through). At most ``max_pending`` batches
    wait, so memory stays flat however many graphs come. The store is written in a temporary sibling of
    ``store_dir`` and swapped in when ``close()`` succeeds (``_write_store``); leaving the ``with`` on an
    error discards it, and the store there before is left as it was.

    Each bulk load adds files to RocksDB's first level, and a query reads through all of them: on the 100×
    corpus (a few hundred batches) queries were 5-10 times slower than on the same store compacted. So
    once more than ``compact_after`` bytes were loaded, ``finish()`` (or ``close()``) compacts the store (``Store.optimize``,
    about 5% of such a build); below that, compaction costs more than it saves.

    With ``base`` the new store starts as a copy of that one (a RocksDB checkpoint: hard links), and a
    graph handed over replaces the graph of that name (``replace``) or is removed (``drop``).
    """

    def __init__(self, store_dir: Path, *, base: Path | None = None, batch_bytes: int = 16 << 20,
                 first_batch: int = 1 << 20, max_pending: int = 2, compact_after: int = 64 << 20) -> None:
        self.store_dir, self.base, self.batch_bytes = Path(store_dir), base, batch_bytes
        self.first_batch, self.compact_after = min(first_batch, batch_bytes), compact_after
        self._batch: list[bytes] = []
        self._size = 0
        self._loaded = 0  # bytes handed to the loader so far
        self._compacted = 0  # what was loaded when compaction was last asked for
        self._handed = 0  # items put in the queue (the end mark aside) ...
        self._done = 0  # ... and items the loader has finished: equal when it is idle
        self._queue: queue.Queue = queue.Queue(maxsize=max_pending)
        self._error: BaseException | None = None
        self._abort = False
        self._thread = threading.Thread(target=self._run, name="kg-store", daemon=True)
        self._thread.start()

    def replace(self, graph: ox.NamedNode, nquads: bytes) -> None:
        """Put ``nquads`` (the quads of ``graph``, and only of it) in place of any graph of that name."""
        if self.base is not None:
            self._put(("drop", graph))
        self._batch.append(nquads)
        self._size += len(nquads)
        if self._size >= self.batch_bytes or (self._size >= self.least_batch() and self._done == self._handed):
            self._flush_batch()

    def least_batch(self) -> int:
        """The bytes a batch holds before an idle loader is given it: ``first_batch``, or an eighth of what
        was loaded so far if that is more (so batches grow with the build), never over ``batch_bytes``."""
        return min(max(self.first_batch, self._loaded // 8), self.batch_bytes)

    def drop(self, graph: ox.NamedNode) -> None:
        """Remove ``graph`` from the store (a copy of ``base``): its file is gone."""
        self._put(("drop", graph))

    def finish(self) -> None:
        """Nothing more is coming: hand what is left to the loader now, and the compaction if it is due,
        so that both run while the build does something else before ``close``."""
        self._flush_batch()
        if self._loaded > self.compact_after and self._compacted != self._loaded:
            self._put(("compact", None))
            self._compacted = self._loaded

    def close(self) -> None:
        """Load what is left, and swap the new store into place; re-raises the loader's error, if any."""
        self.finish()
        self._put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop loading and discard the new store."""
        self._abort = True
        self._batch.clear()
        try:
            self._queue.put_nowait(None)
        except queue.Full:  # the loader takes the next item, sees the flag and stops
            pass
        self._thread.join()

    def __enter__(self) -> "GraphLoader":
        return self

    def __exit__(self, kind, *_: Any) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def _flush_batch(self) -> None:
        if self._batch:
            self._put(("load", b"".join(self._batch)))
            self._loaded += self._size
            self._batch, self._size = [], 0

    def _put(self, item: Any) -> None:
        if self._error is not None:  # the loader died: say so now rather than queue more work for nobody
            raise self._error
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.5)
                self._handed += item is not None
                return
            except queue.Full:  # the loader is busy: look again whether it is still alive
                continue
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            _write_store(self.store_dir, self._load, base=self.base)
        except _Aborted:
            pass
        except BaseException as exc:  # handed to the build's thread by close()
            self._error = exc

    def _load(self, store: ox.Store) -> None:
        """The loader's work on the new store, item by item until the end mark."""
        for item in iter(self._queue.get, None):
            if self._abort:
                break
            action, value = item
            if action == "drop":
                store.remove_graph(value)
            elif action == "compact":
                store.optimize()
            else:
                store.bulk_load(value, ox.RdfFormat.N_QUADS, lenient=True)  # our own IRIs
            self._done += 1
        if self._abort:
            raise _Aborted()


class _Aborted(Exception):
    """Leaves ``_write_store`` with an exception, so that the half-written store is discarded."""


def _write_union(store: ox.Store) -> None:
    """Materialize the RDF merge of all graphs (distinct triples, blank nodes kept) into UNION_GRAPH."""
    merged = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ {_ALL_TRIPLES} }} }}",
                         use_default_graph_as_union=True)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, UNION_GRAPH) for t in merged)


# -- reading ----------------------------------------------------------------------------------------

def open_store(store_dir: Path, read_only: bool = True) -> ox.Store:
    """Open an existing store (read-only by default); StoreNotFound if there is none."""
    store_dir = Path(store_dir)
    if not is_store(store_dir):
        raise StoreNotFound(store_dir)
    return ox.Store.read_only(str(store_dir)) if read_only else ox.Store(str(store_dir))


def _graphs(store: ox.Store) -> list[Any]:
    """The store's own named graphs: reports and ontology, without UNION_GRAPH."""
    return [g for g in store.named_graphs() if g != UNION_GRAPH]


def _dataset(store: ox.Store) -> dict[str, Any]:
    """Query options: the merged graph as default graph, the real named graphs for GRAPH ?g."""
    if store.contains_named_graph(UNION_GRAPH):
        return {"default_graph": UNION_GRAPH, "named_graphs": _graphs(store)}
    return {"use_default_graph_as_union": True}


def term_text(binding: dict[str, Any] | None) -> str | None:
    """One SPARQL-JSON binding as plain text: IRI in full, literal's lexical form, ``_:id``, None if unbound."""
    if binding is None:
        return None
    if binding["type"] == "bnode":
        return f"_:{binding['value']}"
    if binding["type"] == "triple":  # RDF-star quoted triple
        v = binding["value"]
        return " ".join(str(term_text(v[k])) for k in ("subject", "predicate", "object"))
    return str(binding["value"])


def run_query(store: ox.Store, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None) -> QueryResult:
    """Run ``sparql`` on an open store over the union of all graphs, with the project prefixes predeclared.

    The prefixes are passed to the parser rather than pasted in front of the text, so a query's own PREFIX
    lines win and the positions in syntax errors match what the user wrote. ``substitutions`` binds
    variables to terms (SEP-0007, see kg.queries): user values never become query text.
    """
    try:
        res = store.query(sparql, prefixes=PREFIX_MAP, substitutions=substitutions, **_dataset(store))
    except SyntaxError as e:
        raise SparqlSyntaxError(str(e)) from None
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res), json={"head": {}, "boolean": bool(res)})
    if isinstance(res, ox.QueryTriples):
        ttl = ox.serialize(res, format=ox.RdfFormat.TURTLE, prefixes=PREFIX_MAP)
        return QueryResult("graph", graph_ttl=ttl.decode("utf-8"))
    data = json.loads(res.serialize(format=ox.QueryResultsFormat.JSON))
    variables = list(data["head"].get("vars", []))
    rows = [[term_text(b.get(v)) for v in variables] for b in data["results"]["bindings"]]
    return QueryResult("select", variables=variables, rows=rows, json=data)


def query(store_dir: Path, sparql: str, *, substitutions: dict[ox.Variable, Any] | None = None) -> QueryResult:
    """Run one SPARQL query on the store at ``store_dir`` (see run_query)."""
    return run_query(open_store(store_dir), sparql, substitutions=substitutions)


def export(store_dir: Path, fmt: str = "turtle") -> bytes:
    """Serialize the store: turtle, nt, jsonld as one graph (the merge); nquads, trig with named graphs."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    store = open_store(store_dir)
    if fmt in ("nquads", "trig"):
        quads = (q for g in (ox.DefaultGraph(), *_graphs(store)) for q in store.quads_for_pattern(None, None, None, g))
        rdf_format = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
        return ox.serialize(quads, format=rdf_format, prefixes=PREFIX_MAP if fmt == "trig" else None)
    if store.contains_named_graph(UNION_GRAPH):
        triples: Any = (q.triple for q in store.quads_for_pattern(None, None, None, UNION_GRAPH))
    else:
        triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ {_ALL_TRIPLES} }} }}",
                              use_default_graph_as_union=True)
    if fmt == "turtle":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIX_MAP)
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "nt":
        return nt
    g = rdflib.Graph()
    g.parse(data=nt, format="nt")
    return g.serialize(format="json-ld", context=PREFIX_MAP, auto_compact=True, encoding="utf-8")


def stats(store_dir: Path) -> dict[str, Any]:
    """Counts for a quick look: quads, distinct triples, named graphs, and things per xs: class.

    UNION_GRAPH (a derived copy) is left out of every count; class counts also leave out the ontology
    graph (its two xs:Status values are not extracted things).
    """
    store = open_store(store_dir)
    graphs = _graphs(store)
    data_graphs: list[Any] = [ox.DefaultGraph(), *(g for g in graphs if g != ONTOLOGY_GRAPH)]
    n_union = sum(1 for _ in store.quads_for_pattern(None, None, None, UNION_GRAPH))
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_ALL_TRIPLES} }}"
    n_triples = int(next(iter(store.query(count, **_dataset(store))))["n"].value)
    q = (f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?c), \"{XS_IRI}\")) }} "
         "GROUP BY ?c")
    classes = {name: 0 for name in STAT_CLASSES}
    for sol in store.query(q, default_graph=data_graphs):
        name = sol["c"].value[len(XS_IRI):]
        if name in classes:
            classes[name] = int(sol["n"].value)
    return {
        "quads": len(store) - n_union,
        "triples": n_triples,
        "named_graphs": len(graphs),
        "report_graphs": sum(1 for g in graphs if g != ONTOLOGY_GRAPH),
        "classes": classes,
    }


__all__ = ["GraphLoader", "StoreNotFound", "SparqlSyntaxError", "QueryResult", "save", "open_store", "run_query", "query", "term_text",
           "export", "stats", "save_graphs", "ontology_nquads", "is_store", "EXPORT_FORMATS", "ONTOLOGY_GRAPH", "UNION_GRAPH"]
