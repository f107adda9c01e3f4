"""The build's writing stage on a handmade report: outputs appear together or not at all."""
from __future__ import annotations

from pathlib import Path

import pytest

import kg.build
from kg.build import OUTPUTS, build_corpus
from kg.store import query

REPORT = (
    "中共辽宁省商务厅党组关于巡视整改进展情况的通报\n"
    "根据省委统一部署，2019年10月25日至12月31日，省委第八巡视组对省商务厅党组进行了巡视。"
    "2020年3月11日，省委第八巡视组向省商务厅党组反馈了巡视意见。\n"
    "一、关于学习贯彻不深入的问题\n"
    "整改情况：厅党组制定了《省商务厅党组理论学习中心组学习制度》。\n"
    "整改进展情况：已完成。\n"
    "中共辽宁省商务厅党组\n"
    "2020年6月30日\n"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "report.txt").write_text(REPORT, encoding="utf-8")
    return tmp_path / "in"


def test_build_writes_every_output_and_times_each_stage(corpus: Path, tmp_path: Path) -> None:
    summary = build_corpus([corpus], tmp_path / "out", progress=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(OUTPUTS)
    assert list(summary.stages) == ["read, split, extract", "resolve", "map to RDF", "write (Turtle, store, HTML)"]
    assert all(secs >= 0 for secs in summary.stages.values())
    assert sum(summary.stages.values()) <= summary.seconds
    result = query(tmp_path / "out" / "store", "SELECT ?t WHERE { ?d a xs:Document ; rdfs:label ?t }")
    titles = {title for title, in result.rows}
    assert "省商务厅党组理论学习中心组学习制度" in titles


def test_a_store_that_fails_while_the_html_is_written_leaves_the_last_build_intact(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_corpus([corpus], out, progress=False)
    before = {name: (out / name).stat().st_mtime_ns for name in OUTPUTS}

    def broken_save(quads, store_dir):
        raise OSError("disk full")

    monkeypatch.setattr(kg.build, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        build_corpus([corpus], out, progress=False)
    assert {name: (out / name).stat().st_mtime_ns for name in OUTPUTS} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind
