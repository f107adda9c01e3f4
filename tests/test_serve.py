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
from email.message import Message
from pathlib import Path
from xml.etree import ElementTree

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from typer.testing import CliRunner

from kg import front as kgfront
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


def fetch(url: str, query: str | None = None, accept: str | None = None, *, method: str = "GET",
          data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """(status, headers, body) of any answer, errors included; ``query`` goes into the URL."""
    if query is not None:
        url = f"{url}?{urllib.parse.urlencode({'query': query})}"
    req = urllib.request.Request(url, data=data, method=method, headers={**({"Accept": accept} if accept else {}),
                                                                          **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


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


@pytest.mark.parametrize("max_results", [kgserve.DEFAULT_MAX_RESULTS, 0], ids=["front", "server-alone"])
def test_query_time_limit_cuts_a_slow_query_off(store_dir: Path, max_results: int) -> None:
    """A cross product of the store with itself (~5·10⁹ rows) to count: stopped after about a second.

    Behind the front the client gets 503 and why; the server alone has already sent 200 OK, then ends the
    body with its error message, so the JSON does not parse."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    with kgserve.start(store_dir, "127.0.0.1", free_port(), timeout=1, max_results=max_results, log=None) as srv:
        t0 = time.monotonic()
        try:
            _, _, body = get(srv.url, slow, "application/sparql-results+json", timeout=30)
        except urllib.error.HTTPError as e:
            assert max_results and e.code == 503
            body = e.read()
            assert "time limit" in body.decode("utf-8")
        except http.client.IncompleteRead as e:  # a cut-off chunked body
            body = e.partial
        elapsed = time.monotonic() - t0
        assert elapsed < 15
        with pytest.raises(ValueError):
            json.loads(body)  # no count came back: the answer was cut off
        assert b'"n"' not in body.split(b"bindings", 1)[-1]
        _, _, body = get(srv.url, "ASK { ?s ?p ?o }", "application/sparql-results+json")
        assert json.loads(body)["boolean"] is True  # the server lives on


@pytest.mark.parametrize("query", [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",  # the server gives up while streaming
    'ASK { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) = CONCAT(STR(?f), "?")) }',  # ... before it has an answer
], ids=["select", "ask"])
def test_the_front_answers_503_on_the_time_limit(store_dir: Path, query: str) -> None:
    with kgserve.start(store_dir, "127.0.0.1", free_port(), timeout=1, log=None) as srv:  # the default limit
        status, headers, body = fetch(srv.url, query, "application/sparql-results+json")
        assert status == 503 and headers["Content-Type"].startswith("text/plain")
        assert body.decode("utf-8").startswith("the query ran past the time limit and was stopped (1 s)")


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


# -- the result limit -------------------------------------------------------------------------------

LIMIT = 7
UNITS = PREFIXES + "SELECT ?unit ?name WHERE { ?unit a xs:Unit ; rdfs:label ?name } ORDER BY ?unit ?name"
UNIT_LABELS = PREFIXES + "CONSTRUCT { ?unit rdfs:label ?name } WHERE { ?unit a xs:Unit ; rdfs:label ?name }"
RESULT_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values"}
# A report whose document title holds markup: it must come back as text, never as something a browser runs.
EVIL_REPORT = (
    "中共辽宁省商务厅党组关于巡视整改进展情况的通报\n"
    "根据省委统一部署，2019年10月25日至12月31日，省委第八巡视组对省商务厅党组进行了巡视。"
    "2020年1月10日，省委第八巡视组向省商务厅党组反馈了巡视意见。\n"
    "一、关于学习贯彻不深入的问题\n"
    "整改情况：厅党组制定了《省商务厅<script>alert(1)</script>学习制度》，党组书记宋彦麟任组长。\n"
    "整改进展情况：已完成。\n"
    "中共辽宁省商务厅党组\n"
    "2020年6月30日\n"
)


@pytest.fixture(scope="module")
def front_log() -> list[str]:
    return []


@pytest.fixture(scope="module")
def limited(store_dir: Path, front_log: list[str]):
    """The endpoint with a small result limit, so that the seeds' units overflow it."""
    with kgserve.start(store_dir, "127.0.0.1", free_port(), timeout=30, max_results=LIMIT, log=front_log.append) as srv:
        yield srv


@pytest.fixture(scope="module")
def alone(store_dir: Path):
    """max_results=0: no front, the Oxigraph server answers on the public port itself."""
    with kgserve.start(store_dir, "127.0.0.1", free_port(), timeout=30, max_results=0, log=None) as srv:
        yield srv


@pytest.fixture(scope="module")
def all_units(store_dir: Path) -> list[tuple[str, str]]:
    rows = [tuple(row) for row in kgstore.query(store_dir, UNITS).rows]
    assert len(rows) > LIMIT
    return rows


def result_rows(body: bytes, fmt: str) -> list[tuple[str, str]]:
    """(unit, name) rows of a SELECT answer, parsed by rdflib's results parsers."""
    result = rdflib.query.Result.parse(io.BytesIO(body), format=fmt)
    return [(str(row["unit"]), str(row["name"])) for row in result]


@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_select_is_cut_at_the_limit_in_every_format(limited: kgserve.ServerProcess, all_units, fmt: str) -> None:
    status, headers, body = fetch(limited.url, UNITS, RESULT_FORMATS[fmt])
    assert status == 200 and headers["Content-Type"].startswith(RESULT_FORMATS[fmt])
    assert headers[kgfront.TRUNCATED_HEADER] == "true" and headers[kgfront.LIMIT_HEADER] == str(LIMIT)
    assert result_rows(body, fmt) == all_units[:LIMIT]  # the first rows, in order, nothing else


def test_a_sparql_client_sees_the_cut(limited: kgserve.ServerProcess, all_units) -> None:
    for method in ("GET", "POST"):
        client = sparql(limited, UNITS, JSON)
        client.setMethod(method)
        answer = client.query()
        assert answer.info()[kgfront.TRUNCATED_HEADER.lower()] == "true"
        rows = answer.convert()["results"]["bindings"]
        assert [(r["unit"]["value"], r["name"]["value"]) for r in rows] == all_units[:LIMIT]
        assert {r["name"]["xml:lang"] for r in rows} == {"zh"}


def test_a_cross_product_is_cut_too(limited: kgserve.ServerProcess) -> None:
    """Three-way: a shape where the server's time limit is not checked while rows stream; the limit still holds."""
    status, headers, body = fetch(limited.url, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "text/csv")
    assert status == 200 and headers[kgfront.TRUNCATED_HEADER] == "true"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert rows[0] == list("abcdefghi") and len(rows) == 1 + LIMIT


@pytest.mark.parametrize("n", [3, LIMIT])
def test_under_the_limit_everything_comes_and_no_cut_is_reported(limited: kgserve.ServerProcess, all_units,
                                                                 n: int) -> None:
    status, headers, body = fetch(limited.url, f"{UNITS} LIMIT {n}", RESULT_FORMATS["json"])
    assert status == 200 and kgfront.TRUNCATED_HEADER not in headers
    assert result_rows(body, "json") == all_units[:n]


def test_construct_is_cut_to_the_limit_in_turtle(limited: kgserve.ServerProcess, all_units) -> None:
    status, headers, body = fetch(limited.url, UNIT_LABELS, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert headers[kgfront.TRUNCATED_HEADER] == "true"
    g = rdflib.Graph().parse(data=body, format="turtle")
    assert len(g) == LIMIT
    assert set(g.predicates()) == {rdflib.RDFS.label}
    assert {(str(s), str(o)) for s, _, o in g} <= set(all_units)
    assert {o.language for o in g.objects()} == {"zh"}


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_answers(limited: kgserve.ServerProcess, accept: str) -> None:
    for query, expected in ((PREFIXES + "ASK { ?u a xs:Unit }", True), ("ASK { <urn:none> ?p ?o }", False)):
        status, headers, body = fetch(limited.url, query, accept)
        assert status == 200 and kgfront.TRUNCATED_HEADER not in headers
        answer = rdflib.query.Result.parse(io.BytesIO(body), format="json" if "json" in accept else "xml")
        assert answer.askAnswer is expected


@pytest.mark.parametrize("query,accept", [
    (TEAM_OF_SHANGWUTING, None), (TEAM_OF_SHANGWUTING, "*/*"), (TEAM_OF_SHANGWUTING, "application/json"),
    (TEAM_OF_SHANGWUTING, "text/csv"), (TEAM_OF_SHANGWUTING, "text/tsv"),
    (TEAM_OF_SHANGWUTING, "application/sparql-results+xml"),
    (TEAM_OF_SHANGWUTING, "application/sparql-results+json,*/*;q=0.9"),
    (TEAM_OF_SHANGWUTING, "text/turtle"),  # not a results format: 406 from both
    (UNITS + " LIMIT 3", "text/csv;q=0.5, application/sparql-results+xml"),
    ("ASK { ?s ?p ?o }", "text/csv"),
    (UNIT_LABELS + " LIMIT 3", None), (UNIT_LABELS + " LIMIT 3", "*/*"), (UNIT_LABELS + " LIMIT 3", "text/turtle"),
    (UNIT_LABELS + " LIMIT 3", "application/n-triples"), (UNIT_LABELS + " LIMIT 3", "application/rdf+xml"),
    (UNIT_LABELS + " LIMIT 3", "application/ld+json"), (UNIT_LABELS + " LIMIT 3", "application/turtle,text/turtle"),
    (UNIT_LABELS + " LIMIT 3", "application/sparql-results+json"),
    ("SELEC ?x WHERE {}", "application/sparql-results+json"),  # a syntax error: the server's 400 and message
])
def test_under_the_limit_the_front_answers_as_the_server_alone(limited: kgserve.ServerProcess,
                                                               alone: kgserve.ServerProcess, query: str,
                                                               accept: str | None) -> None:
    """Same status, media type and bytes (406: the front's own words): the front's negotiation and pyoxigraph's
    writing match the server's."""
    front_status, front_headers, front_body = fetch(limited.url, query, accept)
    status, headers, body = fetch(alone.url, query, accept)
    assert front_status == status
    assert front_headers["Content-Type"].split(";")[0] == headers["Content-Type"].split(";")[0]
    if status != 406:
        assert front_body.rstrip(b"\n") == body.rstrip(b"\n")


def test_a_syntax_error_is_400_with_the_servers_message(limited: kgserve.ServerProcess) -> None:
    status, headers, body = fetch(limited.url, "SELECT ?x WHERE { ?x ?y }", "application/sparql-results+json")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert body.decode("utf-8").startswith("error at 1:")


@pytest.mark.parametrize("method,path,content_type,body,status", [
    ("POST", "/query", "application/sparql-update", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
    ("POST", "/query", "application/x-www-form-urlencoded", b"update=DROP%20ALL", 403),
    ("GET", "/query?update=DROP%20ALL", None, None, 403),
    ("POST", "/update", "application/sparql-update", b"DROP ALL", 403),
    ("GET", "/update", None, None, 403),
    ("DELETE", "/store?default", None, None, 403),
    ("PUT", "/store?default", "application/n-triples", b"<urn:a> <urn:b> <urn:c> .", 403),
    ("GET", "/store?default", None, None, 404),  # the Graph Store Protocol would dump the store past the limit
    ("GET", "/elsewhere", None, None, 404),
    ("PUT", "/query", "application/sparql-query", b"ASK {}", 405),
    ("POST", "/query", "text/plain", b"ASK {}", 415),  # the server's answer, passed on
])
def test_updates_and_other_requests_are_refused(limited: kgserve.ServerProcess, method: str, path: str,
                                                content_type: str | None, body: bytes | None, status: int) -> None:
    got, headers, answer = fetch(limited.base_url + path, method=method, data=body,
                                 headers={"Content-Type": content_type} if content_type else {})
    assert got == status, answer
    assert headers["Content-Type"].startswith("text/plain") and answer.strip()
    if status == 403:
        assert b"read-only" in answer
    _, _, answer = get(limited.url, "ASK { <urn:a> <urn:b> <urn:c> }", "application/sparql-results+json")
    assert json.loads(answer)["boolean"] is False


def test_a_huge_request_is_refused(limited: kgserve.ServerProcess) -> None:
    query = ("ASK { VALUES ?x { " + "<urn:x> " * (kgfront.MAX_REQUEST_BODY // 8) + "} }").encode()
    status, _, answer = fetch(limited.url, method="POST", data=query,
                              headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and str(kgfront.MAX_REQUEST_BODY).encode() in answer


def test_a_client_still_sending_a_refused_body_gets_the_413(limited: kgserve.ServerProcess) -> None:
    body = b"#" * (kgfront.MAX_REQUEST_BODY + 1)
    with socket.create_connection(("127.0.0.1", limited.port), timeout=10) as conn:
        conn.sendall(f"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode())
        time.sleep(0.5)  # the front has seen the length and refused by now; the body comes after
        conn.sendall(body)  # a front that closed without reading it resets the connection here
        answer = conn.makefile("rb").read()
    assert answer.split(b" ", 2)[1] == b"413", answer[:80]


def test_a_body_too_big_to_read_is_refused_at_once(limited: kgserve.ServerProcess) -> None:
    declared = kgfront.DRAINED_AT_MOST + 1
    with socket.create_connection(("127.0.0.1", limited.port), timeout=kgfront.DRAIN_SECONDS / 2) as conn:
        conn.sendall(f"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     f"Content-Length: {declared}\r\n\r\nASK {{}}".encode())
        answer = conn.makefile("rb").read()  # the front closes the connection after its answer
    assert answer.split(b" ", 2)[1] == b"413", answer[:80]


def test_the_query_page_is_passed_on(limited: kgserve.ServerProcess, alone: kgserve.ServerProcess) -> None:
    status, headers, page = fetch(limited.base_url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert page == fetch(alone.base_url + "/")[2]
    status, headers, description = fetch(limited.url, accept="text/turtle")  # GET /query without a query
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=description, format="turtle")) > 0


def test_a_cut_is_logged(limited: kgserve.ServerProcess, front_log: list[str]) -> None:
    before = len(front_log)
    fetch(limited.url, UNITS, "text/csv")
    assert f"kg serve: an answer was cut at {LIMIT} rows (the result limit)" in front_log[before:]
    fetch(limited.url, UNIT_LABELS, "text/turtle")
    assert f"kg serve: an answer was cut at {LIMIT} triples (the result limit)" in front_log[before:]


def test_no_limit_means_the_server_answers_alone(alone: kgserve.ServerProcess, all_units) -> None:
    assert alone.front is None and alone.backend_port == alone.port
    status, headers, body = fetch(alone.url, UNITS, "text/csv")
    assert kgfront.TRUNCATED_HEADER not in headers
    assert result_rows(body, "csv") == all_units


def test_cors_headers_reach_scripts(store_dir: Path) -> None:
    with kgserve.start(store_dir, "127.0.0.1", free_port(), max_results=LIMIT, cors=True, log=None) as srv:
        status, headers, _ = fetch(srv.url, UNITS, "text/csv", headers={"Origin": "https://example.org"})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        assert kgfront.TRUNCATED_HEADER in headers["Access-Control-Expose-Headers"]
        status, headers, _ = fetch(srv.url, method="OPTIONS", headers={
            "Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
        assert status == 204 and headers["Access-Control-Allow-Origin"] == "*"  # the server's preflight answer


def test_binds_to_loopback_by_default(store_dir: Path) -> None:
    assert kgserve.DEFAULT_HOST == "127.0.0.1"
    with kgserve.start(store_dir, port=free_port(), log=None) as srv:
        assert srv.front is not None and srv.front.socket.getsockname()[0] == "127.0.0.1"
        assert srv.backend_port != srv.port
        assert srv.process.args[srv.process.args.index("--bind") + 1] == f"127.0.0.1:{srv.backend_port}"


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory) -> Path:
    from kg.build import build_corpus

    folder = tmp_path_factory.mktemp("evil")
    (folder / "in").mkdir()
    (folder / "in" / "evil.txt").write_text(EVIL_REPORT, encoding="utf-8")
    build_corpus([folder / "in"], folder / "out", progress=False)
    return folder / "out" / "store"


def test_markup_in_documents_comes_back_as_data(evil_store: Path) -> None:
    query = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?title WHERE { ?doc rdfs:label ?title '
             'FILTER(CONTAINS(?title, "<script>")) }')
    [[title]] = kgstore.query(evil_store, query).rows
    with kgserve.start(evil_store, "127.0.0.1", free_port(), max_results=LIMIT, log=None) as srv:
        _, headers, body = fetch(srv.url, query, RESULT_FORMATS["xml"])
        assert b"<script>" not in body and b"&lt;script&gt;" in body
        assert [e.text for e in ElementTree.fromstring(body).iter("{http://www.w3.org/2005/sparql-results#}literal")] == [title]
        for fmt, media_type in RESULT_FORMATS.items():
            _, headers, body = fetch(srv.url, query, media_type)
            assert headers["Content-Type"].startswith(media_type) and headers["X-Content-Type-Options"] == "nosniff"
            result = rdflib.query.Result.parse(io.BytesIO(body), format=fmt)
            assert [str(row["title"]) for row in result] == [title]
        assert json.loads(fetch(srv.url, query, RESULT_FORMATS["json"])[2])["results"]["bindings"][0]["title"][
            "value"] == title


# -- failures ---------------------------------------------------------------------------------------

def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(kgstore.StoreNotFound):
        kgserve.start(tmp_path / "none", "127.0.0.1", free_port())


@pytest.mark.parametrize("max_results", [kgserve.DEFAULT_MAX_RESULTS, 0], ids=["front", "server-alone"])
def test_port_in_use(store_dir: Path, max_results: int) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(kgserve.ServerError, match="in use") as err:
            kgserve.start(store_dir, "127.0.0.1", port, max_results=max_results)
    assert "\n" not in str(err.value)


def test_child_exiting_early_is_reported(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the pre-check (a race): the server itself fails to bind, and its error comes back in one line."""
    monkeypatch.setattr(kgserve, "_check_port_free", lambda host, port: None)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))  # bound, not listening: the probe gets no answer, the server no port
        t0 = time.monotonic()
        with pytest.raises(kgserve.ServerError) as err:  # no front: it would find the port taken itself
            kgserve.start(store_dir, "127.0.0.1", busy.getsockname()[1], max_results=0, log=None)
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
                             "--timeout", "5", "--max-results", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith(f"SPARQL endpoint: http://127.0.0.1:{port}/query"), first + proc.stderr.read()
        assert "queries stop after 5 s" in first and "answers cut at 3 rows" in first
        lines = [proc.stdout.readline() for _ in range(3)]
        curl = next(l for l in lines if "curl " in l)
        assert "--data-urlencode 'query=" in curl and f"http://127.0.0.1:{port}/query" in curl
        # the example line works as printed
        example = curl.split("'query=", 1)[1].rsplit("'", 1)[0]
        status, headers, body = fetch(f"http://127.0.0.1:{port}/query", example, "text/csv")
        assert status == 200 and body.decode("utf-8").splitlines()[0] == "unit,name"
        assert "LIMIT 5" in example and len(body.decode("utf-8").splitlines()) == 1 + 3  # --max-results 3
        assert headers[kgfront.TRUNCATED_HEADER] == "true"
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
