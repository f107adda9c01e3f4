"""Canned questions (kg/queries/*.rq, kg.queries, `kg query NAME`): each answers correctly on the seed corpus.

Expected answers were checked against the seed text (seeds/000…): e.g. 省委第八巡视组 inspected 辽宁省商务厅
from 2019-10-25 and fed back on 2020-03-11; 宋彦麟 is 厅党组书记、厅长 of 省商务厅.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery
from typer.testing import CliRunner

from kg import queries
from kg import store as kgstore
from kg.cli import app
from kg.store import PREFIX_MAP

runner = CliRunner(env={"COLUMNS": "250", "NO_COLOR": "1"})
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
EXPECTED = {"inspections-by-team", "inspections-by-unit", "open-problems", "problem-status-by-unit",
            "documents-by-unit", "most-cited-documents", "people-by-unit", "programs-by-unit",
            "units-by-same-team", "provenance", "unit-profile"}
# A value for every parameter, to run each question with all of them bound.
SAMPLE = {"team": "省委第八巡视组", "unit": "省商务厅", "as_of": "2020-12-31", "min_reports": "3",
          "label": "宋彦麟", "node": "xsr:person/f3f442d9b7e4d02b"}


@pytest.fixture(scope="module")
def store(seed_build):
    out, _ = seed_build
    return kgstore.open_store(out / "store")


def rows(store, name: str, **params: str) -> list[dict[str, str | None]]:
    result = queries.run(store, name, params)
    return [dict(zip(result.variables, row)) for row in result.rows]


def kg(*args: str):
    return runner.invoke(app, list(args), prog_name="kg")


# -- the library ---------------------------------------------------------------------------------

def test_library_has_every_question_with_bilingual_header() -> None:
    found = {q.name: q for q in queries.list_queries()}
    assert EXPECTED <= set(found)
    for q in found.values():
        assert q.title_zh and q.title_en and q.description, q.name
        assert queries.is_name(q.name)
        for p in q.params:
            assert p.meaning and "|" in p.meaning, f"{q.name}.{p.name}: meaning in Chinese | English"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_question_runs_with_all_parameters_bound_and_hides_them(store, name: str) -> None:
    q = queries.get(name)
    params = {p.name: SAMPLE[p.name] for p in q.params}
    result = queries.run(store, name, params)
    assert result.kind == "select"
    assert not {p.name for p in q.params} & set(result.variables)  # parameter columns are dropped
    assert all(len(r) == len(result.variables) for r in result.rows)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_question_is_standard_sparql_rdflib_parses(name: str) -> None:
    prepareQuery(queries.get(name).sparql, initNs=PREFIX_MAP)


# -- the answers on the seeds ------------------------------------------------------------------

def test_inspections_by_team(store) -> None:
    all_rows = rows(store, "inspections-by-team")
    assert len(all_rows) == 16  # one inspection per report in the seeds
    eighth = rows(store, "inspections-by-team", team="省委第八巡视组")
    assert {r["team_name"] for r in eighth} == {"省委第八巡视组"}
    assert {r["inspected_unit"] for r in eighth} == {"辽宁省商务厅", "辽宁省外办", "辽宁省应急管理厅委员会"}
    commerce = next(r for r in eighth if r["inspected_unit"] == "辽宁省商务厅")
    assert (commerce["start"], commerce["feedback"], commerce["types"]) == ("2019-10-25", "2020-03-11", "机动巡视")
    assert commerce["report"].endswith("/report/000_27b93d8875c74f18-1")
    assert rows(store, "inspections-by-team", team="没有这个巡视组") == []


@pytest.mark.parametrize("name", ["省商务厅", "辽宁省商务厅", "中共辽宁省商务厅党组"])
def test_inspections_by_unit_matches_label_or_alias(store, name: str) -> None:
    got = rows(store, "inspections-by-unit", unit=name)
    assert [(r["inspected_unit"], r["team_name"], r["start"]) for r in got] == \
        [("辽宁省商务厅", "省委第八巡视组", "2019-10-25")]


def test_open_problems_and_overdue_as_of(store) -> None:
    open_all = rows(store, "open-problems")
    assert open_all and all(r["status"] != kgstore.PREFIX_MAP["xs"] + "Completed" for r in open_all)
    overdue = rows(store, "open-problems", as_of="2020-12-31")
    assert 0 < len(overdue) < len(open_all)
    for r in overdue:  # due before the date at the precision given: 2020-12 is not overdue on 2020-12-31
        assert r["due"] < "2020-12-31"[: len(r["due"])]
    # 辽宁省体育局: 其他应收款长期不清理存在流失风险, to be done by 2020-03-30 (section 2.4.2.3), in progress
    sport = rows(store, "open-problems", as_of="2020-12-31", unit="省体育局")
    assert {r["inspected_unit"] for r in sport} == {"辽宁省体育局"}
    assert ("其他应收款长期不清理存在流失风险", "2020-03-30") in {(r["problem_label"], r["due"]) for r in sport}
    assert not [r for r in sport if r["due"] in ("2020-12", "2020")]
    assert rows(store, "open-problems", as_of="2000-01-01") == []


def test_problem_status_by_unit_adds_up(store) -> None:
    table = {r["inspected_unit"]: r for r in rows(store, "problem-status-by-unit")}
    commerce = table["辽宁省商务厅"]
    assert (commerce["problems"], commerce["completed"], commerce["in_progress"]) == ("29", "15", "3")
    for r in table.values():
        assert int(r["problems"]) == int(r["completed"]) + int(r["in_progress"]) + int(r["no_status"])
        assert int(r["long_term"]) <= int(r["problems"])
    direct = kgstore.run_query(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a xs:Problem ; xs:report/xs:reportsOn/"
                                      "xs:inspectedUnit/rdfs:label '辽宁省商务厅'@zh ; xs:status xs:Completed }")
    assert direct.rows == [["15"]]
    assert [r["inspected_unit"] for r in rows(store, "problem-status-by-unit", unit="省商务厅")] == ["辽宁省商务厅"]


def test_documents_by_unit(store) -> None:
    # 一是局党组印发《省体育局意识形态督查工作实施方案》
    got = rows(store, "documents-by-unit", unit="省体育局")
    assert {r["issuer"] for r in got} == {"辽宁省体育局"}
    assert "省体育局意识形态督查工作实施方案" in {r["document"] for r in got}
    assert all(r["reports"] for r in got)
    assert len(rows(store, "documents-by-unit")) > len(got)


def test_most_cited_documents(store) -> None:
    got = rows(store, "most-cited-documents")
    assert got[0]["document"] == "中国共产党党组工作条例" and got[0]["reports"] == "7"
    assert all(int(r["reports"]) >= 2 for r in got)
    counts = [int(r["reports"]) for r in got]
    assert counts == sorted(counts, reverse=True)
    keys = [(-int(r["reports"]), r["document"]) for r in got]  # the header's order: -reports, document
    assert keys == sorted(keys) and len(set(counts)) < len(counts)  # ties exist, and are by title
    direct = kgstore.run_query(store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r xs:cites ?d . "
                                      "?d rdfs:label '中国共产党党组工作条例'@zh }")
    assert direct.rows == [["7"]]
    assert all(int(r["reports"]) >= 5 for r in rows(store, "most-cited-documents", min_reports="5"))


def test_people_by_unit(store) -> None:
    # 厅党组书记、厅长宋彦麟同志担任组长,厅党组副书记、副厅长王广利和副厅长王景明同志任副组长
    got = {(r["person"], r["post"]) for r in rows(store, "people-by-unit", unit="省商务厅")}
    assert {("宋彦麟", "厅长"), ("宋彦麟", "党组书记"), ("王广利", "副厅长"), ("王景明", "副厅长")} <= got
    assert {r["unit_name"] for r in rows(store, "people-by-unit", unit="省商务厅")} == {"辽宁省商务厅"}
    everyone = rows(store, "people-by-unit")
    assert any(r["unit_name"] is None for r in everyone)  # posts with no unit stated are listed too


def test_programs_by_unit(store) -> None:
    # 7月初,我厅启动“辽宁人游辽宁”专项活动 (the 文化和旅游厅 report)
    got = rows(store, "programs-by-unit", unit="省文化和旅游厅")
    assert ("辽宁省文化和旅游厅", "“辽宁人游辽宁”专项活动") in {(r["conducted_by"], r["program"]) for r in got}
    assert all(r["conducted_by"] for r in rows(store, "programs-by-unit"))


def test_units_by_same_team(store) -> None:
    got = rows(store, "units-by-same-team")
    eighth = next(r for r in got if r["team_name"] == "省委第八巡视组")
    assert (eighth["year"], eighth["units"]) == ("2019", "3")
    for unit in ("辽宁省商务厅（2019-10-25）", "辽宁省外办（2019-10-25）", "辽宁省应急管理厅委员会（2019-11-26）"):
        assert unit in eighth["inspected"]
    # 省委第六巡视组 of 2023 (铁东区) is another round than that of 2019
    assert all("铁东区" not in r["inspected"] for r in got)
    assert [r["team_name"] for r in rows(store, "units-by-same-team", unit="省商务厅")] == ["省委第八巡视组"]


def test_provenance_by_label_alias_or_node(store, seed_build) -> None:
    by_label = rows(store, "provenance", label="宋彦麟")
    assert by_label and {r["name"] for r in by_label} == {"宋彦麟"}
    assert "宋彦麟" in {r["surface"] for r in by_label}
    for r in by_label:
        with open(SEEDS / r["source_file"], encoding="utf-8", newline="") as f:  # as the build reads it
            text = f.read()
        assert text[int(r["start"]):int(r["end"])] == r["surface"]
        assert r["surface"] in r["sentence"]
        assert r["report"].startswith(kgstore.PREFIX_MAP["xsr"] + "report/")
    node = {r["name"]: r for r in by_label}["宋彦麟"]
    key = sorted((r["report"], r["start"]) for r in by_label)
    iri = rows(store, "provenance", node="xsr:person/f3f442d9b7e4d02b")
    assert sorted((r["report"], r["start"]) for r in iri) == key  # the same mentions, each once
    assert sorted((r["report"], r["start"]) for r in rows(store, "provenance", label="彦麟")) == key
    assert node["source_file"] == "000_27b93d8875c74f18.txt"


def test_unit_profile(store) -> None:
    got = {(r["aspect"], r["value"], r["detail"]) for r in rows(store, "unit-profile", unit="省商务厅")}
    assert ("被巡视 inspected by", "省委第八巡视组", "2019-10-25 → 2020-03-11") in got
    assert ("人员 person", "宋彦麟", "厅长") in got
    assert ("别名 alias", "省商务厅", None) in got
    assert {r["name"] for r in rows(store, "unit-profile", unit="辽宁省商务厅")} == {"辽宁省商务厅"}


# -- parameters ----------------------------------------------------------------------------------

def test_values_are_bound_not_pasted(store) -> None:
    hostile = '宋彦麟"@zh } UNION { ?node ?p ?label } #'
    assert rows(store, "provenance", label=hostile) == []


@pytest.mark.parametrize(("name", "params", "message"), [
    ("open-problems", {"as_of": "2020-13-01"}, "is not a date"),
    ("open-problems", {"as_of": "20201231"}, "is not a date"),
    ("open-problems", {"colour": "red"}, "has no parameter 'colour'"),
    ("unit-profile", {}, "needs --param unit="),
    ("provenance", {}, "at least one of"),
    ("provenance", {"node": "not an iri"}, "is not an IRI"),
    ("most-cited-documents", {"min_reports": "many"}, "is not an integer"),
    ("inspections-by-unit", {"unit": " "}, "empty value"),
    ("no-such-question", {}, "no canned query named"),
])
def test_parameter_errors(store, name: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(queries.QueryError, match=message):
        queries.run(store, name, params)


def test_iri_forms_and_defaults() -> None:
    q = queries.get("provenance")
    full = kgstore.PREFIX_MAP["xsr"] + "person/x"
    for given in ("xsr:person/x", f"<{full}>", full):
        assert q.bind({"node": given})["node"].value == full
    assert queries.get("most-cited-documents").bind({})["min_reports"].value == "2"


def test_user_folder_adds_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store) -> None:
    (tmp_path / "report-count.rq").write_text(
        "# 标题: 通报数\n# title: Number of reports\n# How many reports.\n"
        "SELECT (COUNT(?r) AS ?n) WHERE { ?r a xs:Report }\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    monkeypatch.setenv("KG_QUERIES", str(tmp_path))
    assert "report-count" in {q.name for q in queries.list_queries()}
    assert queries.run(store, "report-count").rows == [["16"]]
    (tmp_path / "bad-header.rq").write_text("# param x: colour, optional — ?\nSELECT * {}\n", encoding="utf-8")
    with pytest.raises(queries.QueryDefinitionError, match="bad parameter line"):
        queries.get("bad-header")


# -- the command ---------------------------------------------------------------------------------

def test_cli_list_shows_every_question() -> None:
    res = kg("query", "--list")
    assert res.exit_code == 0
    for q in queries.list_queries():
        assert q.name in res.output and q.title_en in res.output
    assert "as_of (date, optional)" in res.output


def test_cli_runs_by_name_with_params(seed_build) -> None:
    out, _ = seed_build
    res = kg("query", "inspections-by-unit", "--param", "unit=省商务厅", "--store", str(out / "store"),
             "--format", "csv")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "inspected_unit,team_name,start,feedback,types,report"
    assert lines[1].startswith("辽宁省商务厅,省委第八巡视组,2019-10-25,2020-03-11,机动巡视,")
    res = kg("query", "open-problems", "-p", "as_of=2020-12-31", "-p", "unit=省体育局", "--store",
             str(out / "store"), "--format", "csv")
    assert res.exit_code == 0 and "其他应收款长期不清理存在流失风险" in res.stdout


def test_cli_file_with_declared_params_and_plain_sparql_still_work(seed_build, tmp_path: Path) -> None:
    out, _ = seed_build
    rq = tmp_path / "mine.rq"
    rq.write_text("# param who: literal@zh, required — 名 | name\n"
                  "SELECT ?post ?who WHERE { ?p rdfs:label ?who ; org:holds/rdfs:label ?post } ORDER BY ?post\n",
                  encoding="utf-8")
    res = kg("query", "-f", str(rq), "-p", "who=宋彦麟", "--store", str(out / "store"), "--format", "csv")
    assert res.exit_code == 0, res.output
    assert "厅长" in res.stdout.splitlines() and "who" not in res.stdout.splitlines()[0]
    res = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?r a xs:Report }", "--store", str(out / "store"),
             "--format", "csv")
    assert res.exit_code == 0 and res.stdout.splitlines()[1] == "16"


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-question"], "no canned query named 'no-such-question'"),
    (["unit-profile"], "needs --param unit="),
    (["open-problems", "--param", "as_of=31/12/2020"], "is not a date"),
    (["open-problems", "--param", "unit"], "expected KEY=VALUE"),
    (["open-problems", "--param", "team=x"], "has no parameter 'team'"),
    (["SELECT * WHERE { ?s ?p ?o }", "--param", "unit=x"], "--param needs a canned question"),
])
def test_cli_errors_are_one_line_exit_2(seed_build, args: list[str], message: str) -> None:
    out, _ = seed_build
    res = kg("query", *args, "--store", str(out / "store"))
    assert res.exit_code == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output


def test_the_order_header_sorts_numbers_as_numbers_and_names_only_real_columns() -> None:
    text = "# title: t\n# order: -n, name\nSELECT ?name ?n WHERE { VALUES (?name ?n) { ('b' 9) ('a' 10) ('c' 9) } }"
    canned = queries.parse(text, "t")
    assert canned.order == (("n", True), ("name", False))
    result = queries.run(ox.Store(), canned)  # an empty store: the rows come from VALUES
    assert result.rows == [["a", "10"], ["b", "9"], ["c", "9"]]  # 10 > 9, though "10" < "9" as text
    with pytest.raises(queries.QueryDefinitionError, match="order names columns"):
        queries.parse(text.replace("-n,", "-count,"), "t")
