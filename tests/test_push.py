"""`kg push`: the store's graphs into a read-write Oxigraph server on loopback, checked by SPARQL queries to it."""
from __future__ import annotations

import base64
import http.server
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg import serve as kgserve
from kg import store as kgstore
from kg.cli import app
from kg.rdf import ENTITIES_GRAPH
from test_serve import free_port

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
XSR = "https://w3id.org/xunshi-kg/resource/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XS_INSPECTED = ox.NamedNode("https://w3id.org/xunshi-kg/ontology#inspectedUnit")
REPORT_1, REPORT_2 = ox.NamedNode(f"{XSR}report/liaoning-1"), ox.NamedNode(f"{XSR}report/dalian-1")
UNIT = ox.NamedNode(f"{XSR}unit/liaoning-shangwuting")
FOREIGN_GRAPH = "http://example.org/someone-elses-graph"


def kg(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), prog_name="kg", env=env)


# -- a read-write Oxigraph server, and what it holds ----------------------------------------------

def start_server(location: Path) -> kgserve.ServerProcess:
    """``oxigraph serve`` (read-write) on a free loopback port, returned once the port answers."""
    port = free_port()
    cmd = [str(kgserve.oxigraph_binary()), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    server = kgserve.ServerProcess(process, "127.0.0.1", port, location, 0, log=None)
    try:
        server.wait_ready(within=60)  # a ceiling for a loaded machine, not a measurement
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[kgserve.ServerProcess]:
    srv = start_server(tmp_path / "server-db")
    try:
        yield srv
    finally:
        srv.stop()
    assert not srv.running


def gsp(server: kgserve.ServerProcess) -> str:
    return f"{server.base_url}/store"


def sparql(server: kgserve.ServerProcess, query: str) -> ox.QuerySolutions:
    data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(f"{server.base_url}/query", data=data,
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return ox.parse_query_results(resp.read(), ox.QueryResultsFormat.JSON)


Graphs = dict[str, set[ox.Triple]]  # graph IRI ('' for the default graph) → its triples


def server_graphs(server: kgserve.ServerProcess) -> Graphs:
    """Every graph on the server, read back with SPARQL SELECTs (pyoxigraph parses the 70k rows fast)."""
    graphs: Graphs = {}
    for row in sparql(server, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        graphs.setdefault(row["g"].value, set()).add(ox.Triple(row["s"], row["p"], row["o"]))
    for row in sparql(server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"):
        graphs.setdefault("", set()).add(ox.Triple(row["s"], row["p"], row["o"]))
    return graphs


def store_graphs(store_dir: Path) -> Graphs:
    """The store's graphs as `kg export --format nquads` gives them (UNION_GRAPH left out)."""
    graphs: Graphs = {}
    for q in ox.parse(kgstore.export(store_dir, "nquads"), format=ox.RdfFormat.N_QUADS):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        graphs.setdefault(name, set()).add(q.triple)
    return graphs


def _rdflib(triples: set[ox.Triple]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def assert_same_graphs(server_side: Graphs, store_side: Graphs) -> None:
    """Same graph names, and each graph the same triples (blank nodes up to renaming: a PUT gives fresh ones)."""
    assert sorted(server_side) == sorted(store_side)
    for name, triples in store_side.items():
        theirs = server_side[name]
        assert len(theirs) == len(triples), name
        if any(isinstance(t, ox.BlankNode) for triple in triples for t in triple):
            assert isomorphic(_rdflib(theirs), _rdflib(triples)), name
        else:
            assert theirs == triples, name


# -- a small store written as the build writes one ------------------------------------------------

def quads(graph: ox.NamedNode, *triples: tuple) -> bytes:
    return ox.serialize([ox.Quad(*t, graph) for t in triples], format=ox.RdfFormat.N_QUADS)


def lit(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def small_store(path: Path, *, base: Path | None = None, report_1_label: str = "中共辽宁省商务厅党组关于巡视整改情况的通报",
                drop: tuple[ox.NamedNode, ...] = ()) -> Path:
    graphs = {REPORT_1: quads(REPORT_1, (REPORT_1, RDFS_LABEL, lit(report_1_label)), (REPORT_1, XS_INSPECTED, UNIT))}
    if base is None:
        graphs |= {
            REPORT_2: quads(REPORT_2, (REPORT_2, RDFS_LABEL, lit("中共大连市委关于巡视整改进展情况的通报"))),
            ENTITIES_GRAPH: quads(ENTITIES_GRAPH, (UNIT, RDFS_LABEL, lit("辽宁省商务厅"))),
            kgstore.ONTOLOGY_GRAPH: kgstore.ontology_nquads(),  # with blank nodes, as in every build
        }
    kgstore.save_graphs(path, graphs, base=base, drop=drop)
    return path


# -- pushing ---------------------------------------------------------------------------------------

def test_push_seed_store_gives_the_server_the_same_graphs(seed_build, server: kgserve.ServerProcess) -> None:
    store_dir = seed_build[0] / "store"
    r = kg("push", "--endpoint", gsp(server), "--store", str(store_dir))
    assert r.exit_code == 0, r.output
    expected = store_graphs(store_dir)
    assert str(ENTITIES_GRAPH.value) in expected and kgstore.ONTOLOGY_GRAPH.value in expected
    assert kgstore.UNION_GRAPH.value not in expected  # a derived copy is not pushed
    assert_same_graphs(server_graphs(server), expected)
    triples = sum(len(g) for g in expected.values())  # the build's graphs share no triple
    assert f"pushed {len(expected)} graphs ({triples:,} triples" in r.stdout


def test_push_again_replaces_changed_graphs_and_keeps_others(tmp_path: Path, server: kgserve.ServerProcess) -> None:
    first = small_store(tmp_path / "first")
    assert kg("push", "-e", gsp(server), "--store", str(first)).exit_code == 0
    assert_same_graphs(server_graphs(server), store_graphs(first))
    foreign = urllib.request.Request(f"{gsp(server)}?graph={FOREIGN_GRAPH}", method="PUT",
                                     data=b'<http://example.org/a> <http://example.org/b> "c" .\n',
                                     headers={"Content-Type": "application/n-triples"})
    urllib.request.urlopen(foreign, timeout=60).close()

    # the same store again: the same server state
    assert kg("push", "-e", gsp(server), "--store", str(first)).exit_code == 0
    before = server_graphs(server)
    assert_same_graphs({k: v for k, v in before.items() if k != FOREIGN_GRAPH}, store_graphs(first))

    # report 1 rebuilt with another title: its old title is gone, the other graphs are as they were
    second = small_store(tmp_path / "second", base=first, report_1_label="中共辽宁省商务厅党组关于巡视整改进展情况的通报")
    r = kg("push", "-e", gsp(server), "--store", str(second))
    assert r.exit_code == 0, r.output
    after = server_graphs(server)
    titles = {t.object.value for t in after[REPORT_1.value] if t.subject == REPORT_1 and t.predicate == RDFS_LABEL}
    assert titles == {"中共辽宁省商务厅党组关于巡视整改进展情况的通报"}
    assert_same_graphs({k: v for k, v in after.items() if k != FOREIGN_GRAPH}, store_graphs(second))
    assert after[FOREIGN_GRAPH] == before[FOREIGN_GRAPH]


def test_drop_missing_removes_only_our_graphs_the_store_lost(tmp_path: Path, server: kgserve.ServerProcess) -> None:
    first = small_store(tmp_path / "first")
    assert kg("push", "-e", gsp(server), "--store", str(first)).exit_code == 0
    urllib.request.urlopen(urllib.request.Request(
        f"{gsp(server)}?graph={FOREIGN_GRAPH}", method="PUT", data=b'<http://example.org/a> <http://example.org/b> "c" .\n',
        headers={"Content-Type": "application/n-triples"}), timeout=60).close()
    without_2 = small_store(tmp_path / "second", base=first, drop=(REPORT_2,))

    assert kg("push", "-e", gsp(server), "--store", str(without_2)).exit_code == 0
    assert REPORT_2.value in server_graphs(server)  # without --drop-missing nothing is deleted

    r = kg("push", "-e", gsp(server), "--store", str(without_2), "--drop-missing",
           "--query-endpoint", f"{server.base_url}/query")
    assert r.exit_code == 0, r.output
    assert f"dropped 1 graph(s) the store no longer has: {REPORT_2.value}" in r.stdout
    after = server_graphs(server)
    assert FOREIGN_GRAPH in after  # not ours: never touched
    assert_same_graphs({k: v for k, v in after.items() if k != FOREIGN_GRAPH}, store_graphs(without_2))


def test_drop_missing_with_a_wrong_query_endpoint(tmp_path: Path, server: kgserve.ServerProcess) -> None:
    store_dir = small_store(tmp_path / "store")
    r = kg("push", "-e", gsp(server), "--store", str(store_dir), "--drop-missing",
           "--query-endpoint", f"{server.base_url}/nowhere")
    line = one_error_line(r)
    assert "HTTP 404" in line and "the query listing its graphs" in line
    assert "all 4 graphs were pushed; 0 dropped" in line
    assert_same_graphs(server_graphs(server), store_graphs(store_dir))


# -- errors ------------------------------------------------------------------------------------------

def one_error_line(r) -> str:
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_wrong_path_is_http_404_naming_the_graph(tmp_path: Path, server: kgserve.ServerProcess) -> None:
    store_dir = small_store(tmp_path / "store")
    line = one_error_line(kg("push", "-e", f"{server.base_url}/nowhere", "--store", str(store_dir)))
    assert "HTTP 404" in line and f"<{kgstore.ONTOLOGY_GRAPH.value}>" in line  # the first graph sent
    assert "PUT /nowhere is not supported" in line  # the server's own message
    assert "0 of 4 graphs pushed" in line


def test_stopped_server_cannot_be_reached(tmp_path: Path) -> None:
    store_dir = small_store(tmp_path / "store")
    server = start_server(tmp_path / "server-db")
    url = gsp(server)
    server.stop()
    line = one_error_line(kg("push", "-e", url, "--store", str(store_dir)))
    assert f"cannot reach {url}" in line


def test_silent_server_times_out(tmp_path: Path) -> None:
    """A server that takes the connection and never answers: the push gives up after --timeout."""
    store_dir = small_store(tmp_path / "store")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections wait in the backlog: connected, never answered
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/store"
        line = one_error_line(kg("push", "-e", url, "--store", str(store_dir), "--timeout", "1"))
    assert f"{url} did not answer within 1 s" in line and "0 of 4 graphs pushed" in line


def test_missing_store(tmp_path: Path) -> None:
    line = one_error_line(kg("push", "-e", "http://127.0.0.1:9/store", "--store", str(tmp_path / "nothing")))
    assert "no knowledge-graph store" in line and "nothing" in line


@pytest.mark.parametrize("url", ["127.0.0.1:7878/store", "ftp://example.org/store"])
def test_endpoint_must_be_http(tmp_path: Path, url: str) -> None:
    store_dir = small_store(tmp_path / "store")
    assert "not an http:// or https:// URL" in one_error_line(kg("push", "-e", url, "--store", str(store_dir)))


def test_drop_missing_needs_a_query_endpoint(tmp_path: Path) -> None:
    r = kg("push", "-e", "http://127.0.0.1:9/store", "--store", str(tmp_path), "--drop-missing")
    assert r.exit_code == 2 and "--query-endpoint" in r.output


# -- basic auth: a server that wants a password -----------------------------------------------------

class _GuardedStore(http.server.BaseHTTPRequestHandler):
    """Answers a PUT with 204 for user kg / password s3cret, else 401; records the graphs it accepted."""

    accepted: list[str] = []

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "Basic " + base64.b64encode(b"kg:s3cret").decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401, "Unauthorized")
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
            self.end_headers()
            self.wfile.write(b"wrong user or password\nsecond line")
            return
        rdflib.Graph().parse(data=body, format="nt")  # the body is N-Triples
        self.accepted.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def guarded() -> Iterator[str]:
    _GuardedStore.accepted = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GuardedStore)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/store"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_basic_auth_from_user_and_env(tmp_path: Path, guarded: str) -> None:
    store_dir = small_store(tmp_path / "store")
    r = kg("push", "-e", guarded, "--store", str(store_dir), "--user", "kg", env={"KG_PUSH_PASSWORD": "s3cret"})
    assert r.exit_code == 0, r.output
    assert sorted(_GuardedStore.accepted) == sorted(store_graphs(store_dir))


def test_wrong_password_is_401_and_never_printed(tmp_path: Path, guarded: str) -> None:
    store_dir = small_store(tmp_path / "store")
    r = kg("push", "-e", guarded, "--store", str(store_dir), "--user", "kg", env={"KG_PUSH_PASSWORD": "not-it"})
    line = one_error_line(r)
    assert "HTTP 401" in line and line.endswith("wrong user or password (0 of 4 graphs pushed before this)")
    assert "not-it" not in r.output
    assert _GuardedStore.accepted == []


def test_user_without_password_and_credentials_in_url(tmp_path: Path) -> None:
    store_dir = small_store(tmp_path / "store")
    line = one_error_line(kg("push", "-e", "http://127.0.0.1:9/store", "--store", str(store_dir), "--user", "kg",
                             env={"KG_PUSH_PASSWORD": None}))
    assert "KG_PUSH_PASSWORD" in line
    r = kg("push", "-e", "http://kg:s3cret@127.0.0.1:9/store", "--store", str(store_dir))
    assert "--user" in one_error_line(r) and "s3cret" not in r.output


def test_help_shows_endpoints_for_each_server() -> None:
    r = kg("push", "--help")
    assert r.exit_code == 0
    for example in ("kg push --endpoint http://127.0.0.1:7878/store", "/kg/data", "/rdf-graphs/service",
                    "KG_PUSH_PASSWORD"):
        assert example in r.stdout
