"""Unit extraction on small handmade snippets (kg/extract/units.py)."""
from pathlib import Path

import pytest

from kg.extract.units import Units, find_candidates, is_generic
from kg.model import Report, Source, Span


def report(text: str, **kw) -> Report:
    src = Source(Path("t.txt"), text)
    return Report(src, 0, Span(0, len(text)), **kw)


def names(text: str, **kw) -> list[str]:
    r = report(text, **kw)
    Units()(r)
    return [r.surface(m) for t in r.things_of("Unit", "InspectionTeam") for m in t.mentions]


def kinds(text: str) -> dict[str, str]:
    r = report(text)
    Units()(r)
    return {r.surface(m): t.kind for t in r.things_of("Unit", "InspectionTeam") for m in t.mentions}


def test_left_boundary_stops_at_preposition_and_verb():
    got = names("今年3月，市委第二巡察组对某某县财政局开展了巡察。")
    assert "市委第二巡察组" in got
    assert not any(n.startswith("对") for n in got)


def test_inspection_team_kind():
    k = kinds("省委第三巡视组向我局反馈了意见。")
    assert k.get("省委第三巡视组") == "InspectionTeam"


def test_team_needs_a_committee_in_front():
    assert not any(n.endswith("巡察组") for n in names("两组间距巡察组不宜过大。"))


def test_chain_of_names_is_one_name():
    got = names("经请示，商务部办公厅已书面回复。")
    assert "商务部办公厅" in got and "商务部" not in got


def test_titles_are_not_units():
    got = names("厅长张三主持会议，副局长李四参加。")
    assert not any(n.endswith(("厅长", "局长", "厅", "局")) for n in got)


def test_word_holding_the_head_is_kept():
    # 组织部 is one dictionary word although 组织 alone is a stop verb
    assert "区委组织部" in names("区纪委监委和区委组织部按要求参加。")


def test_trap_words_are_not_heads():
    got = names("党员干部全部参加，督办事项落到实处，形成工作格局。")
    assert got == []


def test_generic_references_dropped():
    got = names("各相关处室、相关部门和班子成员要抓好落实。")
    assert got == []
    assert is_generic("相关部门") and is_generic("各处室") and not is_generic("省财政厅")


def test_company_needs_a_proper_name():
    got = names("约谈物业公司，同时邀请龙江宏远科技有限公司参加。")
    assert "物业公司" not in got
    assert any(n.endswith("龙江宏远科技有限公司") for n in got)


def test_cited_title_is_not_a_unit_source_but_own_issuer_is():
    text = "印发《国务院办公厅关于某事的通知》和《中共龙山县委办公室关于某事的通知》。"
    r = report(text)
    r.meta["inspected_unit"] = "龙山县"
    Units()(r)
    got = [r.surface(m) for t in r.things_of("Unit") for m in t.mentions]
    assert "国务院办公厅" not in got
    assert "中共龙山县委办公室" in got


def test_publisher_span_is_a_unit():
    text = "正文。\n中共某某省某某厅党组\n2020年1月1日"
    start = text.index("中共")
    r = report(text, publisher=Span(start, start + len("中共某某省某某厅党组")))
    Units()(r)
    assert any(m == r.publisher for t in r.things_of("Unit") for m in t.mentions)


def test_no_second_thing_at_a_taken_span():
    text = "省委第五巡视组对我厅开展了巡视。"
    r = report(text)
    s = text.index("省委")
    r.add("InspectionTeam", "省委第五巡视组", Span(s, s + 7))
    Units()(r)
    spans = [(m.start, m.end) for t in r.things_of("InspectionTeam") for m in t.mentions]
    assert spans.count((s, s + 7)) == 1


def test_short_name_definition_recorded():
    text = "成立某某区巡视整改工作领导小组（以下简称“整改小组”），整改小组每周调度。"
    r = report(text)
    Units()(r)
    assert r.meta["unit_short_names"].get("整改小组", "").endswith("巡视整改工作领导小组")
    assert sum(1 for t in r.things_of("Unit") for m in t.mentions if r.surface(m) == "整改小组") == 2


def test_numeral_word_does_not_begin_a_name_but_may_sit_inside():
    got = names("组织三次厅党组理论学习中心组集中学习；龙山区十五届区委审计委员会召开会议。")
    assert "厅党组理论学习中心组" in got
    assert "龙山区十五届区委审计委员会" in got


def test_places_as_heads_need_a_place_name():
    got = names("坚持县乡联动，走访龙山街道、十间房镇。")
    assert "龙山街道" in got and "十间房镇" in got
    assert not any(n.endswith("县") for n in got)


def test_foreign_city_named_as_place_is_not_a_unit():
    got = names("企业来自营口市和西安市。", city="沈阳", province="辽宁")
    assert got == []


def test_zone_as_place_is_not_a_unit():
    assert names("推动辽宁自贸试验区发展。") == []


def test_self_references_found():
    got = names("我厅高度重视，厅党组专题研究。")
    assert "我厅" in got and "厅党组" in got


@pytest.mark.parametrize("text", ["全区各级党组织", "基层党组织书记", "有关单位负责同志"])
def test_generic_plurals(text):
    assert [c for c in find_candidates(report(text)) if c[2] == "head"] == []


# --- left boundary by general classes (verbs, particles, numbers + measure words, time words) -------------

@pytest.mark.parametrize("text, want, bad", [
    ("会议没有研究人大常委会工作报告。", "人大常委会", "研究人大常委会"),        # verb before a party prefix
    ("目前已完成县档案馆馆长的审计。", "县档案馆", "完成县档案馆"),            # verb glued by the dictionary cut
    ("正在审计原县交通局局长。", "县交通局", "原县交通局"),                  # 原 (former) before a place prefix
    ("平台，同商务部国际贸易经济合作研究院签约。", "商务部国际贸易经济合作研究院", "同商务部国际贸易经济合作研究院"),
    ("取得成效。但党工委认识到不足。", "党工委", "但党工委"),                # conjunction
    ("督促9家行政执法局整改。", "行政执法局", "家行政执法局"),                # number + measure word
])
def test_left_boundary_general_classes(text, want, bad):
    got = names(text)
    assert want in got and bad not in got


def test_former_body_without_place_prefix_keeps_yuan():
    # counter-example to 原 before a place prefix: 原安监局 is the name of a body that no longer exists
    assert "原安监局" in names("查处原安监局、县财政局的问题。")


def test_unknown_name_in_single_characters_is_not_cut_at_a_function_character():
    # 同 is a preposition alone, but inside 清华同衡 it is part of a firm's name the dictionary does not know
    assert "北京清华同衡规划设计研究院有限公司" in names("委托北京清华同衡规划设计研究院有限公司编制规划。")


def test_numeral_place_name_kept_only_before_an_unknown_word():
    got = names("走访龙山街道、十间房镇。推动三个片区发展。")
    assert "十间房镇" in got
    assert not any("三个" in n for n in got)


def test_listed_places_need_no_known_place_word():
    got = names("检查单位（慈恩乡、孟山镇、新华街道）。")
    assert {"慈恩乡", "孟山镇", "新华街道"} <= set(got)


def test_listed_place_with_verb_is_not_a_place():
    assert not any(n.startswith("取缔") for n in names("开展整治、取缔安兴早市、清理占道。"))


def test_ordinary_word_ending_in_a_head_is_no_unit():
    got = names("核实我县农村改厕工作，到所联系乡镇督导。")
    assert not any(n.endswith(("农村", "乡镇")) for n in got)


def test_doc_number_prefix_is_not_a_unit():
    got = names("印发《实施意见》（吉委发〔2020〕1号）和县委办发〔2019〕5号文件。")
    assert "吉委" not in got and "县委" not in got


def test_generic_departments_and_hospital_departments_are_not_units():
    got = names("梳理管委会工作部门职责，加强诚信政府建设，区中医院增设消化内科。")
    assert not any(n.endswith(("工作部门", "诚信政府", "消化内科")) for n in got)


def test_two_levels_at_once_is_not_a_unit_but_market_bureau_is():
    got = names("县委转发省市委文件，省市场监管局参加。")
    assert "省市委" not in got and "省市场监管局" in got


def test_own_place_school_in_title_is_not_an_issuer():
    r = report("制定《龙山区中学分班细则》和《龙山区教育局工作规则》。")
    r.meta["inspected_unit"] = "中共龙山区委"
    Units()(r)
    got = [r.surface(m) for t in r.things_of("Unit") for m in t.mentions]
    assert "龙山区教育局" in got and "龙山区中学" not in got


def test_conjunction_glued_to_a_one_character_head_is_cut():
    got = names("开发区管委会和县自然资源局联合检查。")
    assert "县自然资源局" in got and not any("和县" in n for n in got)


def test_name_characters_left_of_a_head_keep_their_brackets_balanced():
    from kg.extract.units import _balanced_start

    def start(text: str, head: str) -> int:
        hs = text.index(head)
        return _balanced_start(text, 0, hs)

    assert start("对沈阳市（浑南区）科技局进行", "局") == 0  # a closed bracket stays inside the run
    text = "科技局）和财政局"
    assert _balanced_start(text, 0, text.rindex("局")) == text.index("和")  # an unclosed ） is cut after
    text = "（财政局"
    assert _balanced_start(text, 0, text.index("局")) == 1  # an unopened （ ends the run
    text = "发文，财政局"
    assert _balanced_start(text, 0, text.index("局")) == text.index("财")  # punctuation ends the run
    text = "甲乙丙丁财政局"
    assert _balanced_start(text, 3, text.index("局")) == 3  # never before lo
