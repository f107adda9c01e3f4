#!/usr/bin/env python3
"""CPU seconds of the page side of a build of the seeds, step by step (best of N runs of each).

    .venv/bin/python bench/pages.py [N]     # from the repository's root; default N = 3

Builds seeds/ once (to get the reports, the resolved corpus and a finished store), then times, on the
same inputs as the build: the report views from each report's graph over the shared things, the report
pages, the overview views and pages from the store, and the build's SHACL check of the structure. The
heap is frozen first, as the build does. CPU time (process_time), since the machines are shared. Not a
test: nothing here fails on a slow machine.
"""
import gc
import sys
import tempfile
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import pyoxigraph as ox
from kg import build as kb, write as kw
from kg.rdf import GraphMapper
from kg import viz, render, overview, validate

captured = {}
orig = kw.write_graphs
def spy(reports, resolved, staging, **kw2):
    captured['reports'], captured['resolved'] = reports, resolved
    return orig(reports, resolved, staging, **kw2)
kb.write_graphs = spy
tmp = Path(tempfile.mkdtemp())
kb.build_corpus([Path('seeds')], tmp / 'out', progress=False, workers=1)
reports, resolved = captured['reports'], captured['resolved']
mapper = GraphMapper(reports, resolved)
entities = mapper.entities_graph()
ent_nq = ox.serialize(entities, format=ox.RdfFormat.N_QUADS)
graphs = [mapper.report_graph(r) for r in reports]
structure = [q for g in graphs + [entities] for q in g if q.predicate not in validate.MENTION_DETAILS]
store = ox.Store.read_only(str(tmp / 'out' / 'store'))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 3
gc.freeze()  # as the build does after resolving
out = tmp / 'pages'; (out / 'reports').mkdir(parents=True)

def best(fn):
    ts = []
    for _ in range(N):
        t = time.process_time(); fn(); ts.append(time.process_time() - t)
    return min(ts)

res = {}
res['SharedThings'] = best(lambda: viz.SharedThings(ox.parse(ent_nq, format=ox.RdfFormat.N_QUADS)))
shared = viz.SharedThings(ox.parse(ent_nq, format=ox.RdfFormat.N_QUADS))
res['_QuadIndex.of x16'] = best(lambda: [viz._QuadIndex.of(g) for g in graphs])
res['report_view_of_graph x16'] = best(lambda: [viz.report_view_of_graph(g, shared) for g in graphs])
views = [viz.report_view_of_graph(g, shared) for g in graphs]
res['_page_pieces x16'] = best(lambda: [render._page_pieces(v, None) for v in views])
res['write_view x16'] = best(lambda: [render.write_view(v, out / 'reports' / f'{i}.html') for i, v in enumerate(views)])
res['viz.overview'] = best(lambda: viz.overview(store))
res['write_graph_view'] = best(lambda: render.write_graph_view(store, out / 'graph.html'))
res['read_overview'] = best(lambda: overview.read_overview(store))
data = overview.read_overview(store)
res['render_overview'] = best(lambda: overview.render_overview(data, {}))
res['write_overview'] = best(lambda: overview.write_overview(store, out / 'index.html', summary={}))
res['validation (structure)'] = best(lambda: validate.start_validation(structure, structure_only=True).result())
nt = b''.join(ox.serialize([q.triple for q in g if q.predicate not in validate.MENTION_DETAILS],
                           format=ox.RdfFormat.N_TRIPLES) for g in graphs + [entities])
res['validation, parsed first'] = best(  # kg.build today: the N-Triples read into terms, then checked
    lambda: validate.start_validation(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)), structure_only=True).result())
res['validation of the bytes'] = best(lambda: validate.start_validation(nt, structure_only=True).result())
for k, v in res.items():
    print(f"{k:<28}{v:8.3f}")
