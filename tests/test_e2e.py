"""The seed corpus end to end: build it, then ask the questions a user would."""
from __future__ import annotations

import os
import subprocess
import sys

from rdflib import Graph

from kg.store import query
from kg.vocab import sparql_prefixes
from conftest import SEEDS

UNIT = "{ ?u rdfs:label '省商务厅'@zh } UNION { ?u skos:altLabel '省商务厅'@zh }"


def ask(out, sparql):
    return query(out / "store", sparql)


def test_build_writes_every_output_and_counts_the_reports(seed_build):
    out, summary = seed_build
    assert (out / "graph.ttl").stat().st_size > 0
    assert (out / "graph.html").read_text(encoding="utf-8").count("<html") == 1
    assert (out / "store").is_dir()
    assert summary.files == 3 and summary.reports == 16  # 000 holds 14 reports
    assert summary.skipped == []
    assert summary.per_class["Inspection"] == 16


def test_which_team_inspected_the_commerce_department_and_when(seed_build):
    out, _ = seed_build
    res = ask(out, f"SELECT DISTINCT ?team ?start ?feedback WHERE {{ {UNIT} ?i xs:inspectedUnit ?u ; "
                   "xs:team/rdfs:label ?team ; xs:startDate ?start ; xs:feedbackDate ?feedback }")
    assert res.rows == [["省委第八巡视组", "2019-10-25", "2020-03-11"]]


def test_how_many_of_its_problems_are_still_in_progress(seed_build):
    out, _ = seed_build
    res = ask(out, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {UNIT} ?i xs:inspectedUnit ?u . "
                   "?r xs:reportsOn ?i . ?p xs:report ?r ; xs:status xs:InProgress }")
    assert res.rows == [["3"]]


def test_the_person_leading_the_work_holds_his_posts(seed_build):
    out, _ = seed_build
    res = ask(out, "SELECT ?title WHERE { ?p a xs:Person ; rdfs:label '宋彦麟'@zh ; org:holds/rdfs:label ?title }")
    titles = {row[0] for row in res.rows}
    assert {"党组书记", "厅长"} <= titles


def test_every_mention_slices_the_source_to_its_surface(seed_build):
    out, _ = seed_build
    g = Graph().parse(out / "graph.ttl")
    texts = {p.name: open(p, encoding="utf-8", newline="").read() for p in SEEDS.glob("*.txt")}
    rows = g.query(sparql_prefixes() + """
        SELECT ?file ?start ?end ?surface ?label WHERE {
          ?thing xs:mention ?m ; rdfs:label ?label .
          ?m xs:start ?start ; xs:end ?end ; xs:surface ?surface ; xs:inReport/xs:sourceFile ?file }""")
    checked = 0
    for file, start, end, surface, _ in rows:
        assert texts[str(file)][int(start):int(end)] == str(surface)
        checked += 1
    assert checked > 1000


def test_every_kind_in_the_vocabulary_is_extracted(seed_build):
    _, summary = seed_build
    for cls in ("Report", "Inspection", "Unit", "InspectionTeam", "Person", "Post", "Document", "Program",
                "Deadline", "Problem", "Mention"):
        assert summary.per_class.get(cls, 0) > 0, cls


def test_two_builds_write_the_same_turtle_byte_for_byte(seed_build, tmp_path):
    """Another process, another hash seed (set iteration order), no cache: the same graph.ttl."""
    out, _ = seed_build
    script = ("import sys; from pathlib import Path; from kg.build import build_corpus; "
              "build_corpus([Path(sys.argv[1])], Path(sys.argv[2]), progress=False)")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(SEEDS), str(tmp_path / "again")], env=env, check=True)
    assert (tmp_path / "again" / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()
