import re

import pytest

from kg import lexicon


def test_user_folder_extends_and_removes_entries(tmp_path, monkeypatch):
    (tmp_path / "provinces.txt").write_text("# mine\n火星\n-辽宁\n", encoding="utf-8")
    monkeypatch.setenv("KG_LEXICONS", str(tmp_path))
    lexicon.reload()
    try:
        entries = lexicon.words("provinces")
        assert "火星" in entries and "辽宁" not in entries and "吉林" in entries
    finally:
        monkeypatch.delenv("KG_LEXICONS")
        lexicon.reload()
    assert "辽宁" in lexicon.words("provinces")


def test_table_rows_have_header_columns():
    rows = lexicon.table("section_markers")
    assert rows and {"name", "regex"} <= set(rows[0])
    for row in rows:
        re.compile(row["regex"])


def test_alternation_prefers_the_longest_entry():
    rx = re.compile(lexicon.alternation("provinces"))
    assert rx.match("黑龙江省").group() == "黑龙江"


def test_missing_lexicon_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="no lexicon nosuch.txt"):
        lexicon.words("nosuch")
