#!/usr/bin/env python3
"""Make a corpus FACTOR times the seeds, whose copies name other places, persons, years and teams.

    .venv/bin/python bench/scale_corpus.py --factor 10 --out /tmp/x10          # seeds/ → 10 files per seed
    .venv/bin/python bench/scale_corpus.py --factor 100 --out /tmp/x100 --seed 7 --seeds my-seeds/

Why not plain copies: a copy that names the same units, persons and teams as its seed is resolved into the
seed's nodes, so a bigger corpus of copies would not make resolution or the store do more work. Copy 0 of
each seed file is the seed itself (so ``--factor 1`` is the seeds); copy i ≥ 1 is a new file
``STEM-vNNN.txt`` in which, consistently within the file:

* places: each province, city and district of ``scale_data/places.tsv`` the text names becomes one of
  another province (辽宁 → 江苏, 沈阳 → 南京, 法库县 → 溧水县: a district keeps its suffix 区/县/市 and the
  stem alone is replaced too, 法库 → 溧水), and the province's abbreviation in document numbers (辽委发〔…〕);
* persons: every name kg recognises (its own person extractor finds them, so the copy's names are where
  kg looks) gets another surname, one for one over ``scale_data/surnames.txt``, and another given name of
  the same length, one for one among the file's persons; a given name alone (彦麟同志) follows its person;
  ``scale_data/keep_persons.txt`` (national leaders) stays;
* years: every year (2019年, 〔2020〕, 2016-2020) moves by the same +k (1..6); 2月29日 becomes 2月28日 when
  k is no multiple of 4, so every date stays valid;
* team ordinals: 第八巡视组 → 第三巡视组, one for one over 一…十五.

Deterministic: the same seeds, factor and ``--seed`` give the same files, byte for byte.
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = Path(__file__).resolve().parent / "scale_data"
SUFFIXES = "区县市"  # a district, county or county-level city keeps its kind
ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
            "十一", "十二", "十三", "十四", "十五")
YEAR_SHIFTS = range(1, 7)
_CJK = "\u4e00-\u9fa5"
# A year: followed by 年, a closing bracket or a range to another year, or inside a document number's 〔…〕.
_YEAR = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-4][0-9])(?![0-9])"
                   r"(?=\s*(?:年|[〕\]］)）]|[-—–~至、]\s*(?:19|20)[0-9]{2}))"
                   r"|(?<=[〔\[［(（])(19[5-9][0-9]|20[0-4][0-9])(?![0-9])")
_TEAM_ORDINAL = re.compile(r"(?<=第)(十[一二三四五]|[一二三四五六七八九十])(?=(?:巡视|巡察)组)")
_LEAP_DAY = re.compile(r"(?<![0-9])2月29日")


def _data_lines(path: Path) -> list[str]:
    """The entries of a one-per-line data file: blank lines and ``#`` comments left out."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass
class Gazetteer:
    """``scale_data/places.tsv``: provinces, their cities, the cities' districts."""

    abbreviation: dict[str, str] = field(default_factory=dict)  # province → 辽
    cities: dict[str, list[str]] = field(default_factory=dict)  # province → cities, in file order
    province_of: dict[str, str] = field(default_factory=dict)  # city → province
    districts: dict[str, list[str]] = field(default_factory=dict)  # city → districts (with suffix)
    homes: dict[str, list[str]] = field(default_factory=dict)  # district → the cities that have one so named

    @classmethod
    def load(cls, path: Path = DATA / "places.tsv") -> "Gazetteer":
        g = cls()
        rows = csv.DictReader(_data_lines(path), delimiter="\t")
        for row in rows:
            province, city = row["province"], row["city"]
            g.abbreviation[province] = row["abbreviation"]
            g.cities.setdefault(province, []).append(city)
            g.province_of[city] = province
            g.districts[city] = row["districts"].split()
            for district in g.districts[city]:
                g.homes.setdefault(district, []).append(city)
        return g

    @property
    def provinces(self) -> list[str]:
        return list(self.cities)

    def names_pattern(self) -> re.Pattern[str]:
        """Every province, city and district (with its suffix), longest first so that the longest wins."""
        names = {*self.cities, *self.province_of, *self.homes}
        return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))


def person_mentions(text: str, name: str = "seed.txt") -> list[tuple[int, int, str]]:
    """(start, end, key) of every person name kg's extractors find in ``text``.

    The key is the full name, or ``~GIVEN`` for a given name alone before 同志 (彦麟同志)."""
    from kg.model import Source
    from kg.pipeline import Pipeline
    from kg.split import split_reports

    pipeline = Pipeline(("inspection", "units", "persons"))  # what persons needs, not the slower rest
    found: set[tuple[int, int, str]] = set()
    for report in split_reports(Source(Path(name), text)):
        pipeline(report)
        for person in report.things_of("Person"):
            found.update((span.start, span.end, person.key) for span in person.mentions)
    return sorted(found)


def split_name(name: str, double_surnames: frozenset[str]) -> tuple[str, str]:
    """(surname, given name): a double surname (欧阳) when the name starts with one, else one character."""
    cut = 2 if name[:2] in double_surnames and len(name) > 2 else 1
    return name[:cut], name[cut:]


@dataclass
class Variation:
    """What one copy replaces: each map takes a name found in the seed to its replacement."""

    places: dict[str, str] = field(default_factory=dict)  # provinces, cities, districts and district stems
    abbreviations: dict[str, str] = field(default_factory=dict)  # 辽 → 苏, in document numbers only
    surnames: dict[str, str] = field(default_factory=dict)
    given_names: dict[str, str] = field(default_factory=dict)
    ordinals: dict[str, str] = field(default_factory=dict)
    year_shift: int = 0


def _shuffled(items: list[str], rng: random.Random) -> list[str]:
    out = sorted(items)
    rng.shuffle(out)
    return out


def plan_places(text: str, gazetteer: Gazetteer, rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    """(places, abbreviations): the seed's provinces to others, one for one, and their cities and districts
    to cities and districts of the new province, none of them a name the seed uses."""
    found = Counter(gazetteer.names_pattern().findall(text))
    districts = sorted(n for n in found if n in gazetteer.homes)
    cities = [n for n in found if n in gazetteer.province_of]
    for district in districts:  # a district's city: one the text names, else the first that has it
        homes = gazetteer.homes[district]
        if not any(city in cities for city in homes):
            cities.append(homes[0])
    provinces = [n for n in found if n in gazetteer.cities]
    provinces += [p for p in {gazetteer.province_of[c] for c in cities} if p not in provinces]
    provinces.sort(key=lambda p: (-found[p], p))  # the file's own province, the most named, chooses first

    taken = set(found)  # a replacement is never a name the seed itself uses
    places: dict[str, str] = {}
    free = _shuffled(gazetteer.provinces, rng)
    for province in provinces:
        target = next((p for p in free if p != province), province)
        if target in free:
            free.remove(target)
        places[province] = target
    for city in sorted(cities, key=lambda c: (-found[c], c)):
        options = gazetteer.cities[places[gazetteer.province_of[city]]]
        fresh = [c for c in options if c not in taken]
        reused = [c for c in options if c in places.values()]  # none fresh left: two seed cities become one
        places[city] = rng.choice(fresh or reused or options)  # options: names the seed uses, all replaced too
        taken.add(places[city])
    for district in districts:
        city = next((c for c in gazetteer.homes[district] if c in places), gazetteer.homes[district][0])
        new_city, kind = places[city], district[-1]
        same_city = [d for d in gazetteer.districts[new_city] if d[-1] == kind and d not in taken]
        same_province = [d for c in gazetteer.cities[gazetteer.province_of[new_city]]
                         for d in gazetteer.districts[c] if d[-1] == kind and d not in taken]
        options = same_city or same_province
        new = rng.choice(options) if options else district
        taken.add(new)
        places[district] = new
        stem = district[:-1]  # alone, as in 法库 for 法库县: never one character, never a city's name
        if len(stem) > 1 and len(new) > 2 and stem not in places and stem not in gazetteer.province_of:
            places[stem] = new[:-1]
    abbreviations = {gazetteer.abbreviation[p]: gazetteer.abbreviation[q] for p, q in places.items()
                     if p in gazetteer.abbreviation}
    return places, abbreviations


def plan_persons(names: list[str], keep: set[str], surnames: list[str], double_surnames: frozenset[str],
                 rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    """(surnames, given names): one-for-one swaps, so two persons of the seed stay two persons."""
    varied = sorted({n for n in names if n not in keep})
    parts = [split_name(n, double_surnames) for n in varied]
    pool = sorted(set(surnames) | {s for s, _ in parts if len(s) == 1})
    surname_map = dict(zip(pool, _shuffled(pool, rng)))
    given_map: dict[str, str] = {}
    for length in sorted({len(g) for _, g in parts}):
        given = sorted({g for _, g in parts if len(g) == length})
        given_map.update(zip(given, _shuffled(given, rng)))
    return surname_map, given_map


def plan(text: str, persons: list[tuple[int, int, str]], gazetteer: Gazetteer, keep: set[str],
         surnames: list[str], double_surnames: frozenset[str], rng: random.Random) -> Variation:
    """One copy's variation of a seed's ``text``; ``rng`` decides every choice."""
    v = Variation()
    v.places, v.abbreviations = plan_places(text, gazetteer, rng)
    full_names = [key for _, _, key in persons if not key.startswith("~")]
    v.surnames, v.given_names = plan_persons(full_names, keep, surnames, double_surnames, rng)
    v.ordinals = dict(zip(ORDINALS, _shuffled(list(ORDINALS), rng)))
    v.year_shift = rng.choice(YEAR_SHIFTS)
    return v


def _edits(text: str, persons: list[tuple[int, int, str]], v: Variation, keep: set[str],
           double_surnames: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for every change, persons first: a later edit that overlaps one is
    dropped, so a place name inside a person's name is never touched."""
    edits: list[tuple[int, int, str]] = []
    for start, end, key in persons:
        surface = text[start:end]
        if key.startswith("~"):
            new = v.given_names.get(surface, surface)
        elif surface in keep:
            new = surface
        else:
            surname, given = split_name(surface, double_surnames)
            new = v.surnames.get(surname, surname) + v.given_names.get(given, given)
        edits.append((start, end, new))
    if v.places:
        places = re.compile("|".join(sorted(map(re.escape, v.places), key=len, reverse=True)))
        edits += [(m.start(), m.end(), v.places[m[0]]) for m in places.finditer(text)]
    if v.abbreviations:  # 辽委发〔2020〕5号, 辽文旅办发[2019]: the abbreviation of a document number only
        abbreviations = re.compile(f"[{''.join(v.abbreviations)}](?=[{_CJK}]{{1,6}}[〔\\[［]\\s*(?:19|20)[0-9]{{2}})")
        edits += [(m.start(), m.end(), v.abbreviations[m[0]]) for m in abbreviations.finditer(text)]
    edits += [(m.start(), m.end(), v.ordinals[m[0]]) for m in _TEAM_ORDINAL.finditer(text)]
    for m in _YEAR.finditer(text):
        edits.append((m.start(), m.end(), str(int(m[0]) + v.year_shift)))
    if v.year_shift % 4:
        edits += [(m.start(), m.end(), "2月28日") for m in _LEAP_DAY.finditer(text)]

    kept: list[tuple[int, int, str]] = []
    claimed: list[tuple[int, int]] = []
    for start, end, new in edits:
        if not any(start < e and s < end for s, e in claimed):
            claimed.append((start, end))
            kept.append((start, end, new))
    return sorted(kept)


def vary(text: str, persons: list[tuple[int, int, str]], v: Variation, keep: set[str],
         double_surnames: frozenset[str]) -> str:
    """``text`` with ``v`` applied: all edits are found in the seed's text, then made in one pass."""
    out, at = [], 0
    for start, end, new in _edits(text, persons, v, keep, double_surnames):
        out += [text[at:start], new]
        at = end
    out.append(text[at:])
    return "".join(out)


@dataclass
class Scaler:
    """The data files, loaded once."""

    gazetteer: Gazetteer = field(default_factory=Gazetteer.load)
    keep: set[str] = field(default_factory=lambda: set(_data_lines(DATA / "keep_persons.txt")))
    surnames: list[str] = field(default_factory=lambda: _data_lines(DATA / "surnames.txt"))
    double_surnames: frozenset[str] = field(default_factory=lambda: _double_surnames())

    def copies(self, text: str, name: str, factor: int, seed: int = 0) -> list[str]:
        """The ``factor`` texts made from one seed file's ``text``: the seed itself, then its variations."""
        persons = person_mentions(text, name)
        texts = [text]
        for i in range(1, factor):
            rng = random.Random(f"{seed}|{name}|{i}")  # str seeds hash with SHA-512: same on every run
            v = plan(text, persons, self.gazetteer, self.keep, self.surnames, self.double_surnames, rng)
            texts.append(vary(text, persons, v, self.keep, self.double_surnames))
        return texts


def _double_surnames() -> frozenset[str]:
    from kg import lexicon

    return frozenset(s for s in lexicon.words("surnames") if len(s) == 2)


def copy_name(path: Path, i: int) -> str:
    """Copy 0 keeps the seed's name (``--factor 1`` is the seeds); copy i is ``STEM-vNNN.txt``."""
    return f"{path.stem}.txt" if i == 0 else f"{path.stem}-v{i:03d}.txt"


def scale(seeds: list[Path], factor: int, out: Path, seed: int = 0) -> list[Path]:
    """Write the scaled corpus of ``seeds`` (files or folders) into the folder ``out``, whole or not at all.

    Returns the files written. An existing ``out`` is replaced."""
    from kg.files import swap_into_place
    from kg.read import discover, read_source

    scaler = Scaler()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for path in discover(seeds):
            text = read_source(path).text
            for i, copy in enumerate(scaler.copies(text, path.name, factor, seed)):
                (staging / copy_name(path, i)).write_text(copy, encoding="utf-8", newline="")
        swap_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(out.iterdir())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--factor", type=int, required=True, help="copies of each seed file (1: the seeds)")
    ap.add_argument("--out", type=Path, required=True, help="folder to write (replaced if it exists)")
    ap.add_argument("--seeds", type=Path, nargs="+", default=[ROOT / "seeds"], help="seed files or folders")
    ap.add_argument("--seed", type=int, default=0, help="random seed: another one gives other variations")
    a = ap.parse_args(argv)
    if a.factor < 1:
        ap.error("--factor must be at least 1")
    missing = [str(p) for p in a.seeds if not p.exists()]
    if missing:
        ap.error(f"no such seed file or folder: {', '.join(missing)}")
    files = scale(a.seeds, a.factor, a.out, a.seed)
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    print(f"{len(files)} files, {chars:,} characters in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
