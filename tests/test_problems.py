"""Component "problems": problems with their status (and categories), and dated deadlines."""
import pytest

from kg.extract.problems import ProblemExtractor, classify_status, status_lines
from kg.model import PartialDate
from conftest import make_report

OPENING = "根据省委统一部署,2021年3月1日至4月30日,省委第九巡视组对某某区进行了常规巡视。\n"
SIGNATURE = "中共某某区委员会\n2021年10月8日\n"


def _run(body, signature=SIGNATURE):
    rep = make_report(OPENING + body + signature)
    ProblemExtractor()(rep)
    return rep


def _by_label(rep):
    return {t.label: t for t in rep.things_of("Problem")}


@pytest.mark.parametrize("sentence, status, long_term", [
    ("已完成", "Completed", False),
    ("此项问题已整改完成", "Completed", False),
    ("已经完成整改并坚持长期推进", "Completed", True),
    ("整改完毕，需要长期坚持", "Completed", True),
    ("落实完成，长期坚持", "Completed", True),
    ("已完成并将长期坚持", "Completed", True),
    ("正在整改，预计12月底前完成", "InProgress", False),
    ("持续整改", "InProgress", False),
    ("取得阶段性成效，长期推进", "InProgress", True),
    ("2021年12月底前取得阶段性进展", "InProgress", False),
    ("2条措施已完成", "InProgress", False),
    ("基本完成整改", "InProgress", False),
    ("已完成阶段性任务，长期推进", "InProgress", True),
    ("完成", "Completed", False),
    ("制定了工作方案，已完成三次培训", None, False),  # a measure, not a status: no phrase in the first clause
])
def test_status_phrase_families(sentence, status, long_term):
    assert classify_status(sentence) == (status, long_term)


NESTED = (
    "一、整改落实情况\n"
    "(一)政治建设有差距\n"
    "1.理论学习不深入的问题。\n"
    "(1)关于中心组学习不系统的问题。\n"
    "整改措施:制定学习计划。\n"
    "整改进展情况:已完成,长期坚持。\n"
    "(2)关于学用脱节的问题。\n"
    "整改措施:开展调研。\n"
    "整改进展情况:正在整改,年底前完成。\n"
    "2.意识形态责任制落实不力的问题。\n"
    "一是阵地管理不严。\n"
    "(1)清理宣传栏。\n"
    "(2)修订管理办法。\n"
    "整改进展情况:已完成。\n"
    "(二)作风建设不实\n"
    "3.文山会海的问题。\n"
    "(1)关于会议过多的问题。\n"
    "整改进展情况:已整改完毕。\n"
    "二、下一步工作打算\n"
    "继续巩固。\n"
)


def test_nested_problem_tree():
    rep = _run(NESTED)
    probs = _by_label(rep)
    a = probs["关于中心组学习不系统的问题"]
    assert (a.attrs["status"], a.attrs["longTerm"]) == ("Completed", True)
    assert probs["关于学用脱节的问题"].attrs["status"] == "InProgress"
    # measures (1)(2) under 一是 leave 一是 as the problem
    assert probs["阵地管理不严"].attrs["status"] == "Completed"
    assert "清理宣传栏" not in probs
    # a category holding a single problem still yields the problem itself
    assert probs["关于会议过多的问题"].attrs["status"] == "Completed"
    cat = probs["理论学习不深入的问题"]
    assert "status" not in cat.attrs and cat.attrs["sectionNumber"] == "1.1.1"
    assert rep.surface(a.mentions[0]).startswith("(1)关于中心组学习")
    parents = {(r.subject.label, r.object.label) for r in rep.relations if r.predicate == "xs:partOf"}
    assert ("关于中心组学习不系统的问题", "理论学习不深入的问题") in parents
    assert ("理论学习不深入的问题", "政治建设有差距") in parents
    assert ("阵地管理不严", "意识形态责任制落实不力的问题") in parents
    assert not any(p == "整改落实情况" for _, p in parents)  # a part of the report, not a category
    statuses = [t.attrs["status"] for t in rep.things_of("Problem") if "status" in t.attrs]
    assert sorted(statuses) == ["Completed"] * 3 + ["InProgress"]
    assert len({t.key for t in rep.things_of("Problem")}) == len(rep.things_of("Problem"))


def test_year_end_deadline_takes_the_report_year_and_links_to_its_problem():
    rep = _run(NESTED)
    (dl,) = rep.things_of("Deadline")
    assert dl.label == "年底前" and rep.surface(dl.mentions[0]) == "年底前"
    assert dl.attrs["dueDate"] == PartialDate(2021)
    (rel,) = [r for r in rep.relations if r.predicate == "xs:deadline"]
    assert rel.subject.label == "关于学用脱节的问题" and rel.object is dl


def test_which_dates_are_deadlines():
    body = (
        "一、整改情况\n"
        "1.某问题。\n"
        "整改措施:要求各单位每月28日前报送进展,2021年前五个月完成培训3次,预计12月末完成,9月底完成评估。"
        "3月底前已完成自查,确保2022年6月30日之前全部完成,10月末前完工,2016年以前的欠款。\n"
        "整改时限:2021年12月。\n"
        "整改进展情况:正在整改,2021年11月中旬前完成。\n"
    )
    rep = _run(body)
    got = sorted((d.label, d.attrs["dueDate"].iso()) for d in rep.things_of("Deadline"))
    assert got == sorted([("3月底前", "2021-03"), ("2022年6月30日之前", "2022-06-30"),
                          ("2021年12月", "2021-12"), ("2021年11月中旬前", "2021-11")])


def test_adjacent_status_lines_are_one_statement():
    body = (
        "一、整改情况\n"
        "一是某问题。\n"
        "整改情况:已完成制度修订。\n"
        "进展情况:正在整改。\n"
        "二是另一问题。\n"
        "进展情况:落实完成。\n"
    )
    rep = _run(body)
    assert [s.status for s in status_lines(rep)] == ["InProgress", "Completed"]


def test_statuses_inside_one_paragraph():
    body = ("一、整改情况\n"
            "问题一:制度不健全。整改情况:已完成。问题二:台账不规范。整改情况:正在整改。问题三:培训不足。整改情况:已整改。\n")
    rep = _run(body)
    statuses = [t.attrs["status"] for t in rep.things_of("Problem") if "status" in t.attrs]
    assert statuses == ["Completed", "InProgress", "Completed"]
    labels = [t.label for t in rep.things_of("Problem") if "status" in t.attrs]
    assert labels[1] == "问题二:台账不规范"


def test_no_status_no_problem():
    rep = _run("一、整改情况\n开展了大量工作,已完成多项任务。\n")
    assert rep.things_of("Problem") == []
