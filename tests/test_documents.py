"""The documents component on handmade snippets: 《…》 titles, nesting, unbalanced brackets, 文号, issuer."""
from __future__ import annotations

from kg.extract.documents import Documents, find_titles, title_key
from kg.model import Span

from conftest import make_report


def run(text: str, units: tuple[str, ...] = ()):
    report = make_report(text)
    for name in units:  # stand in for the units component: every occurrence of the name is a Unit mention
        start = report.text.find(name, report.span.start)
        while start >= 0:
            report.add("Unit", name, Span(start, start + len(name)))
            start = report.text.find(name, start + 1)
    Documents()(report)
    return report


def docs(report):
    return {t.label: t for t in report.things_of("Document")}


def test_every_title_with_its_surface():
    r = run("一、基本情况\n学习了《示例工作条例》和《关于做好某项工作的通知》，效果明显。\n")
    got = docs(r)
    assert set(got) == {"示例工作条例", "关于做好某项工作的通知"}
    for t in got.values():
        (m,) = t.mentions
        assert r.text[m.start:m.end] == t.label
        assert t.scope == "global" and t.key == title_key(t.label)


def test_nested_titles_outer_and_inner():
    r = run("一、整改\n转发了《关于印发〈某县干部管理办法(试行)〉的通知》和《<某项实施意见>的通知》。\n"
            "又见《甲局关于转发《乙办法》的通知》。\n")
    got = docs(r)
    assert "关于印发〈某县干部管理办法(试行)〉的通知" in got
    assert "某县干部管理办法(试行)" in got
    assert "<某项实施意见>的通知" in got and "某项实施意见" in got
    assert "甲局关于转发《乙办法》的通知" in got and "乙办法" in got


def test_unbalanced_bracket_invents_nothing():
    r = run("一、整改\n对照《某某规定的要求，认真整改，并制定了《某工作方案》，已完成。\n")
    assert set(docs(r)) == {"某工作方案"}


def test_unclosed_bracket_at_line_end_is_dropped():
    r = run("一、整改\n依据《某规定\n第二行没有结束。\n")
    assert docs(r) == {}


def test_doc_number_after_the_title():
    r = run("一、整改\n印发了《某区工作规则》（某委办发〔2020〕16号）和《另一办法》(某财发[2019]3号)。\n")
    got = docs(r)
    assert got["某区工作规则"].attrs["docNumber"] == "某委办发〔2020〕16号"
    assert got["另一办法"].attrs["docNumber"] == "某财发[2019]3号"


def test_no_doc_number_for_a_note_in_brackets():
    r = run("一、整改\n学习《某条例》（见附件1），效果好。\n")
    assert "docNumber" not in docs(r)["某条例"].attrs


def test_issued_by_the_unit_before_the_verb_for_a_series():
    r = run("一、整改\n甲县财政局研究制定了《资金管理办法》《采购规程》和《内控制度》，规范管理。\n",
            units=("甲县财政局",))
    issued = {(rel.subject.label, rel.object.label) for rel in r.relations if rel.predicate == "xs:issuedBy"}
    assert issued == {("资金管理办法", "甲县财政局"), ("采购规程", "甲县财政局"), ("内控制度", "甲县财政局")}


def test_no_issuer_without_a_unit_or_a_verb():
    r = run("一、整改\n研究制定了《资金管理办法》。甲县财政局认真学习《采购规程》。\n", units=("甲县财政局",))
    assert not [rel for rel in r.relations if rel.predicate == "xs:issuedBy"]


def test_unit_as_object_is_not_the_issuer():
    r = run("一、整改\n针对甲县财政局的问题，制定《整改方案》。\n", units=("甲县财政局",))
    assert not [rel for rel in r.relations if rel.predicate == "xs:issuedBy"]


def test_alias_short_title_merges_with_the_full_one():
    r = run("一、整改\n学习《中国共产党某某工作条例》（以下简称《条例》），对照新《条例》查找问题。\n")
    things = r.things_of("Document")
    full = [t for t in things if t.key == title_key("中国共产党某某工作条例")]
    assert len(full) == 3  # the full title, the alias definition and 新《条例》: one key
    assert any("条例" in t.alt_labels for t in full)
    assert not [t for t in things if t.key == "条例"]


def test_find_titles_rejects_a_run_on_sentence():
    text = "《这不是标题。后面还有很多字》"
    assert find_titles(text, 0, len(text)) == []
