"""Chinese dates at the precision the text gives, with their spans.

``find_dates(text, start, end, year=...)`` finds every date mention in ``text[start:end]``:

* full dates ``2019年10月25日``, months ``2020年12月`` / ``12月底`` / ``3月上旬``, years ``2020年`` and year ends
  ``2020年底`` / ``2020年年底`` / ``年底`` — each a ``PartialDate`` at the precision written (``12月底`` is a month,
  ``年底`` a year);
* ranges ``2019年10月25日至11月25日`` / ``10月25日至12月25日`` / ``3月—6月`` / ``至28日``: the end inherits what it
  leaves out (year, and month for a bare day) from the start, and when the inherited year would put the end
  before the start it rolls over to the next year;
* a date without a year takes ``year`` (the report's year), one with a relative year (明年底, 去年6月) that year
  moved by the offset in date_relative_years.tsv; when no year is known it is left out;
* full-width digits and Chinese numerals (``二〇二〇年十二月``) are read too;
* a noisy copy with lost characters (``2019810日至1015``) is left out: numbers glued to other digits never
  match, so nothing is guessed;
* stray white space inside a date (``2020年7月30 日``) is read, up to ``MAX_GAP`` characters at each place:
  every ``\\s*`` of a pattern means that bounded gap, so ``2020年`` and ``3月`` far apart are two dates, wherever
  they stand in the text.

The patterns are data: ``kg/lexicons/dates.tsv`` (with ``date_parts.txt`` and ``date_range_links.txt``).
Offsets are absolute; the text is never copied with a different length (full-width digits are mapped one to one).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from . import lexicon
from .model import PartialDate, Span

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_FW_DIGIT = re.compile("[０-９]")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
MAX_GAP = 4  # white-space characters allowed between two parts of a date (a line break and spaces)
_GAP = rf"\s{{0,{MAX_GAP}}}"

# Numbers: never glued to another digit, so 2019810日 yields nothing.
_Y = r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])|(?<![〇零一二三四五六七八九十])[一二][〇零九][〇零一二三四五六七八九]{2}"
_M = r"(?<![0-9])(?:1[0-2]|0?[1-9])(?![0-9])|(?<![〇零一二三四五六七八九十])(?:十[一二]?|[一二三四五六七八九])"
_D = (r"(?<![0-9])(?:3[01]|[12][0-9]|0?[1-9])(?![0-9])"
      r"|(?<![〇零一二三四五六七八九十])(?:三十一?|三十|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])")


@dataclass(frozen=True)
class DateMention:
    """A date (or a range of dates) named in the text.

    ``date`` is the date (the start of a range), ``end`` the end of a range. ``first``/``last`` are the spans
    of the two ends (``last`` is None for a single date). ``year_given`` says whether the text wrote the year
    of ``date`` (else it came from the context); ``part`` is a month part or year end as written (底, 中旬, 年底).
    """

    span: Span
    date: PartialDate
    text: str
    year_given: bool = True
    part: str | None = None
    end: PartialDate | None = None
    first: Span | None = None
    last: Span | None = None
    end_year_given: bool = True

    @property
    def is_range(self) -> bool:
        return self.end is not None


def cn_number(s: str) -> int | None:
    """'12' / '１２' / '十二' / '二十五' / '二〇二〇' → int (None when it is not a number)."""
    s = s.translate(_FULLWIDTH)
    if s.isascii() and s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGIT.get(tens, None) if tens else 1
        o = _CN_DIGIT.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if s and all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    return None


@lru_cache(maxsize=1)
def _patterns() -> list[re.Pattern[str]]:
    parts = "|".join(re.escape(p) for p in sorted(lexicon.words("date_parts"), key=len, reverse=True))
    out = []
    for row in lexicon.table("dates"):
        rx = row["regex"].replace("{Y}", f"(?:{_Y})").replace("{M}", f"(?:{_M})").replace("{D}", f"(?:{_D})")
        rx = rx.replace("{MPART}", parts).replace("{REL}", _rel_alternation())
        out.append(re.compile(rx.replace(r"\s*", _GAP)))
    return out


@lru_cache(maxsize=1)
def _relative_years() -> dict[str, int]:
    return {r["word"]: int(r["offset"]) for r in lexicon.table("date_relative_years") if r.get("word")}


def _rel_alternation() -> str:
    return "|".join(re.escape(w) for w in sorted(_relative_years(), key=len, reverse=True))


@lru_cache(maxsize=1)
def _range_end() -> re.Pattern[str]:
    links = "|".join(re.escape(w) for w in sorted(lexicon.words("date_range_links"), key=len, reverse=True))
    return re.compile(rf"{_GAP}(?:{links}){_GAP}")


@lru_cache(maxsize=1)
def _bare_day() -> re.Pattern[str]:
    return re.compile(rf"(?P<d>{_D}){_GAP}[日号]")


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    if y is not None and not 1900 <= y <= 2100:
        return False
    if m is not None and not 1 <= m <= 12:
        return False
    if d is not None:
        if m is None:
            return False
        last = calendar.monthrange(y if y is not None else 2000, m)[1]
        if not 1 <= d <= last:
            return False
    return True


# Every date holds a number followed by 年/月, or 年底/年末: only the text around these is matched in full.
# With gaps bounded, a date reaches at most _WINDOW_BEFORE characters before its first anchor (a relative
# year) and _WINDOW_AFTER after one (ymd: gap, month, gap, 月, gap, day, gap, 日 = 4 gaps + 6).
_ANCHOR = re.compile(rf"[0-9〇零一二三四五六七八九十]{{1,4}}{_GAP}[年月]|年[底末]")
_WINDOW_BEFORE, _WINDOW_AFTER = 12, 4 * MAX_GAP + 8


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _ANCHOR.finditer(text, start, end):
        a = max(start, m.start() - _WINDOW_BEFORE)
        b = min(end, m.end() + _WINDOW_AFTER)
        while b < end and text[b].isdigit():  # never cut a number (a lookahead cannot see past the window)
            b += 1
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _singles(text: str, start: int, end: int, year: int | None) -> list[tuple[int, int, dict]]:
    """Non-overlapping single-date matches (longest first) as (start, end, fields)."""
    cands = []
    for ws, we in _windows(text, start, end):
        for prio, rx in enumerate(_patterns()):
            for m in rx.finditer(text, ws, we):
                if m.end() > m.start():
                    cands.append((m.start(), -(m.end() - m.start()), prio, m))
    cands.sort(key=lambda c: c[:3])
    out, pos = [], start
    for s, neg, _, m in cands:
        if s < pos:
            continue
        g = m.groupdict()
        y = cn_number(g["y"]) if g.get("y") else None
        mo = cn_number(g["m"]) if g.get("m") else None
        d = cn_number(g["d"]) if g.get("d") else None
        rel = _relative_years().get(g["rel"]) if g.get("rel") else None
        # a year-less date is checked in the year it will take: 2月29日 in 2019 is no day (2019年2月 is kept)
        in_year = y if y is not None else None if year is None else year + (rel or 0)
        if (g.get("m") and mo is None) or (g.get("d") and d is None) or not _valid(in_year, mo, d):
            continue
        out.append((s, s - neg, {"y": y, "m": mo, "d": d, "part": g.get("part") or g.get("yend"), "rel": rel}))
        pos = s - neg
    return out


def find_dates(text: str, start: int = 0, end: int | None = None, *, year: int | None = None,
               ranges: bool = True) -> list[DateMention]:
    """The date mentions in ``text[start:end]`` in text order (absolute spans).

    ``year`` is the year of a date written without one; a year-less date is left out when it is None.
    """
    end = len(text) if end is None else end
    # one-to-one mapping of full-width digits keeps every offset valid
    work = text.translate(_FULLWIDTH) if _FW_DIGIT.search(text, start, end) else text
    singles = _singles(work, start, end, year)
    out: list[DateMention] = []
    i = 0
    while i < len(singles):
        s, e, f = singles[i]
        y_given = f["y"] is not None
        y = f["y"] if y_given else year
        if y is not None and not y_given and f.get("rel"):
            y += f["rel"]
        if y is None:
            i += 1
            continue
        date = PartialDate(y, f["m"], f["d"])
        mention = DateMention(Span(s, e), date, text[s:e], y_given, f["part"], first=Span(s, e))
        if ranges and f["m"] is not None:
            link = _range_end().match(work, e, end)
            if link:
                nxt = singles[i + 1] if i + 1 < len(singles) else None
                if nxt and nxt[0] == link.end() and (nxt[2]["m"] is not None or nxt[2]["y"] is not None):
                    mention = _join(text, mention, nxt)
                    i += 1
                elif f["d"] is not None:
                    bd = _bare_day().match(work, link.end(), end)
                    if bd:
                        d2 = cn_number(bd["d"])
                        if d2 is not None and _valid(date.year, date.month, d2):
                            mention = _join(text, mention, (bd.start(), bd.end(),
                                                            {"y": None, "m": date.month, "d": d2, "part": None}))
        out.append(mention)
        i += 1
    return out


def _join(text: str, start: DateMention, nxt: tuple[int, int, dict]) -> DateMention:
    """A range from ``start`` to the single date ``nxt`` (which inherits year/month from the start)."""
    s2, e2, f2 = nxt
    a = start.date
    y_given = f2["y"] is not None
    y2 = f2["y"] if y_given else a.year
    m2, d2 = f2["m"], f2["d"]
    if m2 is None and f2["y"] is None:
        return start
    if not y_given and m2 is not None and a.month is not None:
        if (m2, d2 or 0) < (a.month, a.day or 0):
            y2 += 1  # 12月25日至1月5日: the end is in the next year
    if not _valid(y2, m2, d2):
        return start
    end = PartialDate(y2, m2, d2)
    return replace(start, span=Span(start.span.start, e2), text=text[start.span.start:e2], end=end,
                   last=Span(s2, e2), end_year_given=y_given)


def parse_date(s: str, year: int | None = None) -> PartialDate | None:
    """The date written as the whole of ``s`` (surrounding spaces allowed), else None."""
    stripped = s.strip()
    found = find_dates(stripped, year=year, ranges=False)
    if len(found) == 1 and found[0].span == Span(0, len(stripped)):
        return found[0].date
    return None


def after(date: PartialDate, ref: PartialDate, year_given: bool) -> PartialDate:
    """A year-less ``date`` that the text places after ``ref`` (a feedback after the inspection's end):
    it takes ``ref``'s year, or the next one when it would fall before ``ref``."""
    if year_given:
        return date
    y = ref.year
    if date.month is not None and ref.month is not None and (date.month, date.day or 0) < (ref.month, ref.day or 0):
        y += 1
    return PartialDate(y, date.month, date.day)
