"""Where extraction runs (kg/engines.py): worker processes and a Dask cluster give the graph one process gives."""
from __future__ import annotations

import multiprocessing
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import BuildSummary, build_corpus, extract
from kg.cli import app
from kg.engines import EngineError, ExtractionFailed, InProcess, ProcessPool, engine_for, extract_pickled
from kg.pipeline import Pipeline, component
from kg.split import split_reports
from kg.model import Source

from conftest import SEEDS

SMALL_SEEDS = sorted(SEEDS.glob("00[13]_*.txt"))  # the two short seeds: a report each, a few seconds to build


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("engines-corpus")
    for path in SMALL_SEEDS:
        shutil.copy(path, folder / path.name)
    shutil.copy(SMALL_SEEDS[0], folder / "copy.txt")  # three reports: a pool starts from three
    return folder


@pytest.fixture(scope="module")
def one_process(corpus: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("one-process")
    build_corpus([corpus], out, progress=False, workers=1)
    return out


@component("fails_on_marker")
class _FailsOnMarker:
    """A component that fails on reports holding 测试故障, as a buggy extractor would on an odd input."""

    def __call__(self, report) -> None:
        if "测试故障" in report.body:
            raise ValueError("met 测试故障")


def test_worker_processes_write_the_graph_one_process_writes(corpus: Path, one_process: Path, tmp_path: Path) -> None:
    summary = build_corpus([corpus], tmp_path / "out", progress=False, workers=2)
    assert summary.engine == "2 worker processes" and summary.extracted == 3
    for name in ("graph.ttl", "manifest.json", "index.html", "graph.html"):  # graphs mapped by 2 processes too
        assert (tmp_path / "out" / name).read_bytes() == (one_process / name).read_bytes(), name
    pages = sorted(p.name for p in (one_process / "reports").iterdir())
    assert len(pages) == 3 and pages == sorted(p.name for p in (tmp_path / "out/reports").iterdir())
    assert all((tmp_path / "out/reports" / p).read_bytes() == (one_process / "reports" / p).read_bytes() for p in pages)


def test_a_report_that_fails_in_a_worker_costs_only_its_file(tmp_path: Path) -> None:
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        pytest.skip("the test's component reaches the workers only when they are forked")
    text = SMALL_SEEDS[0].read_text(encoding="utf-8")
    for name in ("a.txt", "c.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "bad.txt").write_text(text.replace("整改", "测试故障整改", 1), encoding="utf-8")
    pipeline = Pipeline(("inspection", "units", "fails_on_marker"))
    summary = BuildSummary()
    # the first report is extracted in the build's process, the others by the workers: bad.txt's among them
    reports = extract([tmp_path / "a.txt", tmp_path / "bad.txt", tmp_path / "c.txt"], pipeline=pipeline,
                      engine=ProcessPool(2, pipeline), summary=summary)
    assert {r.source.name for r in reports} == {"a.txt", "c.txt"} and summary.files == 2
    (file, reason), = summary.skipped
    assert file.endswith("bad.txt")
    assert reason.startswith("extraction failed (ValueError: met 测试故障); this is a bug in kg")


def test_a_worker_task_sends_back_the_report_without_its_text() -> None:
    text = "省委第一巡视组于2021年3月对某局开展了巡视。这句话只在原文里。\n"
    report, = split_reports(Source(Path("x.txt"), text))
    data = extract_pickled(report, ("inspection",))
    assert isinstance(data, bytes) and "这句话只在原文里".encode() not in data  # the text stays in the build
    assert isinstance(extract_pickled(report, ("inspection", "fails_on_marker")), bytes)  # no marker: extracted
    marked, = split_reports(Source(Path("y.txt"), "测试故障。省委第一巡视组于2021年3月对某局开展了巡视。"))
    assert extract_pickled(marked, ("fails_on_marker",)) == ExtractionFailed("ValueError", "met 测试故障")


def test_engine_choice_and_its_errors() -> None:
    pipeline = Pipeline()
    assert isinstance(engine_for("local", pipeline=pipeline, workers=1), InProcess)
    assert isinstance(engine_for("local", pipeline=pipeline, workers=3), ProcessPool)
    with pytest.raises(EngineError, match="needs --scheduler"):
        engine_for("dask", pipeline=pipeline)
    with pytest.raises(EngineError, match="unknown engine 'spark'"):
        engine_for("spark", pipeline=pipeline)
    with pytest.raises(EngineError, match="--scheduler is for --engine dask"):
        engine_for("local", pipeline=pipeline, scheduler="tcp://127.0.0.1:8786")


def test_the_cli_says_in_one_line_when_no_dask_scheduler_answers(corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    port = _closed_port()
    result = CliRunner().invoke(app, ["build", str(corpus), "--out", str(tmp_path / "out"), "--engine", "dask",
                                      "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == 2
    line, = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
    assert not (tmp_path / "out").exists()


def test_a_dask_cluster_writes_the_graph_one_process_writes(corpus: Path, one_process: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=True) as cluster:
        summary = build_corpus([corpus], tmp_path / "out", progress=False, engine="dask",
                               scheduler=cluster.scheduler_address)
    assert summary.engine == f"Dask cluster at {cluster.scheduler_address}" and summary.extracted == 3
    assert (tmp_path / "out/graph.ttl").read_bytes() == (one_process / "graph.ttl").read_bytes()


def _closed_port() -> int:
    """A loopback port nothing listens on: bound by the OS, then closed."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
