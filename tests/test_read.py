from pathlib import Path

import pytest

from kg.read import UnreadableInput, discover, read_source

TEXT = "根据省委统一部署,省委第一巡视组对某县进行了常规巡视。\r\n整改情况。\n"


def test_utf8_with_bom_and_crlf_keeps_offsets_of_newline_less_reading(tmp_path):
    path = tmp_path / "报告 一.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    src = read_source(path)
    assert src.text == TEXT  # BOM gone, \r\n kept
    assert src.name == "报告 一.txt"


def test_gb18030_is_detected(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes((TEXT * 20).encode("gb18030"))
    assert read_source(path).text == TEXT * 20


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"\x00\x01\x02binary\x00", "binary")])
def test_unusable_files_say_why(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableInput, match=reason):
        read_source(path)


def test_discover_walks_folders_once_and_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    for p in ("a.txt", "b/c.txt", "b/d.md"):
        (tmp_path / p).write_text("x", encoding="utf-8")
    found = discover([tmp_path, tmp_path / "a.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.txt", "b/c.txt"]
    with pytest.raises(FileNotFoundError):
        discover([tmp_path / "missing"])


def test_a_text_in_no_chinese_encoding_falls_back_to_charset_normalizer_unrestricted(tmp_path):
    text = "Съешь же ещё этих мягких французских булок, да выпей чаю.\n"
    path = tmp_path / "cp1251.txt"
    path.write_bytes(text.encode("cp1251"))
    assert read_source(path).text == text  # not forced into GB18030, which accepts many byte pairs


def test_only_extracted_formats_need_a_copy_of_their_text():
    from kg.read import needs_text_copy

    assert [needs_text_copy(Path(n)) for n in ("a.html", "b.HTM", "c.docx", "d.Pdf", "e.txt", "f.doc")] == [
        True, True, True, True, False, False]
