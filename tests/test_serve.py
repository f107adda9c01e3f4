"""`kg serve`: the read-only SPARQL endpoint over HTTP on loopback, queried with real clients."""
from __future__ import annotations

import csv
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from typer.testing import CliRunner

from kg import serve as kgserve
from kg import store as kgstore
from kg.cli import app
from test_store import sample_dataset

PREFIXES = ("PREFIX xs: <https://w3id.org/xunshi-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
# No GRAPH clause: the default graph must be the union of the report graphs.
TEAM_OF_SHANGWUTING = PREFIXES + """SELECT ?team ?start WHERE {
    ?i xs:inspectedUnit/rdfs:label|xs:inspectedUnit/skos:altLabel "省商务厅"@zh ;
       xs:team/rdfs:label ?team ; xs:startDate ?start }"""
EXPECTED_TEAM = "省委第八巡视组"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def store_dir(seed_build) -> Path:
    out, _ = seed_build
    return out / "store"


@pytest.fixture(scope="module")
def server(store_dir: Path):
    with kgserve.start(store_dir, "127.0.0.1", free_port(), timeout=30) as srv:
        yield srv
    assert not srv.running


def sparql(server: kgserve.ServerProcess, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def get(url: str, query: str, accept: str, timeout: float = 30) -> tuple[int, str, bytes]:
    req = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), resp.read()


# -- the protocol -----------------------------------------------------------------------------------

def test_start_waits_until_the_port_answers(server: kgserve.ServerProcess) -> None:
    assert server.running
    assert server.url == f"http://127.0.0.1:{server.port}/query"
    with socket.create_connection(("127.0.0.1", server.port), timeout=2):
        pass


def test_select_json(server: kgserve.ServerProcess) -> None:
    result = sparql(server, TEAM_OF_SHANGWUTING, JSON).queryAndConvert()
    rows = result["results"]["bindings"]
    assert [r["team"]["value"] for r in rows] == [EXPECTED_TEAM]
    assert rows[0]["team"]["xml:lang"] == "zh"
    assert rows[0]["start"] == {"type": "literal", "value": "2019-10-25",
                                "datatype": "http://www.w3.org/2001/XMLSchema#date"}


def test_select_xml(server: kgserve.ServerProcess) -> None:
    doc = sparql(server, TEAM_OF_SHANGWUTING, XML).queryAndConvert()
    literals = [b.getElementsByTagName("literal")[0].firstChild.data
                for b in doc.getElementsByTagName("binding") if b.getAttribute("name") == "team"]
    assert literals == [EXPECTED_TEAM]


def test_select_csv(server: kgserve.ServerProcess) -> None:
    data = sparql(server, TEAM_OF_SHANGWUTING, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows == [["team", "start"], [EXPECTED_TEAM, "2019-10-25"]]


def test_select_tsv_keeps_language_and_datatype(server: kgserve.ServerProcess) -> None:
    data = sparql(server, TEAM_OF_SHANGWUTING, TSV).queryAndConvert().decode("utf-8")
    lines = data.strip().split("\n")
    assert lines[0] == "?team\t?start"
    assert lines[1:] == [f'"{EXPECTED_TEAM}"@zh\t"2019-10-25"^^<http://www.w3.org/2001/XMLSchema#date>']


def test_post_query(server: kgserve.ServerProcess) -> None:
    client = sparql(server, TEAM_OF_SHANGWUTING, JSON)
    client.setMethod("POST")
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["team"]["value"] for r in rows] == [EXPECTED_TEAM]


def test_construct_is_turtle(server: kgserve.ServerProcess) -> None:
    query = PREFIXES + """CONSTRUCT { ?i xs:team ?t . ?t rdfs:label ?l } WHERE {
        ?i xs:inspectedUnit/skos:altLabel "省商务厅"@zh ; xs:team ?t . ?t rdfs:label ?l }"""
    client = sparql(server, query, TURTLE)
    response = client.query()
    assert response.response.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=response.convert(), format="turtle")
    assert rdflib.Literal(EXPECTED_TEAM, lang="zh") in set(g.objects(None, rdflib.RDFS.label))
    assert len(set(g.subject_objects(rdflib.URIRef("https://w3id.org/xunshi-kg/ontology#team")))) == 1


def test_plain_urllib_get(server: kgserve.ServerProcess) -> None:
    status, ctype, body = get(server.url, TEAM_OF_SHANGWUTING, "application/sparql-results+json")
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["team"]["value"] == EXPECTED_TEAM


def test_default_graph_is_the_union_counted_once(server: kgserve.ServerProcess, store_dir: Path) -> None:
    """Every triple once, as kg query counts them; GRAPH ?g still reaches each report's graph."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, _, body = get(server.url, count, "application/sparql-results+json")
    served = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert served == int(kgstore.query(store_dir, count).rows[0][0])
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s a <https://w3id.org/xunshi-kg/ontology#Report> } }"
    _, _, body = get(server.url, graphs, "application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == 16  # the seeds' reports


@pytest.mark.parametrize("headers,body", [
    ({"Content-Type": "application/sparql-update"}, b"INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ({"Content-Type": "application/x-www-form-urlencoded"},
     urllib.parse.urlencode({"update": "DROP ALL"}).encode()),
])
def test_updates_are_refused(server: kgserve.ServerProcess, headers: dict[str, str], body: bytes) -> None:
    req = urllib.request.Request(f"{server.base_url}/update", data=body, headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403
    _, _, answer = get(server.url, "ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")
    assert json.loads(answer)["boolean"] is False
    _, _, answer = get(server.url, TEAM_OF_SHANGWUTING, "text/csv")
    assert EXPECTED_TEAM in answer.decode("utf-8")


def test_graph_store_writes_are_refused(server: kgserve.ServerProcess) -> None:
    req = urllib.request.Request(f"{server.base_url}/store?default", data=b"<urn:a> <urn:b> <urn:c> .",
                                 headers={"Content-Type": "text/turtle"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403


def test_query_time_limit_cuts_a_slow_query_off(store_dir: Path) -> None:
    """A cross product of the store with itself (~5·10⁹ rows) to count: stopped after about a second."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    with kgserve.start(store_dir, "127.0.0.1", free_port(), timeout=1, log=None) as srv:
        t0 = time.monotonic()
        try:
            _, _, body = get(srv.url, slow, "application/sparql-results+json", timeout=30)
        except (urllib.error.HTTPError, http.client.IncompleteRead) as e:  # a 500, or a cut-off chunked body
            body = getattr(e, "partial", b"") or b""
        elapsed = time.monotonic() - t0
        assert elapsed < 15
        with pytest.raises(ValueError):
            json.loads(body)  # no count came back: the answer was cut off
        assert b'"n"' not in body.split(b"bindings", 1)[-1]
        _, _, body = get(srv.url, "ASK { ?s ?p ?o }", "application/sparql-results+json")
        assert json.loads(body)["boolean"] is True  # the server lives on


def test_command_line_passes_options() -> None:
    cmd = kgserve.command(Path("/data/store"), "127.0.0.1", 9999, timeout=7, cors=True)
    assert cmd[0] == str(kgserve.oxigraph_binary())
    assert cmd[1:] == ["serve-read-only", "--location", "/data/store", "--bind", "127.0.0.1:9999",
                       "--union-default-graph", "--timeout-s", "7", "--cors"]
    no_limit = kgserve.command(Path("/data/store"), "::1", 80, timeout=0)
    assert "--timeout-s" not in no_limit and "--cors" not in no_limit and "[::1]:80" in no_limit


def test_binary_comes_from_the_running_interpreter() -> None:
    binary = kgserve.oxigraph_binary()
    assert binary.parent == Path(sys.executable).parent or binary.parent == Path(
        __import__("sysconfig").get_path("scripts"))
    assert os.access(binary, os.X_OK)


def test_binary_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(kgserve.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setattr(kgserve.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(kgserve.ServerError, match="pip install"):
        kgserve.oxigraph_binary()


# -- failures ---------------------------------------------------------------------------------------

def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(kgstore.StoreNotFound):
        kgserve.start(tmp_path / "none", "127.0.0.1", free_port())


def test_port_in_use(store_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(kgserve.ServerError, match="in use"):
            kgserve.start(store_dir, "127.0.0.1", port)


def test_child_exiting_early_is_reported(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the pre-check (a race): the server itself fails to bind, and its error comes back in one line."""
    monkeypatch.setattr(kgserve, "_check_port_free", lambda host, port: None)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))  # bound, not listening: the probe gets no answer, the server no port
        t0 = time.monotonic()
        with pytest.raises(kgserve.ServerError) as err:
            kgserve.start(store_dir, "127.0.0.1", busy.getsockname()[1], log=None)
    assert "in use" in str(err.value) and "\n" not in str(err.value)
    assert time.monotonic() - t0 < 10


def test_a_union_graph_store_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "store"
    kgstore.save(sample_dataset(), path)
    assert kgserve.has_union_graph(path)


# -- the command ------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_missing_store(tmp_path: Path) -> None:
    r = runner.invoke(app, ["serve", "--store", str(tmp_path / "none")], prog_name="kg")
    assert r.exit_code == 2 and "kg build" in r.stderr and "Traceback" not in r.output


def test_cli_port_in_use(store_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        r = runner.invoke(app, ["serve", "--store", str(store_dir), "--port", str(busy.getsockname()[1])],
                          prog_name="kg")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "in use" in r.stderr


def test_cli_help_has_an_example() -> None:
    r = runner.invoke(app, ["serve", "--help"], prog_name="kg")
    assert r.exit_code == 0 and "kg serve --store output/store" in r.stdout


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_until_interrupted(store_dir: Path, sig: signal.Signals) -> None:
    """The real command in its own process: prints the URL and a curl line, answers, stops cleanly (exit 0)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store_dir), "--port", str(port),
                             "--timeout", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query"), first + proc.stderr.read()
        lines = [proc.stdout.readline() for _ in range(3)]
        curl = next(l for l in lines if "curl " in l)
        assert "--data-urlencode 'query=" in curl and f"http://127.0.0.1:{port}/query" in curl
        # the example line works as printed
        example = curl.split("'query=", 1)[1].rsplit("'", 1)[0]
        status, _, body = get(f"http://127.0.0.1:{port}/query", example, "text/csv")
        assert status == 200 and body.decode("utf-8").splitlines()[0] == "unit,name"
        proc.send_signal(sig)
        assert proc.wait(15) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the oxigraph child went with it
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the server still answers after kg serve stopped")
