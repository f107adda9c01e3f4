"""Reading HTML, DOCX, PDF and legacy-encoded text: each input is made here, in tmp_path, and offsets index
the text extracted from it."""
from __future__ import annotations

import codecs
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.build import build_corpus
from kg.read import (UnreadableInput, discover, is_traditional, needs_text_copy, read_source,
                     to_simplified)
from kg.vocab import sparql_prefixes

# A report as the pipeline knows it: an inspection (team, unit, dates), a problem, a signature.
LINES = [
    "中共辽宁省商务厅党组关于巡视整改进展情况的通报",
    "根据省委统一部署，2019年10月25日至12月31日，省委第八巡视组对省商务厅党组进行了巡视。"
    "2020年3月11日，省委第八巡视组向省商务厅党组反馈了巡视意见。",
    "一、关于学习贯彻不深入的问题",
    "整改情况：厅党组制定了《省商务厅党组理论学习中心组学习制度》。",
    "整改进展情况：已完成。",
    "中共辽宁省商务厅党组",
    "2020年6月30日",
]
OTHER = [
    "中共辽宁省体育局党组关于巡视整改进展情况的通报",
    "根据省委统一部署，2019年10月28日至12月30日，省委第五巡视组对省体育局党组进行了巡视。",
    "一、关于落实全面从严治党主体责任不到位的问题",
    "整改情况：局党组印发了《省体育局党组落实全面从严治党主体责任清单》。",
    "整改进展情况：正在整改，2020年12月底前完成。",
    "中共辽宁省体育局党组",
    "2020年7月2日",
]

NAV = "网站首页 新闻中心 政务公开 办事服务 互动交流"
FOOTER = "版权所有：辽宁省商务厅 网站标识码2100000001 辽ICP备05000000号"


def html_page(lines: list[str], charset: str = "utf-8") -> str:
    paragraphs = "\n".join(f"<p>{line}</p>" for line in lines[1:])
    links = "".join(f'<li><a href="/{i}">{word}</a></li>' for i, word in enumerate(NAV.split()))
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{lines[0]}</title>
<script>var tracker = "统计代码";</script><style>body {{ color: #333 }}</style></head>
<body>
<header><div class="logo">辽宁省商务厅门户网站</div><nav><ul>{links}</ul></nav></header>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/gk">政务公开</a></div>
<div class="main"><article>
<h1>{lines[0]}</h1>
<div class="info">发布时间：2020-07-01 来源：本站 浏览次数：1024</div>
{paragraphs}
</article>
<aside class="sidebar"><h3>相关链接</h3><ul><li><a href="/x">中国政府网</a></li></ul></aside></div>
<footer><p>{FOOTER}</p><p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a></p></footer>
</body></html>"""


def make_docx(path: Path, lines: list[str], table: list[list[str]] | None = None) -> None:
    import docx

    document = docx.Document()
    document.add_heading(lines[0], level=1)
    for line in lines[1:3]:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    for line in lines[3:]:
        document.add_paragraph(line)
    document.save(str(path))


def chinese_font() -> Path | None:
    """A font with Chinese glyphs on this machine (fontconfig first, then the usual Debian places)."""
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout
        for line in sorted(listed.splitlines()):
            path = Path(line.split(":")[0].strip())
            if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.exists():
                return path
    for path in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"):
        if Path(path).exists():
            return Path(path)
    return None


def flat(text: str) -> str:
    """Text without any white space: PDF extraction may wrap or space lines where it likes."""
    return "".join(text.split())


# --- HTML ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix, charset", [(".html", "utf-8"), (".HTM", "gb2312")])
def test_html_keeps_the_report_and_drops_navigation_and_footer(tmp_path, suffix, charset):
    path = tmp_path / f"通报{suffix}"
    path.write_bytes(html_page(LINES, charset).encode("gb18030" if charset == "gb2312" else charset))
    src = read_source(path)
    for line in LINES[1:]:
        assert line in src.text
    for boiler in (*NAV.split(), FOOTER, "联系我们", "当前位置", "统计代码", "color"):
        assert boiler not in src.text, boiler
    assert src.name == path.name and needs_text_copy(path)


def test_a_page_without_text_says_so(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title><script>var a = 1;</script></head><body><img src='a.png'>"
                    "</body></html>", encoding="utf-8")
    with pytest.raises(UnreadableInput, match="no main text"):
        read_source(path)


# --- DOCX ------------------------------------------------------------------------------------------------

def test_docx_gives_paragraphs_and_table_cells_in_document_order(tmp_path):
    path = tmp_path / "通报.docx"
    table = [["序号", "问题", "整改进展"], ["1", "理论学习不深入", "已完成"], ["2", "制度执行不严格", "正在整改"]]
    make_docx(path, LINES, table)
    src = read_source(path)
    lines = src.text.split("\n")
    assert lines[:3] == LINES[:3]
    assert lines[3:6] == ["序号\t问题\t整改进展", "1\t理论学习不深入\t已完成", "2\t制度执行不严格\t正在整改"]
    assert lines[6:] == LINES[3:]
    assert needs_text_copy(path)


def test_a_merged_docx_cell_is_read_once(tmp_path):
    import docx

    path = tmp_path / "merged.docx"
    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "巡视整改问题清单"
    for c, value in enumerate(["问题", "措施", "时限"]):
        grid.cell(1, c).text = value
    document.save(str(path))
    assert read_source(path).text == "巡视整改问题清单\n问题\t措施\t时限"


def test_a_file_named_docx_that_is_no_word_package_says_so(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_text("这不是Word文件", encoding="utf-8")
    with pytest.raises(UnreadableInput, match="not a .docx"):
        read_source(path)


def test_old_word_files_are_found_and_told_to_be_saved_as_docx(tmp_path):
    path = tmp_path / "通报.DOC"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # the OLE2 header of a .doc
    assert discover([tmp_path]) == [path]
    with pytest.raises(UnreadableInput, match=r"^old Word format: save it as \.docx$"):
        read_source(path)


# --- PDF -------------------------------------------------------------------------------------------------

def test_an_english_pdf_with_a_text_layer_is_read(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    english = ["Rectification report of the Provincial Department of Commerce",
               "The eighth inspection team of the provincial party committee inspected the department."]
    for line in english:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.multi_cell(0, 8, "Page two: all problems are rectified.", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "report.PDF"
    pdf.output(str(path))
    src = read_source(path)
    for line in english + ["Page two: all problems are rectified."]:
        assert " ".join(line.split()) in " ".join(src.text.split())
    assert src.text.index("Page two") > src.text.index("inspected")
    assert needs_text_copy(path) and src.name == "report.PDF"


def test_a_chinese_pdf_with_a_text_layer_is_read(tmp_path):
    from fpdf import FPDF

    font = chinese_font()
    if font is None:
        pytest.skip("no font with Chinese glyphs on this machine (fc-list :lang=zh is empty): "
                    "fpdf2 cannot write a Chinese PDF without one")
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("zh", fname=str(font))
    pdf.set_font("zh", size=11)
    for line in LINES:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "通报.pdf"
    pdf.output(str(path))
    src = read_source(path)
    for line in LINES:
        assert flat(line) in flat(src.text)


def test_a_pdf_without_a_text_layer_is_skipped_with_the_reason(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    scan = tmp_path / "scan.png"
    Image.new("L", (200, 100), color=200).save(scan)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(scan), x=10, y=10, w=100)
    pdf.rect(10, 80, 50, 20)
    path = tmp_path / "扫描件.pdf"
    pdf.output(str(path))
    with pytest.raises(UnreadableInput, match=r"^no text layer \(scanned\?\)$"):
        read_source(path)


def test_a_file_named_pdf_that_is_no_pdf_says_so(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("not a pdf at all", encoding="utf-8")
    with pytest.raises(UnreadableInput, match="not a readable PDF"):
        read_source(path)


# --- encodings of plain text -----------------------------------------------------------------------------

SNIPPET = ("根据省委统一部署，省委第八巡视组对省商务厅党组进行了巡视。\r\n"
           "2020年3月11日，省委巡视组反馈了巡视意见。\r\n"
           "现将巡视整改进展情况予以公布。\r\n")
TRADITIONAL = ("根據省委統一部署，省委第八巡視組對省商務廳黨組進行了巡視。\n"
               "2020年3月11日，省委巡視組反饋了巡視意見。\n"
               "現將巡視整改進展情況予以公佈。\n")


@pytest.mark.parametrize("text, encoding, bom", [
    (SNIPPET, "gb18030", b""),
    (SNIPPET, "gbk", b""),
    (TRADITIONAL, "gb18030", b""),
    (TRADITIONAL, "big5", b""),
    (SNIPPET, "utf-8", codecs.BOM_UTF8),
    (SNIPPET, "utf-16-le", codecs.BOM_UTF16_LE),
    (SNIPPET, "utf-16-be", codecs.BOM_UTF16_BE),
    (TRADITIONAL, "utf-16-le", codecs.BOM_UTF16_LE),
    (TRADITIONAL, "utf-16-be", codecs.BOM_UTF16_BE),
])
def test_a_three_line_snippet_decodes_in_each_encoding(tmp_path, text, encoding, bom):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(bom + text.encode(encoding))
    src = read_source(path)
    assert src.text == text  # BOM gone, line endings kept
    assert not needs_text_copy(path)


@pytest.mark.parametrize("line", [*SNIPPET.splitlines(), "整改情况通报", "省委巡视组", "已完成。"])
def test_even_a_single_short_gb18030_line_is_not_taken_for_korean(tmp_path, line):
    path = tmp_path / "short.txt"
    path.write_bytes(line.encode("gb18030"))
    assert read_source(path).text == line


@pytest.mark.parametrize("line", TRADITIONAL.splitlines())
def test_a_single_big5_line_decodes(tmp_path, line):
    path = tmp_path / "short.txt"
    path.write_bytes(line.encode("big5"))
    assert read_source(path).text == line


def test_circled_numbers_in_big5_are_not_read_as_kana(tmp_path):
    text = "①對各街道進行督查；②建立長效機制；③定期通報整改進展情況，確保整改工作落到實處。\n" * 2
    path = tmp_path / "big5.txt"
    path.write_bytes(text.encode("big5"))
    assert read_source(path).text == text


# --- Traditional Chinese -----------------------------------------------------------------------------------

def test_traditional_text_is_read_unchanged_and_recognised(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    text = read_source(path).text
    assert text == TRADITIONAL  # never converted: offsets and labels are the document's own
    assert is_traditional(text) and not is_traditional(SNIPPET) and not is_traditional("abc 123")
    simple = to_simplified(text)
    assert len(simple) == len(text)
    assert simple == SNIPPET.replace("\r\n", "\n")


def test_to_simplified_is_character_level_not_phrase_level():
    # t2s would turn the phrase 頭髮 into 头发 either way; what matters is one character for one
    for text in ("頭髮乾燥", "著作", "瞭解", "後來", "𠀋𡃁", "ｈｅｌｌｏ，世界", "\ud800孤立"):
        assert len(to_simplified(text)) == len(text)
    assert to_simplified("巡視組對省商務廳") == "巡视组对省商务厅"
    assert to_simplified("已经是简体") == "已经是简体"


CJK = st.characters(codec="utf-8", categories=["Lo"], min_codepoint=0x2E80, max_codepoint=0x3134F)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(CJK, st.sampled_from("，。、\n\r 1aＡ")), max_size=60))
def test_to_simplified_keeps_the_length_of_any_cjk_string(text):
    simple = to_simplified(text)
    assert len(simple) == len(text)
    assert all(a == b for a, b in zip(text, simple) if ord(a) < 0x2E80)


# --- discovery and the end-to-end build --------------------------------------------------------------------

def test_discover_picks_every_readable_suffix_in_any_case(tmp_path):
    names = ["a.txt", "b.HTML", "c.htm", "d.Docx", "e.pdf", "f.doc", "g.md", "h.json", "i.TXT"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in discover([tmp_path])] == ["a.txt", "b.HTML", "c.htm", "d.Docx", "e.pdf", "f.doc", "i.TXT"]


def test_a_build_over_docx_and_html_finds_each_inspection_and_its_offsets_slice_the_extracted_text(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    make_docx(folder / "商务厅.docx", LINES, [["序号", "问题"], ["1", "学习贯彻不深入"]])
    (folder / "体育局.html").write_text(html_page(OTHER), encoding="utf-8")
    out = tmp_path / "out"
    summary = build_corpus([folder], out, progress=False)
    assert summary.skipped == [] and summary.files == 2

    g = Graph().parse(out / "graph.ttl")
    found = {(str(file), str(team), str(unit)) for file, team, unit in g.query(sparql_prefixes() + """
        SELECT ?file ?team ?unit WHERE {
          ?r xs:reportsOn ?i ; xs:sourceFile ?file .
          ?i xs:team/rdfs:label ?team ; xs:inspectedUnit/rdfs:label ?unit }""")}
    teams = {(file, team) for file, team, _ in found}
    assert teams == {("商务厅.docx", "省委第八巡视组"), ("体育局.html", "省委第五巡视组")}
    units = {file: unit for file, _, unit in found}
    assert "商务厅" in units["商务厅.docx"] and "体育局" in units["体育局.html"]

    texts = {p.name: read_source(p).text for p in folder.iterdir()}
    rows = g.query(sparql_prefixes() + """
        SELECT ?file ?start ?end ?surface WHERE {
          ?m a xs:Mention ; xs:start ?start ; xs:end ?end ; xs:surface ?surface ; xs:inReport/xs:sourceFile ?file }""")
    checked = {name: 0 for name in texts}
    for file, start, end, surface in rows:
        assert texts[str(file)][int(start):int(end)] == str(surface)
        checked[str(file)] += 1
    assert all(count >= 5 for count in checked.values()), checked
