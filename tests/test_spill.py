"""The build's reports between extraction and mapping (kg.spill): kept in memory or spilled to disk, each
report is read back with the same findings and the same resolution, so it maps to the same graph."""
from __future__ import annotations

import copy
from pathlib import Path

import pyoxigraph as ox

from kg.build import extract_files
from kg.pipeline import Pipeline
from kg.rdf import GraphMapper, entities_graph
from kg.spill import SpilledCorpus

FIRST = (
    "中共辽宁省商务厅党组关于巡视整改进展情况的通报\n"
    "根据省委统一部署，2019年10月25日至12月31日，省委第八巡视组对省商务厅党组进行了巡视。"
    "2020年3月11日，省委第八巡视组向省商务厅党组反馈了巡视意见。\n"
    "一、关于学习贯彻不深入的问题\n"
    "整改情况：厅党组制定了《省商务厅党组理论学习中心组学习制度》，张三同志任组长。\n"
    "整改进展情况：已完成。\n"
    "中共辽宁省商务厅党组\n"
    "2020年6月30日\n"
)
SECOND = (
    "中共辽宁省体育局党组关于巡视整改进展情况的通报\n"
    "根据省委统一部署，2019年10月28日至12月30日，省委第五巡视组对省体育局党组进行了巡视。\n"
    "一、关于落实全面从严治党主体责任不到位的问题\n"
    "整改情况：局党组印发了《省商务厅党组理论学习中心组学习制度》。\n"
    "整改进展情况：正在整改，2020年12月底前完成。\n"
    "中共辽宁省体育局党组\n"
    "2020年7月2日\n"
)


def _graphs(files: list[list], folder: Path, keep_chars: int) -> tuple[list[list[ox.Quad]], list[ox.Quad], int]:
    """Each report's graph and the shared things' graph, from a corpus given ``files`` (copies: adding a
    file changes its reports), and how many files went to disk."""
    corpus = SpilledCorpus(folder, keep_chars=keep_chars)
    for reports in copy.deepcopy(files):
        corpus.add_file(reports)
    corpus.finish()
    graphs = []
    for position in range(len(corpus)):
        report, resolved = corpus.report(position)
        graphs.append(GraphMapper([report], resolved).report_graph(report).quads())
    return graphs, entities_graph(corpus.shared_things()).quads(), len(list(folder.glob("*.pickle")))


def test_reports_kept_in_memory_or_spilled_map_to_the_same_graphs(tmp_path: Path) -> None:
    paths = []
    for name, text in (("first.txt", FIRST), ("second.txt", SECOND)):
        paths.append(tmp_path / name)
        paths[-1].write_text(text, encoding="utf-8")
    files = list(extract_files(paths, pipeline=Pipeline()))
    assert [len(reports) for reports in files] == [1, 1]

    spilled = _graphs(files, tmp_path / "none kept", keep_chars=0)
    kept = _graphs(files, tmp_path / "all kept", keep_chars=len(FIRST) + len(SECOND))
    first_kept = _graphs(files, tmp_path / "first kept", keep_chars=len(FIRST))
    assert (spilled[2], kept[2], first_kept[2]) == (2, 0, 1)  # what the test is about happened
    assert kept[:2] == spilled[:2] == first_kept[:2]
    # the graphs say something: the document both reports cite is one shared thing
    text = ox.serialize(kept[1], format=ox.RdfFormat.N_QUADS).decode()
    assert text.count("省商务厅党组理论学习中心组学习制度") == 1
    assert all(len(graph) > 20 for graph in kept[0])
