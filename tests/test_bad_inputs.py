"""Bad input: every file that cannot be built is skipped with a one-line reason, the build goes on with
the rest, the exit code says so, --strict writes nothing, and no file name makes the build write outside
--out or two files' pages overwrite each other."""
from __future__ import annotations

import re

import inspect
import os
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg.build as kg_build
import kg.write
from kg.store import query
from kg.build import MAX_REPORT_CHARS, NO_INSPECTION, OUTPUTS, StrictBuildError, build_corpus, extract
from kg.cache import ExtractionCache
from kg.cli import app

GOOD = (
    "中共辽宁省商务厅党组关于巡视整改进展情况的通报\n"
    "根据省委统一部署，2019年10月25日至12月31日，省委第八巡视组对省商务厅党组进行了巡视。"
    "2020年1月10日，省委第八巡视组向省商务厅党组反馈了巡视意见。\n"
    "一、关于学习贯彻不深入的问题\n"
    "整改情况：厅党组制定了《省商务厅党组理论学习中心组学习制度》，党组书记宋彦麟任组长。\n"
    "整改进展情况：已完成。\n"
    "中共辽宁省商务厅党组\n"
    "2020年6月30日\n"
)
ESSAY = "今天天气很好，我们去公园散步。\n这是一篇随笔，不是整改报告。\n"
STRICT_WIRED = "strict" in inspect.signature(build_corpus).parameters
needs_strict = pytest.mark.skipif(not STRICT_WIRED, reason="build_corpus(strict=) not wired to extract(strict=) yet")


def run_kg(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _unreadable(folder: Path) -> Path | None:
    """A ``.txt`` file in ``folder`` that reading fails on, or None where none can be made. chmod 000 does
    not stop root, so root gets a link to /proc/self/mem: a regular file whose first bytes give EIO."""
    path = folder / "locked.txt"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if not Path("/proc/self/mem").is_file():
            return None
        path.symlink_to("/proc/self/mem")
    else:
        path.write_text(GOOD, encoding="utf-8")
        path.chmod(0)
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "目录 空格").mkdir(parents=True)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "目录 空格" / "a b 中文.txt").write_text(GOOD.replace("第八", "第九"), encoding="utf-8")
    (folder / "unbalanced.txt").write_text(GOOD.replace("制定了《", "制定了《《").replace("学习制度》", "学习制度"),
                                           encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\u3000\n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "essay.txt").write_text(ESSAY, encoding="utf-8")
    return folder


GOOD_FILES = {"good.txt", "a b 中文.txt", "unbalanced.txt"}
REASONS = {"empty.txt": "empty file", "blank.txt": "empty file", "binary.txt": "binary file",
           "essay.txt": NO_INSPECTION, "locked.txt": "cannot read"}


def _skipped(summary) -> dict[str, str]:
    return {Path(file).name: reason for file, reason in summary.skipped}


def test_each_bad_file_is_skipped_with_a_one_line_reason_and_the_rest_is_built(corpus: Path, tmp_path: Path) -> None:
    locked = _unreadable(corpus)
    summary = build_corpus([corpus], tmp_path / "out", progress=False)
    skipped = _skipped(summary)
    expected = {name: why for name, why in REASONS.items() if name != "locked.txt" or locked is not None}
    assert set(skipped) == set(expected)
    for name, why in expected.items():
        assert skipped[name].startswith(why), (name, skipped[name])
        assert "\n" not in skipped[name] and len(skipped[name]) < 300
    assert summary.files == len(GOOD_FILES) and summary.reports == len(GOOD_FILES)
    pages = sorted(p.name for p in (tmp_path / "out" / "reports").iterdir())
    assert pages == sorted(["good-1.html", "a_b_%E4%B8%AD%E6%96%87-1.html", "unbalanced-1.html"])


def test_an_unbalanced_title_mark_does_not_swallow_the_rest_of_the_report(corpus: Path) -> None:
    reports = extract([corpus / "unbalanced.txt"])
    assert len(reports) == 1
    docs = [t.label for t in reports[0].things_of("Document")]
    assert all(len(label) < 60 and "整改进展" not in label for label in docs), docs


def test_not_regular_files_are_refused_without_being_read(tmp_path: Path) -> None:
    """A FIFO would block the read for ever; a folder or a broken link named .txt cannot be read."""
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    paths = [tmp_path / "folder.txt", tmp_path / "broken.txt"]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.txt")
        paths.append(tmp_path / "fifo.txt")
    summary = kg_build.BuildSummary()
    assert extract(paths, summary=summary) == []
    skipped = _skipped(summary)
    assert skipped["broken.txt"] == "broken symbolic link"
    assert skipped["folder.txt"].startswith("not a regular file")
    if "fifo.txt" in skipped:
        assert skipped["fifo.txt"].startswith("not a regular file")


def test_an_extractor_that_fails_on_one_file_costs_only_that_file(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = kg_build.split_reports

    def split(source):
        if source.path.name == "good.txt":
            raise RuntimeError("boom\non two lines")
        return real(source)

    monkeypatch.setattr(kg_build, "split_reports", split)
    summary = kg_build.BuildSummary()
    reports = extract([corpus / "good.txt", corpus / "unbalanced.txt"], summary=summary)
    assert len(reports) == 1 and summary.files == 1
    assert _skipped(summary)["good.txt"].startswith("extraction failed (RuntimeError: boom on two lines)")


def test_names_that_would_share_iris_or_pages_are_named_apart(tmp_path: Path) -> None:
    for rel in ("x/dup.txt", "y/dup.txt", "a b.txt", "a_b.txt", "Case.txt", "case.txt"):
        (tmp_path / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / rel).write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    summary = build_corpus([tmp_path / "in"], out, progress=False)
    assert summary.skipped == [] and summary.files == summary.reports == summary.report_pages == 6
    reports = query(out / "store", "SELECT ?r ?file WHERE { ?r a xs:Report ; xs:sourceFile ?file }").rows
    assert len({r for r, _ in reports}) == 6 and sorted(f for _, f in reports) == sorted(
        ["dup.txt", "dup.txt", "a b.txt", "a_b.txt", "Case.txt", "case.txt"])
    pages = sorted(p.name for p in (out / "reports").iterdir())
    assert len({p.casefold() for p in pages}) == 6  # distinct even on a case-insensitive file system
    # discover's order: the first file keeps its name, the next gets its stem and a hash of its path
    assert "dup-1.html" in pages and "a_b-1.html" in pages and "Case-1.html" in pages
    assert sum(p.startswith("dup-") for p in pages) == 2 and any(re.fullmatch(r"a_b-[0-9a-f]{8}-1\.html", p) for p in pages)
    # each file's report-scoped things are its own: one inspection per file, not one shared by namesakes
    inspections = query(out / "store", "SELECT DISTINCT ?i WHERE { ?r xs:reportsOn ?i }").rows
    assert len(inspections) == 6
    again = build_corpus([tmp_path / "in"], tmp_path / "again", progress=False)
    assert again.files == 6
    assert (tmp_path / "again/graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()  # named alike every time


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_no_file_name_makes_the_build_write_outside_out(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "sub").mkdir(parents=True)
    names = ["CON.txt", "a b 中文.txt", "x" * 200 + ".txt", "长" * 80 + ".txt", "..txt", "...txt", "-rf.txt",
             "a%2F..%2Fb.txt", "back\\slash.txt", ".hidden.txt", "<script>.txt"]
    for i, name in enumerate(names):
        (inputs / name).write_text(GOOD.replace("第八", f"第{'一二三四五六七八九十'[i % 10]}"), encoding="utf-8")
    evil = inputs / "sub" / ".." / "evil.txt"  # a path through a subfolder and back
    evil.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "deep" / "out"
    before = _files(tmp_path)
    summary = build_corpus([inputs, evil], out, progress=False)
    assert summary.skipped == []
    assert summary.files == summary.reports == summary.report_pages == len(names) + 1
    new = _files(tmp_path) - before
    assert new and all(p == out.parent or out in p.parents or p == out for p in new), sorted(new - {out})
    pages = list((out / "reports").iterdir())
    assert len(pages) == len(names) + 1
    assert all(p.parent == out / "reports" and len(p.name.encode()) <= 255 for p in pages)


def test_a_two_megabyte_single_line_is_refused_quickly(tmp_path: Path) -> None:
    body = GOOD.replace("\n", "")
    line = (body * (2_000_000 // len(body) + 1))[:2_000_000]
    (tmp_path / "line.txt").write_text(line, encoding="utf-8")
    started = time.perf_counter()
    summary = kg_build.BuildSummary()
    assert extract([tmp_path / "line.txt"], summary=summary) == []
    assert time.perf_counter() - started < 20
    (reason,) = _skipped(summary).values()
    assert reason.startswith(f"a report of 2,000,000 characters, over the limit of {MAX_REPORT_CHARS:,}")


def test_a_long_single_line_under_the_limit_is_built_in_time(tmp_path: Path) -> None:
    body = GOOD.replace("\n", "")
    (tmp_path / "line.txt").write_text(body * (200_000 // len(body)), encoding="utf-8")
    started = time.perf_counter()
    summary = kg_build.BuildSummary()
    reports = extract([tmp_path / "line.txt"], summary=summary)
    assert summary.skipped == [] and len(reports) == 1
    assert time.perf_counter() - started < 20


def test_strict_extraction_tries_every_file_then_raises_and_caches_nothing(corpus: Path, tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache", "fingerprint")
    with pytest.raises(StrictBuildError) as raised:
        extract(sorted(corpus.rglob("*.txt")), cache=cache, strict=True)
    assert {Path(f).name for f, _ in raised.value.skipped} == {"empty.txt", "blank.txt", "binary.txt", "essay.txt"}
    assert not (tmp_path / "cache").exists()


# -- the command --------------------------------------------------------------------------------------

def test_cli_exit_code_says_whether_anything_was_skipped(corpus: Path, tmp_path: Path) -> None:
    r = run_kg("build", str(corpus / "good.txt"), "--out", str(tmp_path / "ok"))
    assert r.exit_code == 0, r.output
    assert "skipped" not in r.output
    r = run_kg("build", str(corpus), "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("skipped ")]
    assert sorted(Path(ln.split(": ", 1)[0].removeprefix("skipped ")).name for ln in lines) == sorted(
        ["empty.txt", "blank.txt", "binary.txt", "essay.txt"])
    assert f"skipped {corpus / 'essay.txt'}: {NO_INSPECTION}" in lines
    assert "skipped files" in r.stdout
    assert (tmp_path / "out" / "reports" / "good-1.html").is_file()  # the rest was built


@needs_strict
def test_cli_strict_fails_before_writing_anything(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_kg("build", str(corpus), "--out", str(out), "--strict")
    assert r.exit_code == 1
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["in"]
    assert "--strict: 4 file(s) could not be built; nothing was written" in r.stderr
    assert f"skipped {corpus / 'empty.txt'}: empty file" in r.stderr.splitlines()
    # over an earlier build: untouched
    r = run_kg("build", str(corpus / "good.txt"), "--out", str(out))
    assert r.exit_code == 0, r.output
    before = {p: p.stat().st_mtime_ns for p in _files(out)}
    r = run_kg("build", str(corpus), "--out", str(out), "--strict")
    assert r.exit_code == 1
    assert {p: p.stat().st_mtime_ns for p in _files(out)} == before
    r = run_kg("build", str(corpus / "good.txt"), "--out", str(out), "--strict")
    assert r.exit_code == 0, r.output


# -- failures midway ----------------------------------------------------------------------------------

def _snapshot(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in _files(out) if "cache" not in p.relative_to(out).parts}


def test_ctrl_c_during_extraction_leaves_the_last_build_intact(corpus: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_corpus([corpus / "good.txt"], out, progress=False)
    before = _snapshot(out)
    real = kg_build.split_reports
    calls = []

    def split(source):
        calls.append(source.path.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(source)

    monkeypatch.setattr(kg_build, "split_reports", split)
    with pytest.raises(KeyboardInterrupt):
        build_corpus([corpus, corpus / "good.txt"], out, progress=False, rebuild=True)
    assert len(calls) == 2
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failure_after_extraction_leaves_the_last_build_intact(corpus: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_corpus([corpus / "good.txt"], out, progress=False)
    before = _snapshot(out)
    assert set(OUTPUTS) - {"text"} <= {p.name for p in out.iterdir()}  # text/: only for HTML, DOCX, PDF

    def broken(*args, **kwargs):
        raise MemoryError("out of memory while writing")

    monkeypatch.setattr(kg.write, "TurtleWriter", broken)
    with pytest.raises(MemoryError):
        build_corpus([corpus], out, progress=False)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
def test_a_path_with_spaces_and_chinese_builds_from_the_command_line(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "输出 目录"
    r = run_kg("build", str(corpus / "目录 空格"), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "reports" / "a_b_%E4%B8%AD%E6%96%87-1.html").is_file()
