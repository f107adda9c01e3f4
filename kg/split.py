"""Split a source text into reports, and each report into its numbered sections.

A file may hold several reports (a province publishes a round's reports together); each is closed by a
signature: the signing unit on a line of its own, then the date. What follows the last signature is a
report too when it has any substance. Sections nest by the order in which a report first uses each
numbering style, so reports that number 一、（一）1.（1） and those that number 一是（1）① both come out right.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import lru_cache
from operator import attrgetter

from . import lexicon
from .model import PartialDate, Report, Section, Source, Span

_DATE_LINE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_CIRCLED = {c: i for i, c in enumerate("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳", 1)}
MIN_TRAILING_REPORT = 200  # characters after the last signature that make a report of their own
OPENING_CHARS = 400  # the opening (who inspected whom) lies within the first characters of a report


def chinese_number(s: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23 (enough for section numbers)."""
    if s in _CIRCLED:
        return _CIRCLED[s]
    if s.isascii() and s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(ones, 0) if ones else 0)
    return _CN_NUM.get(s, 0)


@lru_cache(maxsize=1)
def _marker_styles() -> list[tuple[str, re.Pattern[str]]]:
    return [(row["name"], re.compile(r"[ \t\u3000]*(?:" + row["regex"] + ")")) for row in lexicon.table("section_markers")]


@lru_cache(maxsize=1)
def _signature_line() -> re.Pattern[str]:
    ends = lexicon.alternation("signature")
    return re.compile(rf"^\s*(?:中共\S{{2,38}}|\S{{2,38}}(?:{ends}))\s*$")


def _lines(text: str) -> list[Span]:
    out, pos, end = [], 0, len(text)
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append(Span(pos, stop - 1 if stop > pos and text[stop - 1] == "\r" else stop))
        pos = stop + 1
    return out


_START = attrgetter("start")


def _lines_from(lines: list[Span], span: Span) -> list[Span]:
    """The lines (of the file, in order) that start inside ``span``."""
    return lines[bisect.bisect_left(lines, span.start, key=_START) : bisect.bisect_left(lines, span.end, key=_START)]


def split_reports(source: Source) -> list[Report]:
    """The reports in ``source``, in order, each with its signature and sections."""
    text = source.text
    lines = _lines(text)
    reports: list[Report] = []
    begin = 0
    sig = _signature_line()
    for i in range(len(lines) - 1):
        unit_line, date_line = lines[i], lines[i + 1]
        m = _DATE_LINE.match(text[date_line.start : date_line.end])
        if not m or not sig.match(text[unit_line.start : unit_line.end]):
            continue
        end = date_line.end
        rep = Report(source, len(reports), Span(begin, end), publisher=_strip(text, unit_line),
                     issued=_strip(text, date_line))
        rep.meta["issued_date"] = PartialDate(int(m[1]), int(m[2]), int(m[3]))
        reports.append(rep)
        begin = _next_content(text, end)
    tail = text[begin:]
    if len(tail.strip()) >= MIN_TRAILING_REPORT or not reports or any(
            p.search(tail) for p in _openings_anywhere()):
        reports.append(Report(source, len(reports), Span(begin, _rstrip_end(text, begin, len(text)))))
    reports = [part for rep in reports for part in _split_at_openings(rep, lines)]
    reports = [rep for rep in reports if _trim_boilerplate(rep, lines)]
    for i, rep in enumerate(reports):
        rep.index = i
        _finish(rep)
    # a file publishes one province's reports: one that never names its province takes the file's,
    # and only a file that never names one lets a report fall back on the province it names most
    known = Counter(r.province for r in reports if r.province)
    for rep in reports:
        mentioned = rep.meta.pop("province_mentions")
        if rep.province is None and (known or mentioned):
            rep.province = (known or mentioned).most_common(1)[0][0]
    return reports


@lru_cache(maxsize=1)
def _openings() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in lexicon.words("report_openings")]


@lru_cache(maxsize=1)
def _openings_anywhere() -> list[re.Pattern[str]]:
    return [re.compile(r"(?m)^" + p) for p in lexicon.words("report_openings")]


def _split_at_openings(rep: Report, lines: list[Span]) -> list[Report]:
    """A signature-less report runs into the next one: cut before every opening after the first."""
    text = rep.source.text
    cuts = [ln.start for ln in _lines_from(lines, rep.span) if any(p.match(text, ln.start, ln.end) for p in _openings())]
    if len(cuts) < 2:
        return [rep]
    parts = []
    bounds = [rep.span.start] + cuts[1:] + [rep.span.end]
    for a, b in zip(bounds, bounds[1:]):
        part = Report(rep.source, 0, Span(a, _rstrip_end(text, a, b)))
        if b == rep.span.end:
            part.publisher, part.issued, part.meta = rep.publisher, rep.issued, dict(rep.meta)
        parts.append(part)
    return parts


BOILERPLATE_LINE_MAX = 80  # a longer line is report prose, whatever it contains


@lru_cache(maxsize=1)
def _boilerplate() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in lexicon.words("boilerplate")))


def is_boilerplate(line: str) -> bool:
    """Is this line site furniture (navigation, copyright, ICP 备案, page tools), not report text?"""
    return len(line) <= BOILERPLATE_LINE_MAX and bool(_boilerplate().search(line))


def _trim_boilerplate(rep: Report, lines: list[Span]) -> bool:
    """Leave boilerplate and blank lines at either end out of the report; False if nothing is left."""
    text = rep.source.text
    inside = [ln for ln in _lines_from(lines, rep.span) if ln.end <= rep.span.end]
    keep = [ln for ln in inside if text[ln.start : ln.end].strip() and not is_boilerplate(text[ln.start : ln.end])]
    if not keep:
        return False
    start, end = max(rep.span.start, keep[0].start), min(rep.span.end, keep[-1].end)
    if (start, end) != (rep.span.start, rep.span.end):
        rep.span = Span(start, end)
        for attr in ("publisher", "issued"):
            if (span := getattr(rep, attr)) is not None and not (start <= span.start and span.end <= end):
                setattr(rep, attr, None)
    return True


def _strip(text: str, span: Span) -> Span:
    s, e = span.start, span.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Span(s, e)


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _next_content(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


_TITLE_HINT = re.compile(r"(通报|情况|公布|公告|报告)$")


def _finish(rep: Report) -> None:
    """Title, sections, and the context (year, province, city) that year-less dates and short names need."""
    text = rep.source.text
    first = next((ln for ln in rep.lines() if ln.end > ln.start), None)
    if first is not None:
        line = text[first.start : first.end].strip()
        if len(line) <= 80 and _TITLE_HINT.search(line) and not line.endswith("。"):
            rep.title = _strip(text, first)
    rep.sections = split_sections(rep)
    issued = rep.meta.get("issued_date")
    if issued is not None:
        rep.year = issued.year
    else:
        years = [int(y) for y in re.findall(r"(20\d{2})年", rep.body)]
        rep.year = max(years) if years else None
    _place(rep)


def _place(rep: Report) -> None:
    """The report's province and city: from its signature, else from the opening, else from the body.

    A city is looked for in the body only when the report is about a county, district or county-level
    city (the opening says 对…区/县/市 or 我区/我县/我市): a provincial department's report naming
    沈阳市委 once is not a Shenyang report. A city name must be a place name in jieba's dictionary.
    """
    provinces = lexicon.alternation("provinces")
    province_rx = re.compile(rf"({provinces})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)")
    signature = rep.surface(rep.publisher) if rep.publisher else ""
    for probe in (signature, rep.body[:OPENING_CHARS]):
        if rep.province is None and (m := province_rx.search(probe)):
            rep.province = m[1]
    if m := _CITY_BEFORE_COUNTY.search(signature) or _CITY_PARTY.match(signature):
        rep.city = m[1]
    elif _LOCAL_OPENING.search(rep.body[:OPENING_CHARS]):
        raws = Counter(_CITY_ANYWHERE.findall(rep.body))
        counts = Counter()
        for raw, n in raws.items():
            if city := _place_name(raw) or (raw if n >= 3 and len(raw) == 3 else None):
                counts[city] += n
        rep.city = counts.most_common(1)[0][0] if counts else None
    rep.meta["province_mentions"] = Counter(province_rx.findall(rep.body))


_CITY_BEFORE_COUNTY = re.compile(r"(?:^|[省对向共,，、])([\u4e00-\u9fa5]{2,3}?)市(?=[\u4e00-\u9fa5]{1,5}?[区县])")
_CITY_PARTY = re.compile(r"中共([\u4e00-\u9fa5]{2,3}?)市委")
_CITY_ANYWHERE = re.compile(r"([\u4e00-\u9fa5]{2,3})市(?=委|人民政府|[\u4e00-\u9fa5]{1,4}[区县])")
# the opening names a county, district or county-level city (not a 示范区/开发区/新区/片区 zone)
_LOCAL_OPENING = re.compile(r"对(?:[\u4e00-\u9fa5]{2,3}市)?[\u4e00-\u9fa5]{1,4}(?<!示范)(?<!开发)(?<!片)(?<!新)(?:区|县|市)(?:委|党委)?"
                            r"(?:进行|开展)|对我(?:区|县|市)")


def _place_name(raw: str) -> str | None:
    """The longest tail of ``raw`` that jieba's dictionary tags as a place name (ns), if any."""
    tags = _place_tags()
    for n in (3, 2):
        if len(raw) >= n and tags.get(raw[-n:]) == "ns":
            return raw[-n:]
    return None


@lru_cache(maxsize=1)
def _place_tags() -> dict[str, str]:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg.dt.word_tag_tab


def split_sections(rep: Report) -> list[Section]:
    """The section tree of a report: a list of top-level sections with their children."""
    text = rep.source.text
    styles = _marker_styles()
    order: list[str] = []  # numbering styles, outermost first, in the order this report introduces them
    stack: list[Section] = []
    top: list[Section] = []
    flat: list[Section] = []
    for line in rep.lines():
        for name, rx in styles:
            m = rx.match(text, line.start, line.end)
            if not m:
                continue
            if name in order:
                level = order.index(name) + 1
                # a style seen before closes every deeper section
                del order[level:]
            else:
                level = len(order) + 1
                order.append(name)
            while stack and stack[-1].level >= level:
                stack.pop()
            marker_start = m.start() + (len(m.group()) - len(m.group().lstrip(" \t\u3000")))
            head_end = _heading_end(text, m.end(), line.end)
            sec = Section(marker=text[marker_start : m.end()], level=level, number=chinese_number(m["num"]),
                          heading=Span(marker_start, head_end), span=Span(marker_start, rep.span.end),
                          parent=stack[-1] if stack else None)
            (stack[-1].children if stack else top).append(sec)
            stack.append(sec)
            flat.append(sec)
            break
    _close_spans(flat, rep.span.end)
    return top


_HEADING_STOP = re.compile(r"[。！？；]")


def _heading_end(text: str, pos: int, line_end: int) -> int:
    """A heading runs to the end of its first sentence, or of its line."""
    stop = _HEADING_STOP.search(text, pos, line_end)
    return stop.end() if stop else line_end


def _close_spans(flat: list[Section], report_end: int) -> None:
    """Each section ends where the next section at its level or above begins."""
    for i, sec in enumerate(flat):
        end = report_end
        for later in flat[i + 1 :]:
            if later.level <= sec.level:
                end = later.heading.start
                break
        sec.span = Span(sec.span.start, end)
