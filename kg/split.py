"""Split a source text into reports, and each report into its numbered sections.

A file may hold several reports (a province publishes a round's reports together); each is closed by a
signature: the signing unit on a line of its own, then the date. What follows the last signature is a
report too when it has any substance. Sections nest by the order in which a report first uses each
numbering style, so reports that number 一、（一）1.（1） and those that number 一是（1）① both come out right.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon
from .model import PartialDate, Report, Section, Source, Span

_DATE_LINE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_CIRCLED = {c: i for i, c in enumerate("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳", 1)}
MIN_TRAILING_REPORT = 200  # characters after the last signature that make a report of their own


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


def _lines(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    end = len(text) if end is None else end
    out, pos = [], start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append(Span(pos, stop - 1 if stop > pos and text[stop - 1] == "\r" else stop))
        pos = stop + 1
    return out


def split_reports(source: Source) -> list[Report]:
    """The reports in ``source``, in order, each with its signature and sections."""
    text = source.text
    lines = [ln for ln in _lines(text)]
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
    for i, rep in enumerate(reports):
        rep.index = i
        _finish(rep)
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
    cuts = [ln.start for ln in lines if rep.span.start <= ln.start < rep.span.end
            and any(p.match(text, ln.start, ln.end) for p in _openings())]
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
    first = next((ln for ln in _lines(text, rep.span.start, rep.span.end) if ln.end > ln.start), None)
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
    """The report's province (and city) from its signature, else from the first place named."""
    probes = [rep.surface(rep.publisher)] if rep.publisher else []
    probes.append(rep.body[:3000])
    provinces = lexicon.alternation("provinces")
    for probe in probes:
        if rep.province is None:
            m = re.search(rf"({provinces})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)", probe)
            if m:
                rep.province = m[1]
        if rep.city is None:
            m = re.search(r"(?:^|[省对向共,，、])([\u4e00-\u9fa5]{2,3}?)市(?=[\u4e00-\u9fa5]{1,5}?[区县])", probe)
            if m:
                rep.city = m[1]


def split_sections(rep: Report) -> list[Section]:
    """The section tree of a report: a list of top-level sections with their children."""
    text = rep.source.text
    styles = _marker_styles()
    order: list[str] = []  # numbering styles, outermost first, in the order this report introduces them
    stack: list[Section] = []
    top: list[Section] = []
    flat: list[Section] = []
    for line in _lines(text, rep.span.start, rep.span.end):
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


def _heading_end(text: str, pos: int, line_end: int) -> int:
    """A heading runs to the end of its first sentence, or of its line."""
    stop = re.compile(r"[。！？；]").search(text, pos, line_end)
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
