"""Property-based tests (hypothesis): date normalisation, and the offsets invariant under inserted noise.

* Dates: valid (year, month, day) written the ways reports write them (Arabic, zero-padded, full-width and
  Chinese numerals, stray spaces, inside other text) come back at the precision written, with spans that
  slice the text to what was matched; year-less dates take the report's year; ranges infer the end's year;
  no invalid calendar date is ever produced, whatever the text.
* Offsets: a small handmade report with random noise inserted anywhere goes through split_reports, the
  full pipeline, resolve and the RDF mapping, and every mention still slices the text to its surface.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.dates import MAX_GAP, find_dates, parse_date
from kg.extract.documents import title_key
from kg.model import PartialDate, Source, Span, SpanIndex
from kg.pipeline import Pipeline
from kg.rdf import to_quads
from kg.resolve import resolve
from kg.split import split_reports

SEED_001 = Path(__file__).resolve().parent.parent / "seeds" / "001_5032cd9a5b37af7f.txt"

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------------------------------------
# writing numbers the ways the reports do

_CN = "〇一二三四五六七八九"
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


def cn_small(n: int) -> str:
    """1..31 in Chinese numerals: 三, 十, 十二, 二十, 二十五, 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _CN[tens] + "十"
    return head + (_CN[ones] if ones else "")


def cn_year(y: int, zero: str) -> str:
    return "".join(_CN[int(c)] for c in str(y)).replace("〇", zero)


STYLES = ("arabic", "padded", "fullwidth", "chinese")


def write_number(n: int, style: str, *, year: bool = False, zero: str = "〇") -> str:
    if style == "chinese":
        return cn_year(n, zero) if year else cn_small(n)
    s = f"{n:02d}" if style == "padded" and not year else str(n)
    return s.translate(_FW) if style == "fullwidth" else s


dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))
styles = st.sampled_from(STYLES)
zeros = st.sampled_from("〇零")
gaps = st.sampled_from(["", "", "", " ", "\u3000", "  "])  # stray spaces, as in 2020年7月30 日前
# text around a date that can neither extend it nor be read as part of it
SAFE = "会议召开巡察组进驻反馈意见整改完成情况党委工作方案，。、：；（）《》 \n"
context = st.text(alphabet=SAFE, max_size=8)


@st.composite
def written_date(draw, precision: str, with_year: bool = True):
    """(text, PartialDate written) for a date of the given precision ("d", "m", "y")."""
    d = draw(dates)
    style = draw(styles)
    mixed = draw(st.booleans())  # each number in its own style, as OCR'd or hand-typed text may have it
    def num(n, **kw):
        return write_number(n, draw(styles) if mixed else style, **kw)
    g = [draw(gaps) for _ in range(5)]
    text = ""
    if with_year:
        text += num(d.year, year=True, zero=draw(zeros)) + g[0] + "年" + g[1]
    if precision in "md":
        text += num(d.month) + g[2] + "月"
    if precision == "d":
        text += g[3] + num(d.day) + g[4] + draw(st.sampled_from("日号"))
    want = PartialDate(d.year, d.month if precision in "md" else None, d.day if precision == "d" else None)
    return text.rstrip(), want


def only(found):
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------------------
# dates: what is written comes back, at its precision, with a span that slices the text


@SETTINGS
@given(written_date("d"), context, context)
@example(("2020年7月30 日", PartialDate(2020, 7, 30)), "", "前")
@example(("二〇二〇年十二月三十一日", PartialDate(2020, 12, 31)), "于", "")
@example(("２０２０年３月１１日", PartialDate(2020, 3, 11)), "", "")
def test_full_date_comes_back_with_its_span(written, before, after):
    surface, want = written
    text = before + surface + after
    d = only(find_dates(text))
    assert d.date == want and d.date.xsd_type == "date"
    assert (d.span.start, d.span.end) == (len(before), len(before) + len(surface))
    assert text[d.span.start:d.span.end] == d.text == surface
    assert d.year_given and not d.is_range and d.first == d.span
    assert parse_date(surface) == want


@SETTINGS
@given(st.sampled_from("my").flatmap(lambda p: written_date(p)), context, context)
@example(("二〇二〇年三月", PartialDate(2020, 3)), "", "")
@example(("2020 年", PartialDate(2020)), "", "")
def test_month_and_year_keep_their_precision(written, before, after):
    surface, want = written
    text = before + surface + after
    d = only(find_dates(text))
    assert d.date == want
    assert text[d.span.start:d.span.end] == d.text == surface
    assert parse_date(surface) == want


@SETTINGS
@given(st.sampled_from("md").flatmap(lambda p: written_date(p, with_year=False)), context, context,
       st.integers(1950, 2099))
@example(("3月11日", PartialDate(2020, 3, 11)), "", "", 2020)
@example(("2月29日", PartialDate(2000, 2, 29)), "", "", 1950)
def test_a_year_less_date_takes_the_report_year(written, before, after, year):
    surface, want = written
    text = before + surface + after
    d = only(find_dates(text, year=year))
    if want.day is not None and want.day > calendar.monthrange(year, want.month)[1]:
        # no such day in the report's year (2月29日 in 1950): the month alone is read, never an invalid date
        assert d.date == PartialDate(year, want.month) and surface.startswith(d.text) and d.text.endswith("月")
    else:
        assert d.date == PartialDate(year, want.month, want.day)
        assert text[d.span.start:d.span.end] == surface
    assert not d.year_given
    assert find_dates(text) == []  # no year known: left out, never guessed


@SETTINGS
@given(dates, st.integers(0, 364), st.sampled_from(["至", "到", "—", "－", "-", "~", "～"]), gaps, gaps,
       st.sampled_from(["ymd", "md", "d"]), context, context)
@example(dt.date(2019, 10, 25), 67, "至", "", "", "md", "", "")  # 2019年10月25日至12月31日
@example(dt.date(2018, 11, 20), 59, "至", "", "", "md", "", "")  # 2018年11月20日至1月18日 → 2019
def test_a_range_gives_start_and_end_with_the_end_year_inferred(start, days, link, g1, g2, form, before, after):
    end = start + dt.timedelta(days=days)
    if end > dt.date(2099, 12, 31):
        end = start
    if form == "d" and (end.year, end.month) != (start.year, start.month):
        form = "md"
    first = f"{start.year}年{start.month}月{start.day}日"
    last = {"ymd": f"{end.year}年{end.month}月{end.day}日", "md": f"{end.month}月{end.day}日", "d": f"{end.day}日"}[form]
    surface = first + g1 + link + g2 + last
    text = before + surface + after
    d = only(find_dates(text))
    assert d.is_range
    assert (d.date, d.end) == (PartialDate(start.year, start.month, start.day),
                               PartialDate(end.year, end.month, end.day))
    assert text[d.span.start:d.span.end] == d.text == surface
    assert d.first is not None and text[d.first.start:d.first.end] == first
    assert d.last is not None and text[d.last.start:d.last.end] == last
    assert d.end_year_given == (form == "ymd")


@SETTINGS
@given(dates, st.lists(st.text(" \t\u3000\n", max_size=2 * MAX_GAP), min_size=4, max_size=4), context)
@example(dt.date(2020, 3, 11), ["", "", " " * 16, ""], "")  # once cut by the search window, not by the pattern
@example(dt.date(2020, 3, 11), [" " * 30, "", "", ""], "")  # once read as one date across 30 spaces
def test_stray_white_space_is_read_up_to_the_gap_limit(d, g, after):
    surface = f"{d.year}{g[0]}年{g[1]}{d.month}{g[2]}月{g[3]}{d.day}日"
    text = surface + after
    found = find_dates(text)
    if max(map(len, g)) <= MAX_GAP:
        assert only(found).date == PartialDate(d.year, d.month, d.day)
        assert text[found[0].span.start:found[0].span.end] == surface
    else:  # never one date over a longer gap, whichever gap it is and wherever the date stands
        assert all(x.date.day is None or x.span.start > 0 for x in found)
        assert [(x.date, x.span) for x in find_dates(text, year=2000)] == [
            (x.date, Span(x.span.start - 20, x.span.end - 20)) for x in find_dates("。" * 20 + text, year=2000)]


@SETTINGS
@given(st.integers(1950, 2099), st.integers(1, 12), st.integers(1, 31), styles, context, context)
@example(2021, 2, 30, "arabic", "", "")
@example(2019, 2, 29, "chinese", "", "")
def test_an_invalid_day_is_never_read(y, m, d, style, before, after):
    if d <= calendar.monthrange(y, m)[1]:
        d = calendar.monthrange(y, m)[1] + 1
        if d > 31:
            return
    surface = f"{y}年{write_number(m, style)}月{write_number(d, style)}日"
    assert all(x.date.day is None for x in find_dates(before + surface + after))
    assert parse_date(surface) is None
    assert all(x.date.day is None for x in find_dates(f"{m}月{d}日", year=y))


@SETTINGS
@given(st.integers(1950, 2099), st.integers(13, 99), context)
@example(2020, 13, "")
def test_an_invalid_month_is_never_read(y, m, after):
    text = f"{y}年{m}月" + after
    assert all(x.date.month is None for x in find_dates(text))
    assert find_dates(f"{m}月", year=y) == []


# any text made of the pieces dates are made of: whatever is found is a real date with consistent spans
_PIECES = st.sampled_from(list("0123456789０１２３４５６７８９〇零一二三四五六七八九十年月日号底末初旬上中下至到—-~ ，。\n")
                          + ["2020", "1999", "二〇二一", "12", "31", "年底", "明年", "去年", "\r\n"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join), st.none() | st.integers(1950, 2099))
@example("12月31日至1月1日", 2020)
@example("2019年3月至2018年1月", None)
def test_whatever_is_found_is_a_real_date_with_consistent_spans(text, year):
    # the same dates wherever the text stands (the search windows never change what is read)
    shifted = find_dates("会议。" * 7 + text + "。会议" * 7, year=year)
    assert [(x.date, x.end, x.span.start - 21, x.span.end - 21) for x in shifted] == [
        (x.date, x.end, x.span.start, x.span.end) for x in find_dates(text, year=year)]
    prev_end = 0
    for d in find_dates(text, year=year):
        for p in (d.date, d.end):
            if p is not None:
                dt.date(p.year, p.month or 1, p.day or 1)  # raises on 2月30日, 13月
                assert 1900 <= p.year <= 2100
                assert p.day is None or p.month is not None
        assert prev_end <= d.span.start <= d.span.end <= len(text)
        prev_end = d.span.end
        assert d.text == text[d.span.start:d.span.end] and d.text.strip() == d.text
        assert d.first is not None and d.first in d.span and d.first.start == d.span.start
        if d.is_range:
            assert d.last is not None and d.last in d.span and d.last.end == d.span.end
            assert d.first.end <= d.last.start
        else:
            assert d.first == d.span
        assert d.year_given or year is not None


# ---------------------------------------------------------------------------------------------------------
# the offsets invariant: noise inserted anywhere never makes a mention slice the text wrongly

SNIPPET = (
    "中共某某区委关于巡察整改进展情况的通报\n"
    "根据市委统一部署,2021年4月29日至6月28日,市委第一巡察组对某某区委开展了常规巡察。8月6日,市委巡察组向某某区委"
    "反馈了巡察意见。按照《巡视工作条例》有关要求,现将巡察整改进展情况予以公布。\n"
    "一、加强组织领导\n"
    "区委书记严明远任整改工作领导小组组长,区长林志平任副组长。区委印发了《某某区巡察整改工作方案》(某委发〔2021〕12号)"
    "和《关于印发〈某某区干部管理办法(试行)〉的通知》。开展“清廉机关”建设专项行动。\n"
    "二、整改落实情况\n"
    "(一)理论学习不深入的问题。\n"
    "整改进展情况:已完成,长期坚持。\n"
    "(二)关于资金管理不规范的问题。\n"
    "整改进展情况:正在整改,2021年12月底前完成。\n"
    "中共某某区委员会\n"
    "2021年10月8日\n"
)

_NOISE_TOKENS = ["《", "》", "〈", "〉", "\r\n", "\n", "\r", " ", "\u3000", "\t", "，", "。", "；", "：", "（", "）",
                 "“", "”", "、", "！", "？", "〔", "〕", "年", "月", "日", "至", "一、", "(三)", "1.", "2022年",
                 "3月5日", "书记", "省委", "巡视组", "问题", "已完成"]
noise = st.lists(st.sampled_from(_NOISE_TOKENS)
                 | st.text(st.characters(codec="ascii", exclude_categories=["Cs"]), min_size=1, max_size=3)
                 | st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=3),
                 min_size=1, max_size=3).map("".join)
insertions = st.lists(st.tuples(st.integers(0, len(SNIPPET)), noise), max_size=6)

_WS = re.compile(r"\s+")


def _insert(text: str, where: list[tuple[int, str]]) -> str:
    for pos, s in sorted(where, key=lambda p: p[0], reverse=True):
        text = text[:pos] + s + text[pos:]
    return text


def _check_offsets(text: str) -> None:
    source = Source(Path("noisy.txt"), text)
    reports = split_reports(source)
    pipeline = Pipeline()
    prev_end = 0
    for r in reports:
        assert prev_end <= r.span.start <= r.span.end <= len(text)
        prev_end = r.span.end
        for part in (r.title, r.publisher, r.issued):
            assert part is None or part in r.span
        for top in r.sections:
            for s in top.walk():
                assert s.heading in s.span and s.span in r.span
        pipeline(r)
        for t in r.things:
            for m in t.mentions:
                assert m in r.span, (t.kind, t.label, m, r.span)
        for rel in r.relations:
            assert rel.evidence is None or rel.evidence in r.span
    resolved = resolve(reports)
    for t in resolved.things:
        for r in resolved.reports(t):
            spans = resolved.mentions(t, r)
            assert t.kind in ("Inspection", "Deadline") or spans or t.mentions == [], t
            for m in spans:
                assert m in r.span, (t.kind, t.label, m, r.span)
                surface = text[m.start:m.end]
                assert surface, (t.kind, t.label)
                if t.kind == "Document":
                    # the title inside its brackets: never the brackets themselves, always its key
                    assert surface[0] not in "《》" and surface[-1] not in "《》", surface
                    assert "\n" not in surface and title_key(surface) in {title_key(n) for n in t.names}
                elif t.kind in ("Person", "Post", "Program", "Deadline"):
                    # the name as written (white space aside)
                    assert _WS.sub("", surface) in {_WS.sub("", n) for n in t.names}, (t.kind, surface, t.names)
                if t.kind in ("Person", "Post", "Unit", "InspectionTeam"):
                    assert surface == surface.strip() and "\n" not in surface, (t.kind, surface)
    # and the RDF mapping writes surfaces that the offsets slice out of the text
    mentions: dict[str, dict[str, str]] = {}
    for q in to_quads(reports, resolved):
        p = q.predicate.value.rsplit("#", 1)[-1]
        if p in ("start", "end", "surface"):
            mentions.setdefault(q.subject.value, {})[p] = q.object.value
    for m in mentions.values():
        start, end = int(m["start"]), int(m["end"])
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == m["surface"]


def test_the_clean_snippet_finds_what_the_noise_tests_rely_on():
    (r,) = split_reports(Source(Path("clean.txt"), SNIPPET))
    Pipeline()(r)
    kinds = {t.kind for t in r.things}
    assert {"Inspection", "InspectionTeam", "Unit", "Person", "Post", "Document", "Program", "Problem",
            "Deadline"} <= kinds
    _check_offsets(SNIPPET)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(insertions)
@example([(SNIPPET.index("《巡视"), "《")])  # an unbalanced 《 before a title
@example([(SNIPPET.index("》有关"), "》")])
@example([(0, "\r\n"), (SNIPPET.index("\n"), "\r")])
@example([(SNIPPET.index("林志平") + 1, " ")])
# a sentence end inside a 文号 / a title: the next title of the series once took the verb of the sentence before
@example([(0, "《"), (SNIPPET.index("某委发"), "！")])
@example([(0, "《"), (SNIPPET.index("某某区巡察整改工作方案"), "；")])
@example([(SNIPPET.index("巡视工作条例") + 1, "\x1f")])  # a control character is white space to the label too
def test_mentions_slice_the_text_whatever_noise_is_inserted(where):
    _check_offsets(_insert(SNIPPET, where))


@settings(max_examples=30, deadline=None)
@given(insertions)
def test_crlf_text_keeps_its_offsets(where):
    _check_offsets(_insert(SNIPPET, where).replace("\n", "\r\n"))


def _seed_head() -> str:
    """The opening lines of a real report (seeds/001), about 700 characters, as read (newline='')."""
    text = open(SEED_001, encoding="utf-8", newline="").read()
    return text[:text.index("\n", 700) + 1]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_real_report_opening_keeps_its_offsets_under_noise(data):
    head = _seed_head()
    where = data.draw(st.lists(st.tuples(st.integers(0, len(head)), noise), max_size=6))
    _check_offsets(_insert(head, where))


_spans = st.builds(lambda a, n: Span(a, a + n), st.integers(0, 40), st.integers(0, 6))


@given(st.lists(_spans, max_size=8), _spans)
def test_span_index_answers_as_a_scan_does(spans: list[Span], probe: Span) -> None:
    """SpanIndex (the log-time lookup programs use on long reports) agrees with the obvious scan."""
    index = SpanIndex(spans)
    assert index.overlaps(probe) == any(probe.overlaps(s) for s in spans)
    assert index.holds(probe) == any(probe in s for s in spans)
