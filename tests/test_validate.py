"""SHACL validation: the seed build is well-formed, and handmade graphs that break a rule are caught with
the rule's path and message; `kg validate` exits 0, 1 or 2."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from kg.cli import app
from kg.validate import (SHAPES_TTL, ValidationInputError, read_quads, start_validation, validate,
                         validate_triples)

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})

ENGINES = [
    "pyshacl",
    pytest.param("turbo", marks=pytest.mark.skipif(importlib.util.find_spec("pyshacl_turbo") is None,
                                                   reason="pyshacl-turbo is not installed")),
]

PREFIXES = """
@prefix xs:   <https://w3id.org/xunshi-kg/ontology#> .
@prefix xsr:  <https://w3id.org/xunshi-kg/resource/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""

SENTENCE = "省委第八巡视组对省商务厅党组进行了巡视，要求2020年12月底前完成整改。"


def mention(name: str, surface: str, *, start: int | None = None, end: int | None = None) -> str:
    """A mention of ``surface`` in SENTENCE (offsets computed unless given), in report r-1."""
    at = SENTENCE.index(surface)
    start = at if start is None else start
    end = at + len(surface) if end is None else end
    return (f'xsr:mention-{name} a xs:Mention ; xs:inReport xsr:report-r-1 ; xs:start {start} ; xs:end {end} ; '
            f'xs:surface "{surface}" ; xs:sentence "{SENTENCE}" .\n')


def graph(*, team: str = "xs:team xsr:unit-team ;", due: str = '"2020-12"^^xsd:gYearMonth',
          status: str = "xs:Completed", unit_label: str = 'rdfs:label "省商务厅"@zh ;',
          team_mention: str = "", holds: str = "xsr:post-p") -> str:
    """A small well-formed graph; each keyword replaces one part of it with a broken one."""
    return PREFIXES + f"""
xsr:report-r-1 a xs:Report ; xs:sourceFile "r.txt" ; rdfs:label "r.txt 第1篇"@zh ;
    xs:reportsOn xsr:inspection-i .
xsr:inspection-i a xs:Inspection ; rdfs:label "省委第八巡视组巡视省商务厅"@zh ; {team}
    xs:inspectedUnit xsr:unit-u ; xs:startDate "2019-10-25"^^xsd:date ; xs:mention xsr:mention-i .
xsr:unit-team a xs:InspectionTeam , xs:Unit ; rdfs:label "省委第八巡视组"@zh ; xs:mention xsr:mention-team .
xsr:unit-u a xs:Unit ; {unit_label} skos:altLabel "商务厅"@zh ; xs:mention xsr:mention-u .
xsr:person-a a xs:Person ; rdfs:label "宋彦麟"@zh ; org:holds {holds} ; xs:mention xsr:mention-u .
xsr:post-p a xs:Post ; rdfs:label "厅长"@zh ; org:postIn xsr:unit-u ; xs:mention xsr:mention-u .
xsr:problem-p a xs:Problem ; rdfs:label "整改"@zh ; xs:report xsr:report-r-1 ; xs:status {status} ;
    xs:longTerm false ; xs:deadline xsr:deadline-d ; xs:mention xsr:mention-p .
xsr:deadline-d a xs:Deadline ; rdfs:label "2020年12月底前"@zh ; xs:dueDate {due} ; xs:mention xsr:mention-d .
""" + mention("i", "巡视") + (team_mention or mention("team", "省委第八巡视组")) + mention("u", "省商务厅") \
        + mention("p", "整改") + mention("d", "2020年12月底前")


def check(turtle: str, engine: str):
    g = rdflib.Graph()
    g.parse(data=turtle, format="turtle")
    return validate(g, engine=engine)


def rules(result) -> set[tuple[str, str | None]]:
    return {(v.shape, v.path) for v in result.violations}


# -- handmade graphs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_the_well_formed_handmade_graph_conforms(engine: str) -> None:
    result = check(graph(), engine)
    assert result.violations == [] and result.conforms and result.count == 0
    assert result.engine == engine and result.triples > 50


@pytest.mark.parametrize("engine", ENGINES)
def test_a_mention_whose_start_is_not_before_its_end(engine: str) -> None:
    result = check(graph(team_mention=mention("team", "省委第八巡视组", start=7, end=7)), engine)
    assert not result.conforms
    # start < end fails on xs:start; the surface (7 characters) is no longer end − start long either
    assert rules(result) == {("xsh:MentionShape", "xs:start"), ("xsh:MentionSpanShape", "xs:surface")}
    bad = next(v for v in result.violations if v.path == "xs:start")
    assert bad.focus.endswith("resource/mention-team")
    assert "less than its xs:end" in bad.message and "xs:start" in bad.message_zh
    assert bad.label == "省委第八巡视组" and bad.severity == "Violation"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_surface_that_does_not_fit_its_offsets(engine: str) -> None:
    result = check(graph(team_mention=mention("team", "省委第八巡视组", end=20)), engine)
    assert rules(result) == {("xsh:MentionSpanShape", "xs:surface")}
    assert "end − start" in result.violations[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_an_inspection_without_a_team(engine: str) -> None:
    result = check(graph(team=""), engine)
    assert rules(result) == {("xsh:InspectionShape", "xs:team")}
    (v,) = result.violations
    assert v.focus.endswith("resource/inspection-i") and v.label == "省委第八巡视组巡视省商务厅"
    assert v.message == "An inspection has exactly one xs:team, an xs:InspectionTeam"
    assert v.message_zh.startswith("巡视须有且仅有一个巡视组")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_team_that_is_not_an_inspection_team(engine: str) -> None:
    result = check(graph(team="xs:team xsr:unit-u ;"), engine)
    assert rules(result) == {("xsh:InspectionShape", "xs:team")}
    assert result.violations[0].value == "xsr:unit-u"  # IRIs in values and paths are compacted


@pytest.mark.parametrize("engine", ENGINES)
def test_a_due_date_typed_as_a_plain_string(engine: str) -> None:
    result = check(graph(due='"2020-12"'), engine)
    assert rules(result) == {("xsh:DeadlineShape", "xs:dueDate")}
    (v,) = result.violations
    assert v.value == "2020-12" and "xsd:gYearMonth" in v.message


@pytest.mark.parametrize("engine", ENGINES)
def test_a_status_outside_the_two_values(engine: str) -> None:
    result = check(graph(status="xs:Cancelled"), engine)
    assert rules(result) == {("xsh:ProblemShape", "xs:status")}
    assert result.violations[0].value == "xs:Cancelled"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_thing_without_a_label_or_with_an_untagged_one(engine: str) -> None:
    missing = check(graph(unit_label=""), engine)
    assert rules(missing) == {("xsh:ThingShape", "rdfs:label")}
    assert missing.violations[0].label == "省商务厅"  # no rdfs:label: named by its mention's surface instead
    untagged = check(graph(unit_label='rdfs:label "省商务厅" ;'), engine)
    assert rules(untagged) == {("xsh:ThingShape", "rdfs:label")}
    assert "(@zh)" in untagged.violations[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_a_relation_pointing_at_the_wrong_kind(engine: str) -> None:
    result = check(graph(holds="xsr:unit-u"), engine)
    assert rules(result) == {("xsh:HoldsShape", "org:holds")}


def test_the_same_graph_as_triples_as_a_file_and_as_rdflib_gives_the_same_violations(tmp_path: Path) -> None:
    ttl = tmp_path / "g.ttl"
    ttl.write_text(graph(status="xs:Cancelled", team=""), encoding="utf-8")
    g = rdflib.Graph().parse(ttl)
    ds = rdflib.Dataset()
    for t in g:
        ds.graph(rdflib.URIRef("urn:g:" + str(hash(t[0]) % 3))).add(t)  # spread over named graphs
    results = [validate(ttl), validate(g), validate_triples(read_quads(ttl)), validate(ds)]
    assert all(r.violations == results[0].violations for r in results)
    assert rules(results[0]) == {("xsh:ProblemShape", "xs:status"), ("xsh:InspectionShape", "xs:team")}


@pytest.mark.parametrize("engine", ENGINES)
def test_validation_started_in_the_background_gives_the_same_result(engine: str) -> None:
    import pyoxigraph as ox

    quads = list(ox.parse(graph(team="").encode("utf-8"), format=ox.RdfFormat.TURTLE))
    future = start_validation(quads, engine=engine)  # a thread (turbo) or a separate process (pySHACL)
    assert future.result(timeout=120).violations == validate_triples(quads, engine=engine).violations
    assert rules(future.result()) == {("xsh:InspectionShape", "xs:team")}


@pytest.mark.parametrize("engine", ENGINES)
def test_validation_of_n_triples_bytes_is_the_validation_of_their_triples(engine: str) -> None:
    """The build hands its N-Triples on as they are; with mention details in them, the structure check
    still leaves those out."""
    import pyoxigraph as ox

    broken = graph(team="", team_mention=mention("team", "省委第八巡视组", start=5, end=5))
    triples = list(ox.parse(broken.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    for structure_only in (False, True):
        expected = start_validation(triples, engine=engine, structure_only=structure_only).result(timeout=120)
        got = start_validation(nt, engine=engine, structure_only=structure_only).result(timeout=120)
        assert got.violations == expected.violations and got.triples == expected.triples
        assert got.violations and all(v.label for v in got.violations)  # named from the data, as before
    structure = [t for t in triples if t.predicate.value.rsplit("#", 1)[-1] not in
                 ("start", "end", "surface", "sentence", "inReport")]
    nt = ox.serialize(structure, format=ox.RdfFormat.N_TRIPLES)  # what the build sends: no details in it
    got = start_validation(nt, engine=engine, structure_only=True).result(timeout=120)
    assert rules(got) == {("xsh:InspectionShape", "xs:team")} and got.triples == len(structure)


def test_unreadable_input_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(ValidationInputError, match="cannot read"):
        validate(bad)
    with pytest.raises(ValidationInputError, match="shapes file"):
        validate(rdflib.Graph(), shapes=bad)
    with pytest.raises(ValidationInputError, match="no such file"):
        validate(tmp_path / "missing.ttl")


# -- the seed build ------------------------------------------------------------------------------------

def test_the_seed_build_conforms(seed_build) -> None:
    out, summary = seed_build
    from_store = read_quads(out / "store")
    from_turtle = read_quads(out / "graph.ttl")
    # the store's data graphs (ontology left out) and graph.ttl hold the same triples
    assert {q.triple for q in from_store} == {q.triple for q in from_turtle}
    result = validate_triples(from_store)
    assert result.violations == [] and result.conforms
    assert result.triples == len(from_turtle) > 10_000


# -- kg validate ---------------------------------------------------------------------------------------

def kg(*args: str):
    return runner.invoke(app, ["validate", *args], prog_name="kg")


def test_cli_exit_0_when_the_graph_conforms(tmp_path: Path) -> None:
    ttl = tmp_path / "ok.ttl"
    ttl.write_text(graph(), encoding="utf-8")
    r = kg(str(ttl))
    assert r.exit_code == 0, r.output
    assert "conforms: no violations" in r.output


def test_cli_exit_1_lists_each_violation_with_its_label_path_and_message(tmp_path: Path) -> None:
    ttl = tmp_path / "bad.ttl"
    ttl.write_text(graph(team="", status="xs:Cancelled"), encoding="utf-8")
    r = kg(str(ttl))
    assert r.exit_code == 1, r.output
    assert "省委第八巡视组巡视省商务厅" in r.output and "xs:team" in r.output and "xs:status" in r.output
    assert "巡视须有且仅有一个巡视组" in r.output and "2 violation(s)" in r.output
    r = kg(str(ttl), "--format", "json", "--limit", "1")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["conforms"] is False and data["count"] == 2 and len(data["violations"]) == 1
    assert set(data["violations"][0]) >= {"focus", "path", "message", "severity", "shape", "label"}
    r = kg(str(ttl), "--format", "json", "--engine", "pyshacl")
    assert r.exit_code == 1 and json.loads(r.stdout)["engine"] == "pyshacl"
    assert json.loads(r.stdout)["count"] == 2


def test_cli_exit_2_for_what_cannot_be_read(tmp_path: Path) -> None:
    r = kg("--store", str(tmp_path / "nowhere"))
    assert r.exit_code == 2 and "kg build" in r.output and "Traceback" not in r.output
    ttl = tmp_path / "ok.ttl"
    ttl.write_text(graph(), encoding="utf-8")
    r = kg(str(ttl), "--shapes", str(tmp_path / "missing-shapes.ttl"))
    assert r.exit_code == 2 and "shapes file" in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = kg(str(ttl), "--shapes", str(ttl))  # RDF, but no shapes in it
    assert r.exit_code == 2 and "declares no SHACL shapes" in r.output


def test_the_shapes_file_is_shipped_and_documents_every_shape() -> None:
    g = rdflib.Graph().parse(SHAPES_TTL)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    named = {s for s in g.subjects(rdflib.RDF.type, sh.NodeShape) if isinstance(s, rdflib.URIRef)}
    assert len(named) >= 15
    for shape in named:
        langs = {lit.language for lit in g.objects(shape, rdflib.RDFS.label)}
        assert langs == {"en", "zh"}, shape
    for prop in g.objects(None, sh.property):  # every rule speaks both languages
        langs = {lit.language for lit in g.objects(prop, sh.message)}
        assert langs == {"en", "zh"}, list(g.objects(prop, sh.path))


@pytest.mark.parametrize("engine", ENGINES)
def test_the_builds_structure_check_skips_only_the_per_mention_rules(engine: str) -> None:
    import pyoxigraph as ox

    broken = graph(team="", team_mention=mention("team", "省委第八巡视组", start=5, end=5))
    quads = list(ox.parse(broken.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    full = start_validation(quads, engine=engine).result(timeout=120)
    structure = start_validation(quads, engine=engine, structure_only=True).result(timeout=120)
    assert ("xsh:InspectionShape", "xs:team") in rules(full) & rules(structure)
    assert ("xsh:MentionShape", "xs:start") in rules(full)
    assert {shape for shape, _ in rules(structure)} == {"xsh:InspectionShape"}
