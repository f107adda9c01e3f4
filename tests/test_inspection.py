"""Component "inspection": the opening clause gives the inspection, its team and inspected unit."""
from kg.extract.inspection import InspectionExtractor, inspection_types, unit_names_from_org
from kg.model import PartialDate
from conftest import make_report


def _run(text):
    rep = make_report(text)
    InspectionExtractor()(rep)
    return rep


def _inspection(rep):
    found = rep.things_of("Inspection")
    assert len(found) == 1
    return found[0]


DEICTIC = (
    "按照省委统一部署,2021年11月8日至1月7日,省委第五巡视组对我局开展了机动巡视。1月25日,省委巡视组向局党组反馈了意见。\n"
    "一、整改工作情况\n"
    "正文。\n"
    "中共某某省林业局党组\n"
    "2022年6月30日\n"
)


def test_deictic_unit_gets_the_signature_names_and_dates_roll_over():
    rep = _run(DEICTIC)
    insp = _inspection(rep)
    assert insp.attrs["startDate"] == PartialDate(2021, 11, 8)
    assert insp.attrs["endDate"] == PartialDate(2022, 1, 7)  # end month < start month: next year
    assert insp.attrs["feedbackDate"] == PartialDate(2022, 1, 25)
    assert insp.attrs["inspectionType"] == ["机动巡视"]
    unit = rep.meta["inspected_unit_thing"]
    assert unit.label == "我局" and rep.meta["inspected_unit"] == "我局"
    assert {"某某省林业局", "中共某某省林业局党组"} <= unit.alt_labels
    assert rep.surface(unit.mentions[0]) == "我局"
    team = rep.meta["team_thing"]
    assert team.label == team.key == "省委第五巡视组"
    rels = {(r.predicate, r.object.label) for r in rep.relations if r.subject is insp}
    assert rels == {("xs:team", "省委第五巡视组"), ("xs:inspectedUnit", "我局")}
    assert rep.surface(insp.mentions[0]).startswith("省委第五巡视组对我局")


def test_several_stated_kinds_and_year_from_feedback_when_unsigned():
    rep = _run("根据部署,2022年8月1日至9月30日,省委第二巡视组对某某县进行了常规巡视和乡村振兴专项巡视。"
               "2022年11月3日,省委巡视组向某某县委反馈了巡视意见。2025年将继续巩固。\n一、总体情况\n正文。\n")
    insp = _inspection(rep)
    assert insp.attrs["inspectionType"] == ["常规巡视", "乡村振兴专项巡视"]
    assert rep.year == 2022  # no signature: the feedback's year, not the latest year in the text
    assert rep.meta["inspected_unit_thing"].label == "某某县"


def test_xuncha_by_a_city_committee_team():
    rep = _run("根据市委统一部署,2022年3月1日至4月30日,市委第三巡察组对某某街道党工委开展了巡察。"
               "6月9日,市委巡察组向某某街道党工委反馈了巡察意见。\n一、整改情况\n正文。\n")
    insp = _inspection(rep)
    assert insp.attrs["inspectionType"] == ["巡察"]
    assert insp.attrs["feedbackDate"] == PartialDate(2022, 6, 9)
    assert rep.meta["team_thing"].label == "市委第三巡察组"
    assert rep.meta["inspected_unit_thing"].label == "某某街道党工委"


def test_noisy_dates_are_left_out():
    rep = _run("根据省委统一部署,2019810日至1015,省委第四巡视组对某某区进行了常规巡视。\n一、总体情况\n正文。\n")
    insp = _inspection(rep)
    assert "startDate" not in insp.attrs and "endDate" not in insp.attrs
    assert insp.attrs["inspectionType"] == ["常规巡视"]


def test_team_named_with_its_round():
    rep = _run("2022年4月6日至6月10日,十二届区委第二轮巡察第一巡察组对某某社区党委进行了常规巡察。\n一、总体情况\n正文。\n")
    assert rep.meta["team_thing"].label == "十二届区委第二轮巡察第一巡察组"
    assert _inspection(rep).attrs["inspectionType"] == ["常规巡察"]


def test_no_opening_no_inspection():
    rep = _run("关于某项工作的情况说明\n一、基本情况\n今年以来开展了工作。\n")
    assert rep.things_of("Inspection") == []


def test_helpers():
    assert inspection_types("因公出国(境)方面的机动巡视") == ["机动巡视"]
    assert inspection_types("巡视") == ["巡视"]
    names = unit_names_from_org("中共某某省商务厅党组", "某某")
    assert names[:3] == ["中共某某省商务厅党组", "某某省商务厅党组", "某某省商务厅"]
    assert "省商务厅" in names
    assert "某某市某区" in unit_names_from_org("中共某某市某区委")
