"""Unit resolution on handmade snippets (kg/resolve/units.py): one key per real body, and no more."""
from pathlib import Path

from kg.extract.units import Units
from kg.model import Report, Source, Span
from kg.resolve.units import normal_form, resolve_teams, resolve_units


def build(text: str, publisher: str | None = None, **kw) -> Report:
    src = Source(Path("t.txt"), text)
    r = Report(src, 0, Span(0, len(text)), **kw)
    if publisher:
        s = text.rindex(publisher)
        r.publisher = Span(s, s + len(publisher))
    Units()(r)
    resolve_units(r)
    resolve_teams(r)
    return r


def key_of(r: Report, surface: str, kind: str = "Unit"):
    for t in r.things_of(kind):
        if any(r.surface(m) == surface for m in t.mentions):
            return t.key
    raise AssertionError(f"{surface} not found")


def thing_of(r: Report, surface: str, kind: str = "Unit"):
    return next(t for t in r.things_of(kind) if any(r.surface(m) == surface for m in t.mentions))


DEPT = ("省委第二巡视组对我厅开展了巡视。省水利厅党组高度重视，厅党组召开会议，省水利厅制定方案。"
        "省财政厅给予支持。\n中共吉林省水利厅党组\n2021年5月1日")


def test_department_names_share_one_key():
    r = build(DEPT, "中共吉林省水利厅党组", province="吉林")
    keys = {key_of(r, s) for s in ("我厅", "省水利厅党组", "厅党组", "省水利厅", "中共吉林省水利厅党组")}
    assert keys == {"吉林省水利厅"}
    assert thing_of(r, "省水利厅").scope == "global"


def test_other_department_stays_apart():
    r = build(DEPT, "中共吉林省水利厅党组", province="吉林")
    assert key_of(r, "省财政厅") == "吉林省财政厅" != key_of(r, "省水利厅")


def test_short_provincial_name_takes_the_reports_province():
    r = build("省委巡视组反馈后，省财政厅和省委召开会议。", province="河南")
    assert key_of(r, "省财政厅") == "河南省财政厅"
    assert thing_of(r, "省委").label == "中共河南省委"


def test_same_short_name_other_province_differs():
    a = build("省财政厅参加。", province="河南")
    b = build("省财政厅参加。", province="吉林")
    assert key_of(a, "省财政厅") != key_of(b, "省财政厅")


def test_global_thing_carries_no_self_reference_alias():
    r = build(DEPT, "中共吉林省水利厅党组", province="吉林")
    for t in r.things_of("Unit"):
        if t.scope == "global":
            assert not ({"我厅", "厅党组"} & t.names)


def test_county_committee_is_the_county_and_self_references():
    text = "市委第一巡察组对龙山县开展了巡察。县委高度重视，我县成立领导小组，龙山县委书记任组长。\n中共龙山县委员会\n2020年1月2日"
    r = build(text, "中共龙山县委员会", city="某城")
    k = key_of(r, "中共龙山县委员会")
    assert key_of(r, "县委") == k == key_of(r, "我县")
    assert thing_of(r, "县委").scope == "report"


def test_county_committee_in_a_department_report_is_not_the_inspected_unit():
    # 县委 means the inspected unit only in a county report
    r = build("县委要求各部门配合。\n中共吉林省水利厅党组\n2021年5月1日", "中共吉林省水利厅党组", province="吉林")
    assert key_of(r, "县委") != key_of(r, "中共吉林省水利厅党组")


def test_city_committee_with_known_city():
    r = build("市委要求抓好整改，市委统一部署。", city="锦城")
    assert key_of(r, "市委") == "锦城市"
    assert thing_of(r, "市委").label == "中共锦城市委"


def test_city_committee_without_city_is_per_report():
    r = build("市委要求抓好整改。")
    t = thing_of(r, "市委")
    assert t.scope == "report" and t.key == "市委"


def test_short_name_defined_in_text():
    text = "成立龙山区巡视整改工作领导小组（以下简称“整改小组”），整改小组每周调度。"
    r = build(text)
    full = next(t for t in r.things_of("Unit") if t.label.endswith("巡视整改工作领导小组"))
    assert key_of(r, "整改小组") == full.key


def test_tail_of_one_longer_name_merges_but_of_two_does_not():
    r = build("龙山县纪委监委开展监督，纪委监委通报。")
    assert key_of(r, "纪委监委") == key_of(r, "龙山县纪委监委")
    r = build("县委组织部和市委组织部联合督导，组织部通报。")
    assert key_of(r, "组织部") not in {key_of(r, "县委组织部"), key_of(r, "市委组织部")}


def test_teams_are_per_report_and_unnumbered_team_is_the_reports():
    r = build("省委第三巡视组进驻。省委巡视组反馈意见。")
    t = thing_of(r, "省委巡视组", "InspectionTeam")
    assert t.key == key_of(r, "省委第三巡视组", "InspectionTeam") and t.scope == "report"


def test_unnumbered_team_with_two_numbered_teams_stays_apart():
    r = build("省委第三巡视组和省委第五巡视组进驻。省委巡视组反馈意见。")
    k = key_of(r, "省委巡视组", "InspectionTeam")
    assert k not in {key_of(r, "省委第三巡视组", "InspectionTeam"), key_of(r, "省委第五巡视组", "InspectionTeam")}


def test_normal_forms():
    r = Report(Source(Path("t"), "x"), 0, Span(0, 1), province="吉林")
    assert normal_form("中共龙山县委员会", r) == "龙山县"
    assert normal_form("县政府党组", r) == "县政府"
    assert normal_form("锦城市龙山区人民政府", r) == "龙山区政府"
    assert normal_form("省水利厅党组", r) == "吉林省水利厅"
    assert normal_form("县纪委监委", r) == normal_form("县纪委", r)
    assert normal_form("县政府办公室", r) == normal_form("县政府办", r)
    assert normal_form("县财政局", r) != normal_form("县审计局", r)


def test_standard_abbreviation_is_the_same_body():
    r = build("吉林自由贸易试验区工作领导小组召开会议，吉林自贸试验区工作领导小组部署任务。", province="吉林")
    assert key_of(r, "吉林自由贸易试验区工作领导小组") == key_of(r, "吉林自贸试验区工作领导小组")


def test_abbreviation_does_not_merge_different_zones():
    # counter-example: 自贸试验区 and 综合保税区 are different bodies even with the same tail
    r = build("吉林自贸试验区工作领导小组和吉林综合保税区工作领导小组开会。", province="吉林")
    assert key_of(r, "吉林自贸试验区工作领导小组") != key_of(r, "吉林综合保税区工作领导小组")


def test_county_names_with_and_without_the_county_are_one():
    r = build("县纪委监委开展监督，龙山县纪委监委通报。县政法委和县委政法委。\n中共龙山县委员会\n2021年5月1日",
              "中共龙山县委员会")
    assert key_of(r, "县纪委监委") == key_of(r, "龙山县纪委监委")
    assert key_of(r, "县政法委") == key_of(r, "县委政法委")


def test_county_prefix_does_not_merge_another_county():
    # counter-example: 松山县财政局 in 龙山县's report is not 县财政局
    r = build("县财政局和松山县财政局。\n中共龙山县委员会\n2021年5月1日", "中共龙山县委员会")
    assert key_of(r, "县财政局") != key_of(r, "松山县财政局")


def test_term_number_does_not_make_another_body():
    r = build("县委十六届常委会召开会议，县委常委会研究。\n中共龙山县委员会\n2021年5月1日", "中共龙山县委员会")
    assert key_of(r, "县委十六届常委会") == key_of(r, "县委常委会")


def test_bare_department_is_the_reports_own_when_two_levels_have_one():
    r = build("县委组织部和市委组织部联合发文，组织部部长讲话。\n中共龙山县委员会\n2021年5月1日", "中共龙山县委员会")
    assert key_of(r, "组织部") == key_of(r, "县委组织部") != key_of(r, "市委组织部")


def test_bare_department_stays_apart_in_a_provincial_report():
    # counter-example: in a department's report, the county rule does not apply
    r = build("甲县委组织部和乙县委组织部，组织部部长讲话。\n中共吉林省水利厅党组\n2021年5月1日",
              "中共吉林省水利厅党组", province="吉林")
    assert key_of(r, "组织部") not in (key_of(r, "甲县委组织部"), key_of(r, "乙县委组织部"))


def _self_named(recipient: str) -> Report:
    """An unsigned report that names the inspected unit only as 我市; ``recipient`` received the findings."""
    text = f"省委第一巡视组对我市进行了常规巡视。3月3日，{recipient}收到了反馈意见。龙泉市委成立领导小组，我市抓好整改。"
    r = Report(Source(Path("t.txt"), text), 0, Span(0, len(text)), province="辽宁")
    Units()(r)
    r.meta["inspected_unit_thing"] = thing_of(r, "我市")
    r.meta["feedback_recipient"] = recipient
    resolve_units(r)
    return r


def test_a_unit_named_only_as_wo_shi_takes_its_name_from_the_recipient_of_the_findings():
    r = _self_named("龙泉市委")
    assert thing_of(r, "我市").label != "我市"
    assert key_of(r, "我市") == key_of(r, "龙泉市委")
    # counter-example: a recipient that is itself a self-reference names nothing
    r = _self_named("我市")
    assert key_of(r, "龙泉市委") != key_of(r, "我市")
