from kg.model import Span
from kg.split import chinese_number
from conftest import make_report, make_reports

TWO_REPORTS = (
    "根据省委统一部署,2019年10月25日至12月25日,省委第二巡视组对省甲厅进行了常规巡视。2020年3月2日反馈了意见。\n"
    "一、整改工作情况\n"
    "正文。\n"
    "中共某某省甲厅党组\n"
    "2020年9月11日\n"
    "按照省委统一部署,2019年10月25日至12月25日,省委第三巡视组对省乙局进行了常规巡视。\n"
    "一、总体情况\n"
    "正文。\n"
)


def test_signature_closes_a_report_and_the_rest_is_another():
    reports = make_reports(TWO_REPORTS)
    assert len(reports) == 2
    first, second = reports
    assert first.surface(first.publisher) == "中共某某省甲厅党组"
    assert first.meta["issued_date"].iso() == "2020-09-11"
    assert first.year == 2020
    assert second.body.startswith("按照省委统一部署")
    assert second.publisher is None


def test_two_openings_without_signature_are_two_reports():
    text = TWO_REPORTS.replace("中共某某省甲厅党组\n2020年9月11日\n", "")
    assert len(make_reports(text)) == 2


def test_section_tree_nests_by_first_use_of_each_style():
    rep = make_report(
        "根据省委统一部署,省委第一巡视组对某区进行了常规巡视。\n"
        "一、关于政治建设方面\n"
        "(一)学习不深入。\n"
        "1.理论学习不够系统的问题。\n"
        "整改进展情况:已完成。\n"
        "2.学用脱节的问题。\n"
        "二、关于作风建设方面\n"
        "一是会议多的问题。\n"
    )
    top = rep.sections
    assert [s.marker for s in top] == ["一、", "二、"]
    sub = top[0].children[0]
    assert sub.marker == "(一)" and sub.level == 2
    assert [c.path for c in sub.children] == ["1.1.1", "1.1.2"]
    assert rep.surface(sub.children[0].heading) == "1.理论学习不够系统的问题。"
    # 一是 is a new style under 二、, not a sibling of (一)
    assert top[1].children[0].marker == "一是" and top[1].children[0].level == 2
    # a section ends where the next at its level begins
    assert "2.学用脱节" not in rep.surface(sub.children[0].span)


def test_chinese_numbers():
    assert [chinese_number(x) for x in ("一", "十", "十二", "二十三", "7", "③")] == [1, 10, 12, 23, 7, 3]


def test_sentences_and_lines_keep_exact_offsets():
    text = "第一句。第二句!\r\n第三句"
    rep = make_report(text)
    assert [rep.surface(s) for s in rep.sentences] == ["第一句。", "第二句!", "第三句"]
    assert [text[s.start:s.end] for s in rep.lines()] == ["第一句。第二句!", "第三句"]
    assert rep.sentence_at(5) == Span(4, 8)


def test_province_and_city_from_signature():
    rep = make_reports(TWO_REPORTS.replace("中共某某省甲厅党组", "中共辽宁省商务厅党组"))[0]
    assert rep.province == "辽宁"
    rep = make_report("省委第一巡视组对锦州市古塔区进行了常规巡视。\n正文。\n中共锦州市古塔区委\n2020年9月30日\n")
    assert rep.city == "锦州"


def test_city_of_a_county_report_comes_from_its_body_but_not_for_a_provincial_department():
    county = make_report("根据省委统一部署,省委第一巡视组对新邱区进行了常规巡视。\n阜新市新邱区委召开会议。\n")
    assert county.city == "阜新"
    department = make_report("根据省委统一部署,省委第二巡视组对省商务厅进行了常规巡视。\n沈阳市委召开会议。\n")
    assert department.city is None


def test_a_report_that_never_names_its_province_takes_the_files():
    first, second = make_reports(
        "根据省委统一部署,省委第二巡视组对辽宁省甲厅进行了常规巡视。\n正文。\n中共辽宁省甲厅党组\n2020年9月11日\n"
        "根据省委统一部署,省委第三巡视组对某区进行了常规巡视。\n" + "整改正文。" * 100 + "\n曾赴江苏省学习。\n")
    assert first.province == second.province == "辽宁"
    (alone,) = make_reports("根据省委统一部署,省委第三巡视组对某区进行了常规巡视。\n" + "整改正文。" * 100 + "\n曾赴江苏省学习。\n")
    assert alone.province == "江苏"


def test_site_boilerplate_around_a_report_is_not_report_text():
    text = ("首页 > 信息公开 > 巡视整改\n字体：【大 中 小】 打印本页 关闭窗口\n"
            "根据省委统一部署,省委第一巡视组对某县进行了常规巡视。\n整改正文。\n中共某县委员会\n2020年6月9日\n"
            "版权所有：某县人民政府  辽ICP备12345678号\n")
    (rep,) = make_reports(text)
    assert rep.body.startswith("根据省委统一部署") and rep.body.endswith("2020年6月9日")
    assert rep.surface(rep.publisher) == "中共某县委员会"


def test_a_long_sentence_mentioning_copyright_is_still_report_text():
    from kg.split import is_boilerplate
    assert is_boilerplate("版权所有 © 2020 某县人民政府")
    assert not is_boilerplate("针对版权所有单位未按规定登记的问题，" + "县委组织相关部门开展专项清理，" * 5)


def test_mentions_in_sees_things_added_after_an_earlier_lookup():
    rep = make_report("省甲厅印发办法。省乙厅开展行动。\n")
    a = rep.add("Unit", "省甲厅", Span(0, 3))
    assert rep.mentions_in(Span(0, 8), "Unit") == [(Span(0, 3), a)]
    b = rep.add("Unit", "省乙厅", Span(8, 11))
    a.mentions.append(Span(3, 5))
    assert rep.mentions_in(Span(0, 20), "Unit") == [(Span(0, 3), a), (Span(3, 5), a), (Span(8, 11), b)]
    assert rep.mentions_in(Span(2, 11)) == [(Span(3, 5), a), (Span(8, 11), b)]


def test_lines_from_a_span_are_those_starting_inside_it():
    from kg.split import _lines, _lines_from

    text = "一行\n\n第三行\r\n第四行"
    lines = _lines(text)
    assert [text[ln.start:ln.end] for ln in lines] == ["一行", "", "第三行", "第四行"]
    assert _lines_from(lines, Span(0, len(text))) == lines
    assert [text[ln.start:ln.end] for ln in _lines_from(lines, Span(3, 9))] == ["", "第三行"]
    assert _lines_from(lines, Span(1, 3)) == []  # a line starting at the span's end is not inside it
