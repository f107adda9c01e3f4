"""The `kg` command end to end on a small store: output formats, exit codes, one-line errors."""
from __future__ import annotations

import csv
import io
import json
import sys
import types
from pathlib import Path

import pytest
import rdflib
from rdflib import Dataset
from typer.testing import CliRunner

from kg import store as kgstore
from kg.build import BuildSummary
from kg.cli import app
from kg.ontology import ONTOLOGY_TTL
from test_store import distinct_triples, quad_count, sample_dataset

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
UNITS = ("SELECT ?name ?alt WHERE { ?u a xs:Unit ; rdfs:label ?name . OPTIONAL { ?u skos:altLabel ?alt } } "
         "ORDER BY ?name")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    kgstore.save(sample_dataset(), path)
    return path


def kg(*args: str):
    return runner.invoke(app, list(args), prog_name="kg")


# -- help ---------------------------------------------------------------------------------------

def test_help_lists_commands_and_quick_start() -> None:
    r = kg("--help")
    assert r.exit_code == 0
    for cmd in ("build", "query", "export", "stats", "push"):
        assert f"  {cmd}  " in r.stdout or f"  {cmd} " in r.stdout
    assert "Quick start:" in r.stdout and "kg build seeds --out output" in r.stdout
    assert "..." not in r.stdout.split("Commands:")[1], "one-line descriptions should not be cut off"


def test_no_arguments_shows_help() -> None:
    r = kg()
    assert "Usage:" in r.output and "query" in r.output


@pytest.mark.parametrize("cmd", ["build", "query", "export", "stats", "push"])
def test_each_command_has_an_example(cmd: str) -> None:
    r = kg(cmd, "--help")
    assert r.exit_code == 0
    assert f"kg {cmd} " in r.stdout


def test_version() -> None:
    r = kg("--version")
    assert r.exit_code == 0 and "0.1.0" in r.stdout


# -- query --------------------------------------------------------------------------------------

def test_query_table(store_dir: Path) -> None:
    r = kg("query", UNITS, "--store", str(store_dir))
    assert r.exit_code == 0, r.output
    assert "省商务厅" in r.stdout and "辽宁省商务厅" in r.stdout
    assert "2 row(s)" in r.stderr


def test_query_table_compacts_iris(store_dir: Path) -> None:
    r = kg("query", "SELECT ?i WHERE { ?i a xs:Inspection }", "--store", str(store_dir))
    assert "xsr:inspection/1" in r.stdout


def test_query_csv(store_dir: Path) -> None:
    r = kg("query", UNITS, "--store", str(store_dir), "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows == [["name", "alt"], ["省委第三巡视组", ""], ["辽宁省商务厅", "省商务厅"]]


def test_query_json_is_sparql_results(store_dir: Path) -> None:
    r = kg("query", UNITS, "--store", str(store_dir), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["head"]["vars"] == ["name", "alt"]
    assert data["results"]["bindings"][1]["alt"] == {"type": "literal", "value": "省商务厅", "xml:lang": "zh"}


def test_query_from_file_and_limit(store_dir: Path, tmp_path: Path) -> None:
    rq = tmp_path / "units.rq"
    rq.write_text(UNITS, encoding="utf-8")
    r = kg("query", "-f", str(rq), "--store", str(store_dir), "--format", "csv", "--limit", "1")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["name,alt", "省委第三巡视组,"]
    assert "showing 1 of 2 rows" in r.stderr


def test_query_ask_and_construct(store_dir: Path) -> None:
    r = kg("query", 'ASK { ?u skos:altLabel "省商务厅"@zh }', "--store", str(store_dir))
    assert r.exit_code == 0 and r.stdout.strip() == "true"
    r = kg("query", 'ASK { ?u skos:altLabel "省商务厅"@zh }', "--store", str(store_dir), "--format", "json")
    assert json.loads(r.stdout) == {"head": {}, "boolean": True}
    r = kg("query", "CONSTRUCT { ?u skos:altLabel ?a } WHERE { ?u skos:altLabel ?a }", "--store", str(store_dir))
    assert r.exit_code == 0
    assert len(rdflib.Graph().parse(data=r.stdout, format="turtle")) == 1


@pytest.mark.parametrize("args", [[], ["SELECT * {}", "-f", "x.rq"]])
def test_query_needs_exactly_one_source(store_dir: Path, args: list[str]) -> None:
    r = kg("query", *args, "--store", str(store_dir))
    assert r.exit_code == 2
    assert "-f" in r.output


def test_query_bad_sparql_is_one_line(store_dir: Path) -> None:
    r = kg("query", "SELECT * WHERE { ?s ?p }", "--store", str(store_dir))
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: SPARQL syntax error:") and "1:" in lines[0]
    assert "Traceback" not in r.output


def test_query_missing_store(tmp_path: Path) -> None:
    r = kg("query", "ASK {}", "--store", str(tmp_path / "nothing"))
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "kg build" in r.stderr and "nothing" in r.stderr
    assert "Traceback" not in r.output


# -- export / stats -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,parse_as", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                          ("nquads", "nquads"), ("trig", "trig")])
def test_export_to_stdout_and_file(store_dir: Path, tmp_path: Path, fmt: str, parse_as: str) -> None:
    r = kg("export", "--format", fmt, "--store", str(store_dir))
    assert r.exit_code == 0, r.output
    out = tmp_path / f"graph.{fmt}"
    r2 = kg("export", "--format", fmt, "--store", str(store_dir), "-o", str(out))
    assert r2.exit_code == 0 and r2.stdout == "" and str(out) in r2.stderr
    if fmt != "jsonld":  # rdflib gives blank nodes fresh ids on every run
        assert out.read_bytes() == r.stdout_bytes
    ds = sample_dataset()
    n_onto = len(rdflib.Graph().parse(ONTOLOGY_TTL))
    if fmt in ("nquads", "trig"):
        back = Dataset()
        back.parse(out, format=parse_as)
        assert sum(1 for _ in back.quads((None, None, None, None))) == quad_count(ds) + n_onto
    else:
        assert len(rdflib.Graph().parse(out, format=parse_as)) == distinct_triples(ds) + n_onto


def test_export_missing_store(tmp_path: Path) -> None:
    r = kg("export", "--store", str(tmp_path / "none"))
    assert r.exit_code == 2 and "kg build" in r.stderr


def test_export_rejects_unknown_format(store_dir: Path) -> None:
    r = kg("export", "--format", "xml", "--store", str(store_dir))
    assert r.exit_code == 2


def test_stats(store_dir: Path) -> None:
    r = kg("stats", "--store", str(store_dir))
    assert r.exit_code == 0, r.output
    assert "xs:Report 整改通报" in r.stdout and "xs:Unit 单位" in r.stdout
    line = next(l for l in r.stdout.splitlines() if "xs:Report" in l)
    assert line.split("│")[2].strip() == "2"


# -- build (with a stand-in for kg.build, so the CLI is tested on its own) ------------------------

def build_summary(**changes) -> BuildSummary:
    """A summary such as kg.build returns, for the CLI to print."""
    values = dict(reports=3, files=2, triples=1234, seconds=0.5, per_class={"Unit": 7, "Problem": 11},
                  stages={"resolve": 0.2}, extracted=1, reused=1, graphs_written=4, incremental=True,
                  violations=0, validation="turbo", report_pages=3)
    return BuildSummary(**{**values, **changes})


def _fake_build(monkeypatch: pytest.MonkeyPatch, summary: BuildSummary) -> list[tuple]:
    calls: list[tuple] = []

    def build_corpus(inputs: list[Path], out_dir: Path, *, progress: bool = True, rebuild: bool = False,
                     workers: int | None = 1, engine: str = "local", scheduler: str | None = None) -> BuildSummary:
        calls.append((inputs, out_dir, progress, rebuild, workers, engine, scheduler))
        return summary

    module = types.ModuleType("kg.build")
    module.build_corpus = build_corpus  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kg.build", module)
    return calls


def test_build_prints_summary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = _fake_build(monkeypatch, build_summary())
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    r = kg("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert calls == [([tmp_path / "a.txt"], tmp_path / "out", True, False, None, "local", None)]  # workers: per core
    for text in ("reports", "3", "Unit", "7", "Problem", "11", "triples", "1234", "seconds", "resolve", "0.2",
                 "4 written, 0 dropped"):
        assert text in r.stdout
    assert r.stderr == ""
    r = kg("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--rebuild")
    assert r.exit_code == 0 and calls[-1][3] is True
    r = kg("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--workers", "3")
    assert r.exit_code == 0 and calls[-1][4] == 3
    r = kg("build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--workers", "0")
    assert r.exit_code == 2 and "--workers" in r.stderr and len(calls) == 3


def test_build_exit_1_when_files_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    skipped = [("bad.pdf", "no text layer\n(scanned?)"), ("x.doc", "old Word format")]
    _fake_build(monkeypatch, build_summary(skipped=skipped))
    r = kg("build", str(tmp_path))
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["skipped bad.pdf: no text layer (scanned?)", "skipped x.doc: old Word format"]


def test_build_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    r = kg("build", str(tmp_path / "missing.txt"))
    assert r.exit_code == 2
