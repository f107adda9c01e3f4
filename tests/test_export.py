"""`kg export` to GraphML, GEXF and CSV tables: each parses back with its usual reader and holds known facts."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg.files import write_atomic
from kg import export as kgexport
from kg import store as kgstore
from kg.cli import app
from test_store import sample_dataset

runner = CliRunner()
XSR = "https://w3id.org/xunshi-kg/resource/"


def kg(*args: str):
    return runner.invoke(app, list(args), prog_name="kg")


@pytest.fixture(scope="module")
def store_dir(seed_build) -> Path:
    out, _ = seed_build
    return out / "store"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small handmade store (two reports sharing a unit; saved with the materialized merge graph)."""
    path = tmp_path_factory.mktemp("sample") / "store"
    kgstore.save(sample_dataset(), path)
    return path


@pytest.fixture(scope="module")
def exported(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """graph.graphml, graph.gexf and tables/ written once by the command."""
    out = tmp_path_factory.mktemp("export")
    for fmt, target in (("graphml", out / "graph.graphml"), ("gexf", out / "graph.gexf"), ("csv", out / "tables")):
        r = kg("export", "--format", fmt, "--store", str(store_dir), "-o", str(target))
        assert r.exit_code == 0, r.output
        assert r.stdout == "" and str(target) in r.stderr
    return out


def shangwuting(g: nx.Graph) -> str:
    """The node of 辽宁省商务厅 (known as 省商务厅 in the reports)."""
    nodes = [n for n, d in g.nodes(data=True) if d.get("label") == "辽宁省商务厅" and d.get("class") == "Unit"]
    assert len(nodes) == 1, nodes
    return nodes[0]


def check_graph(g: nx.Graph) -> None:
    unit = shangwuting(g)
    assert "省商务厅" in g.nodes[unit]["skos:altLabel"].split(" | ")
    inspections = [s for s, _, d in g.in_edges(unit, data=True) if d["predicate"] == "xs:inspectedUnit"]
    assert len(inspections) == 1
    insp = g.nodes[inspections[0]]
    assert insp["class"] == "Inspection" and insp["xs:startDate"] == "2019-10-25"
    assert insp["xs:feedbackDate"] == "2020-03-11"
    teams = [t for _, t, d in g.out_edges(inspections[0], data=True) if d["predicate"] == "xs:team"]
    assert [g.nodes[t]["label"] for t in teams] == ["省委第八巡视组"]
    assert g.nodes[teams[0]]["class"] == "InspectionTeam"  # the most specific of its two classes
    statuses = {d.get("xs:status") for _, d in g.nodes(data=True) if d["class"] == "Problem"}
    assert {"xs:Completed", "xs:InProgress"} <= statuses
    assert "Mention" not in {d["class"] for _, d in g.nodes(data=True)}
    assert all(n.startswith(XSR) for n in g)


def test_graphml_parses_back(exported: Path, store_dir: Path) -> None:
    g = nx.read_graphml(exported / "graph.graphml")
    check_graph(g)
    built = kgexport.to_networkx(store_dir)
    assert (g.number_of_nodes(), g.number_of_edges()) == (built.number_of_nodes(), built.number_of_edges())
    longterm = {d["xs:longTerm"] for _, d in g.nodes(data=True) if "xs:longTerm" in d}
    assert longterm <= {True, False} and longterm  # typed as boolean, read back as bool


def test_gexf_parses_back(exported: Path) -> None:
    g = nx.read_gexf(exported / "graph.gexf")
    check_graph(g)


def test_graph_counts_match_the_store(store_dir: Path) -> None:
    g = kgexport.to_networkx(store_dir)
    q = ("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(xs:)) && ?c != xs:Mention "
         "&& ?c != xs:Status) }")
    assert g.number_of_nodes() == int(kgstore.query(store_dir, q).rows[0][0])
    edges = kgstore.query(store_dir, "SELECT (COUNT(*) AS ?n) WHERE { ?i xs:inspectedUnit ?u }")
    assert sum(1 for *_, d in g.edges(data=True) if d["predicate"] == "xs:inspectedUnit") == int(edges.rows[0][0])


def test_attribute_values_are_plain_types(store_dir: Path) -> None:
    """GraphML/GEXF take str, int, float, bool only; one type per attribute; nothing None."""
    g = kgexport.to_networkx(store_dir, with_mentions=True)
    types: dict[str, set[type]] = {}
    for _, d in [*g.nodes(data=True), *((None, d) for *_, d in g.edges(data=True))]:
        for k, v in d.items():
            assert isinstance(v, (str, int, float, bool)), (k, v)
            types.setdefault(k, set()).add(type(v))
    assert all(len(t) == 1 for t in types.values()), types
    assert types["xs:start"] == {int}


def test_with_mentions(store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.graphml"
    r = kg("export", "--format", "graphml", "--with-mentions", "--store", str(store_dir), "-o", str(out))
    assert r.exit_code == 0, r.output
    g = nx.read_graphml(out)
    mentions = [n for n, d in g.nodes(data=True) if d["class"] == "Mention"]
    assert mentions
    m = g.nodes[mentions[0]]
    assert isinstance(m["xs:start"], int) and m["xs:end"] > m["xs:start"] and m["xs:surface"]
    unit = shangwuting(g)
    assert any(d["predicate"] == "xs:mention" for *_, d in g.out_edges(unit, data=True))


def test_graph_to_stdout(sample_store: Path) -> None:
    r = kg("export", "--format", "gexf", "--store", str(sample_store))
    assert r.exit_code == 0
    g = nx.read_gexf(io.BytesIO(r.stdout_bytes))
    assert g.nodes[f"{XSR}unit/team-3"]["label"] == "省委第三巡视组"


# -- csv --------------------------------------------------------------------------------------------

def read_table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_one_table_per_class(exported: Path) -> None:
    tables = exported / "tables"
    names = {p.name for p in tables.iterdir()}
    assert {"Unit.csv", "InspectionTeam.csv", "Person.csv", "Post.csv", "Problem.csv", "Inspection.csv",
            "Report.csv", "Document.csv", "Program.csv", "Deadline.csv"} == names  # no Mention.csv by default
    for name in names:
        with open(tables / name, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert header[:2] == ["iri", "label"]


def test_csv_facts(exported: Path) -> None:
    tables = exported / "tables"
    problems = read_table(tables / "Problem.csv")
    assert {"Completed", "InProgress"} <= {p["xs:status"].removeprefix("xs:") for p in problems}
    assert {p["xs:status"] for p in problems} <= {"xs:Completed", "xs:InProgress", ""}
    units = {u["iri"]: u for u in read_table(tables / "Unit.csv")}
    teams = {t["iri"]: t for t in read_table(tables / "InspectionTeam.csv")}
    insp = [i for i in read_table(tables / "Inspection.csv")
            if "省商务厅" in units.get(i["xs:inspectedUnit"], {}).get("skos:altLabel", "").split(" | ")]
    assert len(insp) == 1
    assert insp[0]["xs:startDate"] == "2019-10-25"
    assert teams[insp[0]["xs:team"]]["label"] == "省委第八巡视组"  # links are IRIs that join with iri
    persons = read_table(tables / "Person.csv")
    song = [p for p in persons if p["label"] == "宋彦麟"]
    assert song and song[0]["org:holds"]


def test_csv_needs_a_folder(store_dir: Path) -> None:
    r = kg("export", "--format", "csv", "--store", str(store_dir))
    assert r.exit_code == 2 and "-o" in r.stderr


def test_csv_replaces_an_earlier_export_but_nothing_else(store_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "tables"
    target.mkdir()
    (target / "Stale.csv").write_text("old\n")
    r = kg("export", "--format", "csv", "--store", str(store_dir), "-o", str(target))
    assert r.exit_code == 0, r.output
    assert not (target / "Stale.csv").exists() and (target / "Unit.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]  # no temporary folders left behind

    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    r = kg("export", "--format", "csv", "--store", str(store_dir), "-o", str(other))
    assert r.exit_code == 2 and "refusing" in r.stderr and r.stderr.count("\n") == 1
    assert [p.name for p in other.iterdir()] == ["keep.txt"]


def test_csv_with_mentions(sample_store: Path, tmp_path: Path) -> None:
    counts = kgexport.write_csv_tables(sample_store, tmp_path / "t", with_mentions=True)
    assert counts["Mention.csv"] == 2
    assert "xs:mention" in read_table(tmp_path / "t" / "Unit.csv")[0]
    without = kgexport.write_csv_tables(sample_store, tmp_path / "u")
    assert "Mention.csv" not in without
    assert "xs:mention" not in read_table(tmp_path / "u" / "Unit.csv")[0]


def test_a_triple_in_two_reports_is_one_value(sample_store: Path) -> None:
    """The sample store names its unit in two report graphs (and holds their merge): one node, one row."""
    g = kgexport.to_networkx(sample_store)
    assert g.nodes[f"{XSR}unit/liaoning-shangwuting"] == {"label": "辽宁省商务厅", "class": "Unit",
                                                          "skos:altLabel": "省商务厅"}
    assert g.nodes[f"{XSR}unit/team-3"]["class"] == "InspectionTeam"
    assert g.number_of_edges(f"{XSR}report/1", f"{XSR}unit/liaoning-shangwuting") == 1  # dcterms:publisher
    tables = kgexport.tables(sample_store)
    assert len(tables["Unit"][1]) == 1 and set(tables) == {"Unit", "InspectionTeam", "Inspection", "Person",
                                                           "Post", "Document", "Report"}


# -- atomic writes ----------------------------------------------------------------------------------

def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "graph.gexf"
    out.write_text("previous")

    def broken(f) -> None:
        f.write(b"<?xml half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(out, broken)
    assert out.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["graph.gexf"]


def test_failed_csv_write_keeps_the_old_tables(sample_store: Path, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "tables"
    kgexport.write_csv_tables(sample_store, target)
    before = (target / "Unit.csv").read_bytes()
    monkeypatch.setattr(kgexport.csv, "writer", _failing_writer_after(3))  # the disk fills up at the 4th table
    with pytest.raises(OSError):
        kgexport.write_csv_tables(sample_store, target)
    assert (target / "Unit.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["tables"]


def _failing_writer_after(n: int):
    real_writer = csv.writer
    state = {"files": 0}

    def writer(f, *a, **kw):
        state["files"] += 1
        if state["files"] > n:
            raise OSError(28, "No space left on device")
        return real_writer(f, *a, **kw)

    return writer


@pytest.mark.parametrize("fmt", ["turtle", "graphml"])
def test_export_to_file_is_atomic(sample_store: Path, tmp_path: Path, monkeypatch, fmt: str) -> None:
    out = tmp_path / "graph.out"
    out.write_text("previous")

    def no_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kg.files.os.replace", no_rename)
    r = kg("export", "--format", fmt, "--store", str(sample_store), "-o", str(out))
    assert r.exit_code == 2 and "No space left" in r.stderr and "Traceback" not in r.output
    assert out.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["graph.out"]
    monkeypatch.undo()
    r = kg("export", "--format", fmt, "--store", str(sample_store), "-o", str(out))
    assert r.exit_code == 0 and "省委第三巡视组" in out.read_text(encoding="utf-8")
