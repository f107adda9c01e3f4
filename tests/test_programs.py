"""The programs component on handmade snippets: heads, quoted names, short forms, doctrines, conductedBy."""
from __future__ import annotations

from kg.extract.documents import Documents
from kg.extract.programs import Programs, norm
from kg.model import Span

from conftest import make_report


def run(text: str, units: tuple[str, ...] = ()):
    report = make_report(text)
    for name in units:
        start = report.text.find(name, report.span.start)
        while start >= 0:
            report.add("Unit", name, Span(start, start + len(name)))
            start = report.text.find(name, start + 1)
    Documents()(report)
    Programs()(report)
    return report


def programs(report):
    """key → (labels of the things with that key, all their names)."""
    out: dict[str, set[str]] = {}
    for t in report.things_of("Program"):
        for m in t.mentions:
            assert report.text[m.start:m.end]  # a real surface
        out.setdefault(t.key, set()).update(t.names)
    return out


def test_quoted_modifier_and_head():
    r = run("一、整改\n深入开展“两学一做”学习教育，推进“放管服”改革。\n")
    got = programs(r)
    assert norm("“两学一做”学习教育") in got
    assert norm("“放管服”改革") in got


def test_named_modifier_without_quotes_after_a_lead_verb():
    r = run("一、整改\n扎实开展党史学习教育，持续开展农村环境卫生专项整治行动。\n")
    got = programs(r)
    assert set(got) == {"党史学习教育", "农村环境卫生专项整治行动"}


def test_short_form_becomes_alt_label_of_full_name():
    r = run("一、整改\n巩固“两学一做”学习教育成果。二是把两学一做融入日常。\n")
    got = programs(r)
    assert list(got) == [norm("“两学一做”学习教育")]
    assert "两学一做" in got[norm("“两学一做”学习教育")]


def test_bare_head_refers_to_the_full_name():
    r = run("一、整改\n开展“不忘初心、牢记使命”主题教育。巡视反馈问题和主题教育检视问题一起整改。\n")
    got = programs(r)
    assert list(got) == [norm("“不忘初心、牢记使命”主题教育")]


def test_doctrines_slogans_and_generic_work_are_not_programs():
    r = run("一、整改\n增强“四个意识”，做到“两个维护”，深化改革，开展专项整治，加强党的建设，推进整改工作。\n")
    assert programs(r) == {}


def test_building_projects_are_not_programs():
    r = run("一、整改\n城南污水管网工程和道路改造工程已完工。\n")
    assert programs(r) == {}


def test_chain_of_quoted_names_before_one_head():
    r = run("一、整改\n全力推进“一网通办”“一窗受理”“一证通行”改革。\n")
    got = programs(r)
    assert {"一网通办", "一窗受理", norm("“一证通行”改革")} <= set(got)


def test_words_before_a_quote_belong_to_the_name():
    r = run("一、整改\n组织开展全区招商引资“百日攻坚”活动。\n")
    (names,) = programs(r).values()
    assert "全区招商引资“百日攻坚”活动" in names and "招商引资“百日攻坚”活动" in names


def test_conducted_by_the_unit_before_the_verb():
    r = run("一、整改\n甲县纪委监委组织开展“以案促改”警示教育活动。\n", units=("甲县纪委监委",))
    rels = [(rel.subject.key, rel.object.label) for rel in r.relations if rel.predicate == "xs:conductedBy"]
    assert rels == [(norm("“以案促改”警示教育活动"), "甲县纪委监委")]


def test_no_conductor_is_invented():
    r = run("一、整改\n组织开展“以案促改”警示教育活动。\n")
    assert not [rel for rel in r.relations if rel.predicate == "xs:conductedBy"]
    assert programs(r)


def test_known_national_name_is_global():
    r = run("一、整改\n全力推进乡村振兴，巩固脱贫攻坚成果。\n")
    got = {t.key: t for t in r.things_of("Program")}
    assert set(got) == {"乡村振兴", "脱贫攻坚"}
    assert all(t.scope == "global" for t in got.values())
