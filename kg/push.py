"""Push a built store to a SPARQL 1.1 Graph Store Protocol (GSP) server: one HTTP PUT per named graph.

Why PUT per graph: GSP's PUT ``ENDPOINT?graph=IRI`` replaces that graph on the server, so pushing is
idempotent (push twice, same server state) and a changed report replaces its old triples without touching
anything else the server holds. Every GSP server speaks it (Oxigraph, Fuseki, GraphDB, RDF4J, Virtuoso).
A single POST of all quads would be fewer requests but GSP's POST *merges* into a graph, and the only
whole-dataset replace (PUT on the dataset) wipes the server's other graphs, so there is no batch mode.

What is pushed: every named graph of the store (each report's, the entities graph, the ontology graph) as
N-Triples, and the default graph only if it holds triples. ``kg.store.UNION_GRAPH`` is left out: it is a
derived copy of the others, and a server's union default graph would see each triple twice.

Each body is serialized by Oxigraph into a spooled temporary file (memory up to a few MB, then disk) and
sent from there with its length, so a big graph is never one Python string. Graphs go one after another;
a reader of the server may see a mix of old and new graphs during a push.
"""
from __future__ import annotations

import base64
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.store import ONTOLOGY_GRAPH, UNION_GRAPH, open_store

DEFAULT_TIMEOUT = 60.0  # seconds to wait on the server at each step of a request
OWN_GRAPHS = "https://w3id.org/xunshi-kg/"  # every graph kg build writes is named under this IRI
_SPOOL_BYTES = 8 * 2**20  # a graph body larger than this goes to a temporary file while it is sent
_NTRIPLES = "application/n-triples"


class PushError(Exception):
    """The push could not be done (server unreachable, HTTP error, bad URL): one line for the user."""


@dataclass
class PushSummary:
    """What a push did: graphs replaced and their triples, graphs dropped (--drop-missing), time taken."""

    graphs: int = 0
    triples: int = 0
    bytes: int = 0
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Endpoint:
    """A GSP endpoint and the credentials for it; ``str()`` never shows the password."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PushError(f"endpoint {self.url!r} is not an http:// or https:// URL "
                            "(e.g. http://127.0.0.1:7878/store)")
        if parts.username is not None or parts.password is not None:  # the URL would echo them in messages
            raise PushError("put the user name in --user and the password in KG_PUSH_PASSWORD, not in the URL")

    def __str__(self) -> str:
        return self.url

    def graph_url(self, graph: ox.NamedNode | ox.DefaultGraph) -> str:
        """``URL?graph=IRI`` (or ``URL?default``), kept with any query string the URL already has."""
        parts = urllib.parse.urlsplit(self.url)
        param = "default" if isinstance(graph, ox.DefaultGraph) else urllib.parse.urlencode({"graph": graph.value})
        query = f"{parts.query}&{param}" if parts.query else param
        return urllib.parse.urlunsplit(parts._replace(query=query))

    def headers(self) -> dict[str, str]:
        if self.user is None:
            return {}
        token = base64.b64encode(f"{self.user}:{self.password or ''}".encode("utf-8")).decode("ascii")
        return {"Authorization": f"Basic {token}"}  # sent up front: a 401 challenge would need the body again


def graph_name(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return "the default graph" if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>"


def graphs_to_push(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The store's graphs in a stable order: ontology first, then by IRI; the derived UNION_GRAPH left out,
    the default graph included only when it holds triples (an empty one would wipe the server's)."""
    named = sorted((g for g in store.named_graphs() if g != UNION_GRAPH and isinstance(g, ox.NamedNode)),
                   key=lambda g: (g != ONTOLOGY_GRAPH, g.value))
    has_default = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    return [*named, ox.DefaultGraph()] if has_default else list(named)


class _LineCounter:
    """A binary writer that counts lines on the way: N-Triples has one triple per line."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.lines = 0

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def _request(endpoint: Endpoint, req: urllib.request.Request, what: str, *, ok_statuses: tuple[int, ...] = ()) -> bytes:
    """Send ``req``; the answer's body on 2xx (or a status in ``ok_statuses``), else PushError naming ``what``."""
    try:
        with urllib.request.urlopen(req, timeout=endpoint.timeout) as resp:
            return resp.read()
    except urllib.error.HTTPError as e:
        if e.code in ok_statuses:
            return b""
        body = e.read(4096).decode("utf-8", "replace").strip()
        first = body.splitlines()[0].strip() if body else ""
        raise PushError(f"{req.full_url.split('?')[0]} answered HTTP {e.code} {e.reason} for {what}"
                        + (f": {first}" if first else "")) from None
    except (TimeoutError, urllib.error.URLError) as e:  # urllib wraps a timeout while sending, not while waiting
        if isinstance(e, TimeoutError) or isinstance(e.reason, TimeoutError):
            raise PushError(f"{endpoint} did not answer within {endpoint.timeout:g} s ({what})") from None
        reason = getattr(e.reason, "strerror", None) or e.reason
        raise PushError(f"cannot reach {endpoint}: {reason}") from None
    except OSError as e:  # the connection dropped mid-request
        raise PushError(f"connection to {endpoint} failed ({what}): {e.strerror or e}") from None


def put_graph(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, endpoint: Endpoint) -> tuple[int, int]:
    """Replace ``graph`` on the server with the store's copy; returns (triples, bytes) sent."""
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as body:
        counter = _LineCounter(body)
        store.dump(counter, ox.RdfFormat.N_TRIPLES, from_graph=graph)
        size = body.tell()
        body.seek(0)
        req = urllib.request.Request(endpoint.graph_url(graph), data=body, method="PUT",
                                     headers={"Content-Type": _NTRIPLES, "Content-Length": str(size),
                                              **endpoint.headers()})
        _request(endpoint, req, graph_name(graph))
    return counter.lines, size


def server_graphs(query_endpoint: Endpoint, prefix: str = OWN_GRAPHS) -> set[str]:
    """The named graphs under ``prefix`` that a SPARQL query endpoint knows (graphs with triples)."""
    sparql = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
              f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}")
    req = urllib.request.Request(query_endpoint.url, data=urllib.parse.urlencode({"query": sparql}).encode("utf-8"),
                                 method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": "application/sparql-results+json", **query_endpoint.headers()})
    raw = _request(query_endpoint, req, "the query listing its graphs")
    try:
        rows = ox.parse_query_results(raw, ox.QueryResultsFormat.JSON)
        return {row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)}
    except (SyntaxError, ValueError, TypeError):
        raise PushError(f"{query_endpoint} did not answer the graph listing with SPARQL JSON results "
                        "(is it the query endpoint?)") from None


def delete_graph(iri: str, endpoint: Endpoint) -> None:
    """Remove a graph from the server (GSP DELETE); one already gone (404) is fine."""
    graph = ox.NamedNode(iri)
    req = urllib.request.Request(endpoint.graph_url(graph), method="DELETE", headers=endpoint.headers())
    _request(endpoint, req, graph_name(graph), ok_statuses=(404,))


def push(store_dir: Path, endpoint: Endpoint, *, query_endpoint: Endpoint | None = None,
         progress: bool = False) -> PushSummary:
    """Replace each of the store's graphs on the GSP ``endpoint`` with the store's copy.

    With ``query_endpoint`` (a SPARQL endpoint of the same server), graphs named under OWN_GRAPHS that the
    server has and the store no longer has (a report removed from the corpus) are deleted afterwards; other
    graphs on the server are never touched. Raises kg.store.StoreNotFound, or PushError saying how many
    graphs were already replaced when it stopped.
    """
    started = time.perf_counter()
    store = open_store(store_dir)
    graphs = graphs_to_push(store)
    summary = PushSummary()
    console = Console(stderr=True)  # stdout keeps only the result; no bar where nobody watches
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not progress or not console.is_terminal) as bar:
        task = bar.add_task("pushing", total=len(graphs))
        for graph in graphs:
            short = graph.value.rsplit("/", 1)[-1] if isinstance(graph, ox.NamedNode) else "default graph"
            bar.update(task, description=f"pushing {short[:40]}")
            try:
                triples, size = put_graph(store, graph, endpoint)
            except PushError as e:
                raise PushError(f"{e} ({summary.graphs} of {len(graphs)} graphs pushed before this)") from None
            summary.graphs += 1
            summary.triples += triples
            summary.bytes += size
            bar.advance(task)
    if query_endpoint is not None:
        pushed = {g.value for g in graphs if isinstance(g, ox.NamedNode)}
        try:
            for iri in sorted(server_graphs(query_endpoint) - pushed):
                delete_graph(iri, endpoint)
                summary.dropped.append(iri)
        except PushError as e:
            raise PushError(f"{e} (all {len(graphs)} graphs were pushed; {len(summary.dropped)} dropped "
                            "before this)") from None
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["Endpoint", "PushError", "PushSummary", "push", "put_graph", "delete_graph", "server_graphs",
           "graphs_to_push", "DEFAULT_TIMEOUT", "OWN_GRAPHS"]
