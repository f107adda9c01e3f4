"""Persons, their titles and posts, on small handmade snippets (names and units are invented)."""
from __future__ import annotations

from conftest import make_report

from kg.extract.persons import PersonExtractor
from kg.model import Span
from kg.resolve import resolve

HEAD = "根据省委统一部署，省委第三巡视组对省甲乙厅进行了常规巡视。\n"


def run(body: str, units: tuple[str, ...] = (), inspected: str | None = None):
    """Split ``body`` into a report, add the given units (as the units component would), run persons."""
    rep = make_report(HEAD + body)
    for u in units:
        start = rep.text.find(u, len(HEAD))
        assert start >= 0, u
        thing = rep.add("Unit", u, Span(start, start + len(u)))
        if u == inspected:
            rep.meta["inspected_unit_thing"] = thing
    PersonExtractor()(rep)
    return rep


def held(rep) -> dict[str, list[str]]:
    """person label -> titles of the posts they hold (in order)."""
    out: dict[str, list[str]] = {}
    for rel in rep.relations:
        if rel.predicate == "org:holds":
            out.setdefault(rel.subject.label, []).append(rel.object.label)
    return out


def unheld(rep) -> list[str]:
    holders = {id(r.object) for r in rep.relations if r.predicate == "org:holds"}
    return [p.label for p in rep.things_of("Post") if id(p) not in holders]


def persons(rep) -> set[str]:
    return {p.label for p in rep.things_of("Person")}


def post_units(rep) -> dict[str, str]:
    return {r.subject.label: r.object.label for r in rep.relations if r.predicate == "org:postIn"}


def test_titles_before_the_name_and_mentions_are_exact():
    rep = run("会后，厅党组书记、厅长钱明远同志主持召开专题会议。\n")
    assert held(rep) == {"钱明远": ["党组书记", "厅长"]}
    p = rep.things_of("Person")[0]
    assert [rep.surface(m) for m in p.mentions] == ["钱明远"]
    for post in rep.things_of("Post"):
        assert rep.surface(post.mentions[0]) == post.label


def test_title_after_the_name():
    rep = run("5月8日，孔令辉副省长带队调研，并听取了汇报。\n")
    assert held(rep) == {"孔令辉": ["副省长"]}


def test_a_list_of_persons_each_with_titles_and_a_shared_role():
    rep = run("成立领导小组，由厅党组副书记、副厅长严若谷和副厅长梅小川同志任副组长，其他成员参加。\n")
    h = held(rep)
    assert h["严若谷"] == ["党组副书记", "副厅长", "副组长"]
    assert h["梅小川"] == ["副厅长", "副组长"]


def test_names_listed_before_a_count_of_comrades_share_the_post():
    rep = run("由县委书记郑一鸣任组长，县委副书记、县长孟思远，县政协主席邱子安2名同志为副组长。\n")
    h = held(rep)
    assert h["郑一鸣"] == ["县委书记", "组长"]
    assert h["孟思远"] == ["县委副书记", "县长", "副组长"]
    assert h["邱子安"] == ["政协主席", "副组长"]


def test_given_name_before_tongzhi_is_an_alias_of_the_full_name():
    rep = run("局党组书记欧阳明哲同志作表态发言。会后明哲同志又主持召开会议，明哲书记强调。\n")
    res = resolve([rep])
    people = [t for t in res.things if t.kind == "Person"]
    assert len(people) == 1
    assert people[0].label == "欧阳明哲" and "明哲" in people[0].alt_labels
    assert len(res.mentions(people[0], rep)) == 3
    titles = sorted(rel.object.label for _, rel in res.relations if rel.predicate == "org:holds")
    assert titles == ["书记", "党组书记"]


def test_given_name_shared_by_two_persons_stays_unresolved():
    rep = run("局长钱建国同志和副局长孙建国同志出席会议。会上建国同志作了发言。\n")
    res = resolve([rep])
    labels = sorted(t.label for t in res.things if t.kind == "Person")
    assert labels == ["孙建国", "建国", "钱建国"]


def test_posts_held_by_nobody():
    rep = run("由市委常委、副市长兼任管委会主任，其他班子成员为成员。\n")
    assert unheld(rep) == ["市委常委", "副市长", "管委会主任"]
    assert persons(rep) == set()


def test_a_full_unit_name_in_front_goes_to_post_in():
    rep = run("辽宁省甲乙厅厅长刘海川同志出席会议。\n", units=("辽宁省甲乙厅",))
    assert held(rep) == {"刘海川": ["厅长"]}
    assert post_units(rep) == {"厅长": "辽宁省甲乙厅"}


def test_abbreviated_unit_prefix_means_the_inspected_unit():
    rep = run("省甲乙厅召开会议，厅党组书记何东来同志出席。\n", units=("省甲乙厅",), inspected="省甲乙厅")
    assert held(rep) == {"何东来": ["党组书记"]}
    assert post_units(rep) == {"党组书记": "省甲乙厅"}


def test_meeting_names_hotlines_and_plural_generics_are_no_posts():
    rep = run("召开厅长碰头会，开通市长热线，要求各级党组织书记履行责任。\n")
    assert unheld(rep) == []


def test_words_after_a_title_that_are_not_names():
    rep = run("区委书记高度重视，区妇联主席任现职多年，分管副区长包领域、包项目。\n")
    assert persons(rep) == set()


def test_anonymised_names_are_no_persons_but_the_post_stays():
    rep = run("开发区管委会副主任张某涉嫌严重违纪。\n")
    assert persons(rep) == set()
    assert unheld(rep) == ["管委会副主任"]


def test_field_labels_give_persons_without_posts():
    rep = run("责任领导：吕向东；责任处室：办公室；责任人：黄小梅。\n")
    assert persons(rep) == {"吕向东", "黄小梅"}
    assert held(rep) == {}


def test_names_before_tongzhi_without_titles_and_counter_examples():
    rep = run("同时，焦一鸣、石磊等同志认领了问题。相关负责同志和新同志参加。\n")
    assert persons(rep) == {"焦一鸣", "石磊"}


def test_same_title_with_and_without_unit_is_one_post_of_the_person():
    rep = run("省甲乙厅党组书记金晓光同志出席。党组书记金晓光主持会议。\n", units=("省甲乙厅",))
    res = resolve([rep])
    person = next(t for t in res.things if t.kind == "Person")
    posts = {id(rel.object) for _, rel in res.relations if rel.subject is person and rel.predicate == "org:holds"}
    assert len(posts) == 1


def test_role_and_held_post_with_the_same_title_stay_apart():
    rep = run("党组书记金晓光主持会议。会议要求落实党组书记第一责任人职责。\n")
    res = resolve([rep])
    posts = [t for t in res.things if t.kind == "Post"]
    assert sorted(p.label for p in posts) == ["党组书记", "党组书记"]


def test_persons_do_not_merge_across_reports_unless_name_and_titles_agree():
    text = ("根据省委统一部署，省委第三巡视组对甲县进行了常规巡视。县长严明远主持会议。\n中共甲县委员会\n2020年1月2日\n"
            "根据省委统一部署，省委第三巡视组对乙县进行了常规巡视。局长严明远主持会议。学习习近平总书记重要讲话。\n")
    from conftest import make_reports

    reps = make_reports(text)
    assert len(reps) == 2
    for r in reps:
        PersonExtractor()(r)
    res = resolve(reps)
    names = sorted(t.label for t in res.things if t.kind == "Person")
    assert names == sorted(["习近平", "严明远", "严明远"])


def test_a_name_with_no_title_before_a_verb_and_a_title():
    rep = run("会议决定，由杜长青任组长，负责统筹。\n")
    assert held(rep) == {"杜长青": ["组长"]}


def test_same_title_in_two_units_is_two_posts_and_same_unit_is_one():
    rep = run("甲县林业局局长柯一平、乙县水利局局长柯二平出席。甲县林业局局长柯一平讲话。\n",
              units=("甲县林业局", "乙县水利局"))
    res = resolve([rep])
    posts = [t for t in res.things if t.kind == "Post"]
    assert sorted(p.label for p in posts) == ["局长", "局长"]
    ins = {rel.object.label for _, rel in res.relations if rel.predicate == "org:postIn"}
    assert ins == {"甲县林业局", "乙县水利局"}


def test_titles_inside_a_document_title_are_no_posts():
    rep = run("印发了《关于县委书记专题听取汇报的办法》。\n")
    assert unheld(rep) == []


def test_a_person_merges_across_reports_only_through_units_known_beyond_one_report():
    """县纪委 is resolved in each report alone (every county has one): 书记严明远 of two counties' 县纪委 are two
    persons. 省纪委 is one body for the province: 书记严明远 of 省纪委 in two reports is one person."""
    def report(name: str, unit: str):
        rep = make_report(HEAD + f"{unit}书记严明远主持会议。\n", name)
        rep.province = "辽宁"
        start = rep.text.find(unit, len(HEAD))
        rep.add("Unit", unit, Span(start, start + len(unit)))
        PersonExtractor()(rep)
        return rep

    for unit, persons in (("县纪委", 2), ("省纪委", 1)):
        res = resolve([report("甲县.txt", unit), report("乙县.txt", unit)])
        assert sorted(t.label for t in res.things if t.kind == "Person") == ["严明远"] * persons
        assert len([t for t in res.things if t.kind == "Unit"]) == persons  # 县纪委 stays two; 省纪委 is one


def test_occurrences_of_a_word_are_found_left_to_right_without_overlap_inside_bounds():
    from kg.extract.persons import _occurrences

    text = "刘军同志、刘军刘军同志同志"
    assert list(_occurrences(text, "刘军", 0, len(text))) == [0, 5, 7]
    assert list(_occurrences(text, "同志", 3, len(text))) == [9, 11]  # bounds: the first 同志 starts at 2
    assert list(_occurrences(text, "同志", 0, 10)) == [2]  # one ending past the bound does not count
    assert list(_occurrences("哈哈哈", "哈哈", 0, 3)) == [0]  # as re.finditer: no overlapping occurrences
