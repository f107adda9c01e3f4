"""``kg.open_graph``: the store as an rdflib Graph, for users who know rdflib and want its API over a build.

Why oxrdflib and not loading graph.ttl into rdflib: the Graph reads the Oxigraph store in place, and
``g.query`` is handed to Oxigraph's SPARQL engine (rdflib's own is slow at this size, rdflib #787, #2181),
so opening is instant and a query costs what ``kg query`` costs.

The store is opened read-only (``pyoxigraph.Store.read_only`` passed to oxrdflib's ``OxigraphStore``;
oxrdflib's own ``Graph.open(path)`` would open it read-write), so a stray ``g.add`` cannot change a build:
it raises RuntimeError. Any number of readers may share a store; a build must not replace it meanwhile.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore

from kg.store import UNION_GRAPH, open_store
from kg.vocab import PREFIXES


class _Dataset(rdflib.Dataset):
    """An rdflib.Dataset that does not warn about itself.

    rdflib 7.x's own ``triples()`` reads the deprecated ``Dataset.default_context`` and so emits a
    DeprecationWarning on every pattern lookup (a thousand in one loop); this is the same property
    without the warning.
    """

    @property  # type: ignore[override]
    def default_context(self) -> rdflib.Graph:
        return self._default_context

    @default_context.setter
    def default_context(self, value: rdflib.Graph) -> None:
        self._default_context = value


def open_graph(store_dir: Path | str) -> rdflib.Graph:
    """An rdflib view of the store at ``store_dir``: its default graph is the union of all report graphs.

    It is a ``rdflib.Dataset`` with ``default_union=True``, so ``g.triples(...)``, ``len(g)`` and
    ``g.query("SELECT ...")`` see every report at once, ``GRAPH ?g`` and ``g.graphs()`` each report's own
    graph, and the project prefixes (xs:, xsr:, org:, ...) are bound as in ``kg query``. A store saved
    from an rdflib Dataset holds a materialized merge (kg/store.py UNION_GRAPH); for it the view is an
    ``rdflib.Graph`` over that merge, so no triple is seen twice.

    Raises kg.store.StoreNotFound if there is no store at ``store_dir``.

        g = kg.open_graph("output/store")
        for row in g.query("SELECT ?name WHERE { ?u a xs:Unit ; rdfs:label ?name } LIMIT 5"):
            print(row.name)
    """
    store: ox.Store = open_store(Path(store_dir), read_only=True)
    backend = OxigraphStore(store=store)
    graph: rdflib.Graph
    if store.contains_named_graph(UNION_GRAPH):
        graph = rdflib.Graph(store=backend, identifier=rdflib.URIRef(UNION_GRAPH.value))
    else:
        graph = _Dataset(store=backend, default_union=True)
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


__all__ = ["open_graph"]
