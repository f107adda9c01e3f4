"""bench/scale_corpus.py: copies of a seed that name other places, persons, years and teams, and stay
reports kg reads. Small: one seed file at factor 2, a handmade report, and one build of one copy."""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from kg import lexicon
from kg.build import build_corpus

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "001_5032cd9a5b37af7f.txt"  # the smallest seed: one Shandong report


def _load_scaler():
    spec = importlib.util.spec_from_file_location("scale_corpus", ROOT / "bench" / "scale_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


sc = _load_scaler()
GAZETTEER = sc.Gazetteer.load()
DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年([0-9]{1,2})月([0-9]{1,2})日")

REPORT = ("辽宁省商务厅党组关于巡视整改进展情况的通报\n"
          "根据省委统一部署，省委第八巡视组于2019年10月25日至12月31日对省商务厅党组进行了巡视。"
          "2020年2月29日，省委巡视组向省商务厅党组反馈了巡视意见。\n"
          "厅党组书记、厅长宋彦麟同志担任组长，厅党组副书记、副厅长王广利和副厅长王景明同志任副组长。"
          "彦麟同志第一时间传达反馈意见。\n"
          "省委第三巡视组对沈阳市法库县开展巡视时指出的问题，法库县委已按《关于加强巡视整改工作的意见》"
          "（辽委发〔2019〕12号）整改。\n"
          "中共辽宁省商务厅党组\n2020年6月30日\n")


def places_in(text: str) -> Counter:
    return Counter(GAZETTEER.names_pattern().findall(text))


def provinces_in(text: str) -> set[str]:
    return {name for name in places_in(text) if name in GAZETTEER.cities}


def dates_in(text: str) -> list[tuple[int, int, int]]:
    return [(int(y), int(m), int(d)) for y, m, d in DATE.findall(text)]


@pytest.fixture(scope="module")
def scaled(tmp_path_factory) -> list[Path]:
    return sc.scale([SEED], 2, tmp_path_factory.mktemp("x2") / "corpus", seed=0)


def test_copy_zero_is_the_seed_and_the_other_is_distinct_valid_utf8(scaled):
    assert [p.name for p in scaled] == ["001_5032cd9a5b37af7f-v001.txt", "001_5032cd9a5b37af7f.txt"]
    copy, original = (p.read_bytes().decode("utf-8") for p in scaled)  # raises if not UTF-8
    assert original == SEED.read_text(encoding="utf-8")
    assert copy != original
    assert len(copy.splitlines()) == len(original.splitlines())  # the same report, edited in place


def test_the_copy_moves_to_another_province_and_city(scaled):
    copy, original = (p.read_text(encoding="utf-8") for p in scaled)
    assert provinces_in(original) == {"山东"}
    assert provinces_in(copy) and provinces_in(copy) != provinces_in(original)
    seed_places = set(places_in(original))
    assert {"东营", "济南", "青岛"} <= seed_places
    assert not seed_places & set(places_in(copy)), "a place of the seed is left in the copy"
    # one for one: as many distinct places, each named as often as the one it replaces
    assert sorted(places_in(copy).values()) == sorted(places_in(original).values())


def test_years_move_together_and_dates_stay_valid(scaled):
    copy, original = (p.read_text(encoding="utf-8") for p in scaled)
    before, after = dates_in(original), dates_in(copy)
    assert len(before) == len(after) > 0
    shifts = {a[0] - b[0] for a, b in zip(after, before)}
    assert len(shifts) == 1 and 1 <= shifts.pop() <= 6
    assert [a[1:] for a in after] == [b[1:] for b in before]
    for year, month, day in after:
        dt.date(year, month, day)  # raises on an invalid date


def test_the_scaler_is_deterministic(scaled, tmp_path):
    again = sc.scale([SEED], 2, tmp_path / "again", seed=0)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in scaled]
    other = sc.scale([SEED], 2, tmp_path / "other", seed=1)
    assert other[0].read_bytes() != scaled[0].read_bytes()


def test_a_copy_is_a_report_kg_builds(scaled, tmp_path):
    summary = build_corpus([scaled[0]], tmp_path / "out", progress=False)
    assert summary.skipped == []
    assert summary.reports == 1 and summary.per_class["Inspection"] == 1
    labels = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert "东营" not in labels
    new_city = next(name for name in places_in(scaled[0].read_text(encoding="utf-8"))
                    if name in GAZETTEER.province_of)
    assert new_city in labels


def test_persons_get_new_names_kg_still_recognises():
    scaler = sc.Scaler()
    original, copy = scaler.copies(REPORT, "snippet.txt", 2, seed=3)
    before = {key for *_, key in sc.person_mentions(original)}
    after = {key for *_, key in sc.person_mentions(copy)}
    assert {"宋彦麟", "王广利", "王景明", "~彦麟"} <= before
    full_before = {k for k in before if not k.startswith("~")}
    # a given name alone is keyed ~GIVEN, or, when it starts with a surname too (景明同志 next to 江景明),
    # as a two-character name, which kg's resolver unites with the full name: both count as references
    given_alone = {k.lstrip("~") for k in after
                   if k.startswith("~") or any(n != k and n.endswith(k) for n in after)}
    full_after = {k for k in after if not k.startswith("~")} - given_alone
    assert len(full_after) == len(full_before) and not full_after & full_before
    assert all(name[0] in lexicon.words("surnames") for name in full_after)
    # 彦麟同志 follows 宋彦麟: the given name alone is the given name of one of the renamed persons
    assert len(given_alone) == 1 and any(name[1:] in given_alone for name in full_after)


def test_teams_abbreviations_and_leap_days_in_a_copy():
    scaler = sc.Scaler()
    copies = scaler.copies(REPORT, "snippet.txt", 8, seed=0)
    for copy in copies[1:]:
        teams = re.findall(r"省委第(.{1,2})巡视组", copy)
        assert len(teams) == 2 and teams[0] != teams[1]  # 第八 and 第三 stay two teams
        assert "辽" not in copy and "沈阳" not in copy and "法库" not in copy
        abbreviation = GAZETTEER.abbreviation[next(iter(provinces_in(copy)))]
        assert re.search(f"（{abbreviation}委发〔20[0-9]{{2}}〕12号）", copy)
        for year, month, day in dates_in(copy):
            dt.date(year, month, day)
    assert len({re.findall(r"省委第(.{1,2})巡视组", c)[0] for c in copies}) > 1, "ordinals never varied"


def test_the_data_files_fit_kg_lexicons():
    surnames = set(lexicon.words("surnames"))
    assert set(sc._data_lines(sc.DATA / "surnames.txt")) <= surnames
    assert set(GAZETTEER.provinces) <= set(lexicon.words("provinces"))
    for district in GAZETTEER.homes:
        assert district[-1] in sc.SUFFIXES, district
        assert district[:-1] not in GAZETTEER.province_of and district[:-1] not in GAZETTEER.cities, district
