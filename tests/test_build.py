"""The build on handmade reports: outputs appear together or not at all, and an incremental build
touches only what changed yet ends with what a clean build writes."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.build
import kg.store
from kg.build import CACHE, OUTPUTS, build_corpus
from kg.store import ONTOLOGY_GRAPH, query

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
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted({*OUTPUTS, CACHE} - {"text"})  # text/ only for HTML, DOCX and PDF inputs
    assert list(summary.stages) == ["read, split, extract, resolve, map each report", "merge across reports",
                                    "report pages, store", "validation, overview pages"]
    assert summary.violations == 0 and summary.validation.startswith("turbo")  # pyshacl-turbo is a dependency
    assert all(secs >= 0 for secs in summary.stages.values())
    assert sum(summary.stages.values()) <= summary.seconds
    result = query(tmp_path / "out" / "store", "SELECT ?t WHERE { ?d a xs:Document ; rdfs:label ?t }")
    titles = {title for title, in result.rows}
    assert "省商务厅党组理论学习中心组学习制度" in titles


def test_a_store_that_fails_while_the_graphs_stream_in_leaves_the_last_build_intact(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_corpus([corpus], out, progress=False)
    before = {name: (out / name).stat().st_mtime_ns for name in OUTPUTS if (out / name).exists()}

    class FullDisk:
        def remove_graph(self, graph) -> None:
            pass

        def bulk_load(self, *args, **kwargs) -> None:
            raise OSError("disk full")

    def write_store(store_dir, fill, base=None):
        fill(FullDisk())

    monkeypatch.setattr(kg.store, "_write_store", write_store)  # the loader's thread writes through it
    with pytest.raises(OSError, match="disk full"):
        build_corpus([corpus], out, progress=False, rebuild=True)  # every graph is loaded again
    assert {name: (out / name).stat().st_mtime_ns for name in OUTPUTS if (out / name).exists()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind


OTHER = (
    "中共辽宁省体育局党组关于巡视整改进展情况的通报\n"
    "根据省委统一部署，2019年10月28日至12月30日，省委第五巡视组对省体育局党组进行了巡视。\n"
    "一、关于落实全面从严治党主体责任不到位的问题\n"
    "整改情况：局党组印发了《省体育局党组落实全面从严治党主体责任清单》。\n"
    "整改进展情况：正在整改，2020年12月底前完成。\n"
    "中共辽宁省体育局党组\n"
    "2020年7月2日\n"
)


def _quads(store_dir: Path) -> tuple[set[ox.Quad], int]:
    """The store's quads outside the ontology graph, and the ontology graph's size (its blank nodes get
    new ids on every load, so it is compared by size; its content comes from one file)."""
    quads = set(ox.Store.read_only(str(store_dir)))
    ontology = {q for q in quads if q.graph_name == ONTOLOGY_GRAPH}
    return quads - ontology, len(ontology)


def test_an_incremental_build_extracts_only_what_changed_and_equals_a_clean_build(
        corpus: Path, tmp_path: Path) -> None:
    (corpus / "other.txt").write_text(OTHER, encoding="utf-8")
    (corpus / "third.txt").write_text(OTHER.replace("体育局", "民政厅").replace("第五", "第六"), encoding="utf-8")
    out = tmp_path / "out"
    first = build_corpus([corpus], out, progress=False)
    assert (first.extracted, first.reused, first.incremental) == (3, 0, False)

    again = build_corpus([corpus], out, progress=False)
    assert (again.extracted, again.reused, again.graphs_written, again.graphs_dropped) == (0, 3, 0, 0)

    (corpus / "other.txt").write_text(OTHER.replace("12月底前", "11月底前"), encoding="utf-8")
    (corpus / "third.txt").unlink()
    (corpus / "fourth.txt").write_text(OTHER.replace("体育局", "司法厅"), encoding="utf-8")
    changed = build_corpus([corpus], out, progress=False)
    assert (changed.extracted, changed.reused, changed.incremental) == (2, 1, True)
    # written: other.txt's and fourth.txt's report graphs, and the shared entities graph (辽宁省民政厅 left
    # with third.txt, 辽宁省司法厅 came); dropped: third.txt's graph; report.txt's graph is left as it was
    assert (changed.graphs_written, changed.graphs_dropped) == (3, 1)
    assert len(list((out / CACHE).glob("*.pickle"))) == 3  # the entries of the old texts are pruned

    clean = build_corpus([corpus], tmp_path / "clean", progress=False, rebuild=True)
    assert (clean.extracted, clean.incremental) == (3, False)
    assert _quads(out / "store") == _quads(tmp_path / "clean" / "store")
    assert (out / "graph.ttl").read_bytes() == (tmp_path / "clean" / "graph.ttl").read_bytes()
    due = query(out / "store", "SELECT ?file ?d WHERE { ?x xs:dueDate ?d ; xs:mention/xs:inReport/xs:sourceFile ?file } "
                               "ORDER BY ?file").rows
    assert due == [["fourth.txt", "2020-12"], ["other.txt", "2020-11"]]


def test_rebuild_ignores_the_cache_and_a_lost_manifest_means_a_clean_store(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_corpus([corpus], out, progress=False)
    rebuilt = build_corpus([corpus], out, progress=False, rebuild=True)
    assert (rebuilt.extracted, rebuilt.reused, rebuilt.incremental) == (1, 0, False)
    (out / "manifest.json").unlink()  # as if a build was interrupted while moving its outputs in
    after = build_corpus([corpus], out, progress=False)
    assert (after.reused, after.incremental) == (1, False)
    assert after.graphs_written == len(list(ox.Store.read_only(str(out / "store")).named_graphs()))


def test_a_cache_entry_found_damaged_when_its_turn_comes_is_extracted_again(corpus: Path, tmp_path: Path) -> None:
    (corpus / "other.txt").write_text(OTHER, encoding="utf-8")
    out = tmp_path / "out"
    build_corpus([corpus], out, progress=False)
    graph = (out / "graph.ttl").read_bytes()
    entry = sorted((out / CACHE).glob("*.pickle"))[0]
    entry.write_bytes(b"not a pickle")  # the entry is seen at reading time, and read only later
    again = build_corpus([corpus], out, progress=False)
    assert (again.files, again.extracted, again.reused, again.skipped) == (2, 1, 1, [])
    assert (out / "graph.ttl").read_bytes() == graph
    assert entry.read_bytes() != b"not a pickle"  # written anew


def test_files_are_read_as_extraction_goes_and_handed_on_in_order(corpus: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["a.txt", "b.txt", "c.txt"]
    for name in names:
        (corpus / name).write_text(OTHER, encoding="utf-8")
    read: list[str] = []
    real_read = kg.build.read_source
    monkeypatch.setattr(kg.build, "read_source", lambda path: read.append(path.name) or real_read(path))
    files = kg.build.extract_files([corpus / name for name in names])
    first = next(files)
    assert read == ["a.txt"]  # the next file is read only when the engine asks for its reports
    assert first[0].source.name == "a.txt"
    assert [reports[0].source.name for reports in files] == ["b.txt", "c.txt"] and read == names


def test_the_text_of_an_html_input_is_kept_beside_the_graph_and_its_offsets_index_it(
        corpus: Path, tmp_path: Path) -> None:
    page = "<html><body><nav>首页 | 通知公告</nav><article>" + "".join(
        f"<p>{line}</p>" for line in OTHER.splitlines()) + "</article><footer>版权所有</footer></body></html>"
    (corpus / "page.html").write_text(page, encoding="utf-8")
    out = tmp_path / "out"
    build_corpus([corpus], out, progress=False)
    text = (out / "text" / "page.html.txt").read_bytes().decode("utf-8")
    assert "省委第五巡视组" in text and "版权所有" not in text
    rows = query(out / "store", "SELECT ?s ?b ?e WHERE { ?m xs:surface ?s ; xs:start ?b ; xs:end ?e ; "
                               "xs:inReport/xs:sourceFile 'page.html' }").rows
    assert rows and all(text[int(b):int(e)] == s for s, b, e in rows)
    (corpus / "page.html").unlink()
    build_corpus([corpus], out, progress=False)
    assert not (out / "text").exists()  # no such input any more: no stale copy


def test_a_traditional_report_is_matched_in_simplified_and_shown_as_written(corpus: Path, tmp_path: Path) -> None:
    import opencc

    traditional = opencc.OpenCC("s2t").convert(OTHER)
    assert "巡視組" in traditional and len(traditional) == len(OTHER)
    (corpus / "traditional.txt").write_text(traditional, encoding="utf-8")
    out = tmp_path / "out"
    build_corpus([corpus / "traditional.txt"], out, progress=False)
    teams = query(out / "store", "SELECT ?l WHERE { ?i xs:team/rdfs:label ?l }").rows
    assert teams == [["省委第五巡視組"]]  # found through the Simplified lexicons, labelled as written
    rows = query(out / "store", "SELECT ?s ?b ?e WHERE { ?m xs:surface ?s ; xs:start ?b ; xs:end ?e }").rows
    assert rows and all(traditional[int(b):int(e)] == s for s, b, e in rows)
    assert any("體育局" in s for s, _, _ in rows)


def test_past_its_limit_the_build_leaves_the_shacl_check_to_kg_validate(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked = build_corpus([corpus], tmp_path / "checked", progress=False)
    assert checked.violations == 0
    monkeypatch.setattr(kg.build, "VALIDATE_AT_MOST", 10)  # the structure of one small report is more
    summary = build_corpus([corpus], tmp_path / "out", progress=False)
    assert summary.violations is None
    assert summary.validation.startswith("skipped: ") and "over the build's 10 (memory)" in summary.validation
    assert (tmp_path / "out/graph.ttl").read_bytes() == (tmp_path / "checked/graph.ttl").read_bytes()
