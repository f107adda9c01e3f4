"""Component "problems": the problems the inspection fed back, their rectification status, and deadlines.

Problems and their status
    A report lists the problems under numbered headings and, for each, states how far its rectification has
    come on a status line: a label (status_labels.txt: 整改进展情况, 进展情况, 整改情况 …) that starts a line or
    follows 。/；, then ：, then a status phrase (status.tsv) in the first clause after it — 已完成, 已整改完成,
    落实完成 … (Completed); 正在整改, 持续整改, 取得阶段性成效, 1条措施已完成 … (InProgress); the earliest phrase
    decides. A long-term phrase (长期坚持, 长期推进 …) in the same sentence sets ``longTerm``. Two status lines
    with nothing between them are one statement (the later one wins: a 整改情况 line followed by 进展情况).

    The problem a status line belongs to is the outermost numbered section that holds this status line and
    no other one, descending while that section has a single child section that holds it (so a category
    with one problem gives the problem, while measures (1)(2)… under a problem 一是… leave 一是… as the problem).
    When no section holds the status line alone, the problem is the text since the previous status line in
    the innermost section (its first sentence is the label). Each problem is a ``Problem`` (label = heading
    without its marker, key = section path, ``status``, ``longTerm``, ``sectionNumber``; mention = heading); the
    numbered sections above it become ``Problem`` categories (no status) linked by ``xs:partOf`` — except a
    top-level section whose heading names a part of the report (problem_part_cues.txt: 整改情况, 下一步 …).

Deadlines
    A deadline is a date (kg/dates.py; a year left out is the report's year, so 年底前 is the report year's
    end) followed by 前/之前/以前, or introduced by a time-limit label (整改时限：2020年12月). Rule inferred from
    the annotated reports: a date with 前 counts whether it lies ahead or was met already (3月底前已完成), inside
    a status line or in the measures (正在整改，2020年12月前完成; 确保2020年底前完成); a date without 前 does not
    (预计12月末完成, 2020年9月底完成), nor does "前" starting "the first N" (2020年前五个月, 前三季度), nor a
    recurring time (每月28日前, 每年年底前), nor a date with 末 (10月末前 — not counted by the annotation).
    The word lists are in deadline_cues.tsv. Each deadline is a ``Deadline`` (label = the phrase, key unique per
    mention, ``dueDate``; mention = the phrase) linked by ``xs:deadline`` from the innermost problem holding it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from .. import lexicon
from ..dates import DateMention, find_dates
from ..model import Report, Section, Span, Thing
from ..pipeline import component

MAX_LABEL = 120  # characters of a problem's label at most
_CLAUSE_END = re.compile(r"[，,。；;！!？?]")
_SENT_END = re.compile(r"[。；;！!？?]")
_CLAUSE_END_OR_LINE = re.compile(r"[，,。；;！!？?\n]")


# -- lexicons -----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _label_rx() -> re.Pattern[str]:
    labels = lexicon.alternation("status_labels")
    return re.compile(rf"(?:^|(?<=[。；;！!？? \t\u3000]))[ \t\u3000]*[【\[]?(?P<label>{labels})[ \t\u3000]*"
                      rf"(?:[:：]|[】\]][:：]?)[ \t\u3000]*", re.M)


@lru_cache(maxsize=1)
def _status_rx() -> list[tuple[str, re.Pattern[str]]]:
    return [(r["kind"], re.compile(r["regex"])) for r in lexicon.table("status") if r.get("regex")]


@lru_cache(maxsize=1)
def _cues() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in lexicon.table("deadline_cues"):
        out.setdefault(r["kind"], []).append(r["text"])
    return out


@lru_cache(maxsize=1)
def _before_rx() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in sorted(_cues().get("before", []), key=len, reverse=True))
    not_after = "|".join(f"(?:{p})" for p in _cues().get("not_after", []))
    return re.compile(rf"[ \t]*(?:{words})(?!{not_after})" if not_after else rf"[ \t]*(?:{words})")


@lru_cache(maxsize=1)
def _label_cue_rx() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in sorted(_cues().get("label", []), key=len, reverse=True))
    return re.compile(rf"(?:{words})[ \t\u3000]*[:：]?[ \t\u3000]*$")


@lru_cache(maxsize=1)
def _recurring_rx() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in sorted(_cues().get("recurring", []), key=len, reverse=True))
    return re.compile(rf"(?:{words})[^，,。；;！!？?]{{0,12}}$")


@lru_cache(maxsize=1)
def _part_cues() -> tuple[str, ...]:
    return lexicon.words("problem_part_cues")


# -- status -------------------------------------------------------------------------------------------------
def classify_status(sentence: str) -> tuple[str | None, bool]:
    """(status, long_term) stated at the start of ``sentence`` (the text after a status label).

    The status phrase must begin in the sentence's first clause; the earliest phrase wins (ties: longest).
    """
    first = _CLAUSE_END.search(sentence)
    clause_end = first.start() if first else len(sentence)
    best: tuple[int, int, int, str] | None = None
    long_term = False
    for row, (kind, rx) in enumerate(_status_rx()):
        m = rx.search(sentence)
        if m is None:
            continue
        if kind == "LongTerm":
            long_term = True
            continue
        cand = (m.start(), -(m.end() - m.start()), row, kind)
        if best is None or cand < best:
            best = cand
    if best is None or best[0] >= clause_end:
        return None, long_term
    return best[3], long_term


@dataclass
class StatusLine:
    line: Span  # the line holding the statement
    at: int  # where the label starts
    end: int  # where the statement's first sentence ends
    status: str
    long_term: bool


def status_lines(report: Report) -> list[StatusLine]:
    """The report's status statements in text order.

    Several may share a line (a table-like paragraph "问题…整改情况：已完成。问题…整改情况：正在整改。"). Two with
    nothing between them are one statement and the later one is kept (a 整改情况 line followed by 进展情况).
    """
    text = report.text
    out: list[StatusLine] = []
    for line in report.lines():
        if line.end - line.start < 4:
            continue
        for m in _label_rx().finditer(text, line.start, line.end):
            se = _SENT_END.search(text, m.end(), line.end)
            stop = se.start() if se else line.end
            status, long_term = classify_status(text[m.end() : stop])
            if status is None:
                continue
            st = StatusLine(line, m.start("label"), se.end() if se else line.end, status, long_term)
            if out and _adjacent(text, out[-1], st):
                out[-1] = st
            else:
                out.append(st)
    return out


def _adjacent(text: str, a: StatusLine, b: StatusLine) -> bool:
    if a.line == b.line:
        return not text[a.end : b.at].strip()
    return not text[a.line.end : b.line.start].strip()


# -- problems -----------------------------------------------------------------------------------------------
@component("problems")
class ProblemExtractor:
    """Adds a Problem per stated status (with its categories) and a Deadline per dated deadline."""

    def __call__(self, report: Report) -> None:
        builder = _Builder(report)
        builder.problems()
        builder.deadlines()


class _Builder:
    def __init__(self, report: Report) -> None:
        self.r = report
        self.by_section: dict[int, Thing] = {}
        self.keys: set[str] = set()
        self.spans: list[tuple[Span, Thing]] = []  # every problem / category with its span
        self.linked: set[tuple[int, int]] = set()

    # status problems -----------------------------------------------------------------------------------
    def problems(self) -> None:
        lines = status_lines(self.r)
        offsets = [s.at for s in lines]
        prev_end: dict[int, int] = {}
        for st in lines:
            chain = self._chain(st.at)
            sec = self._section_for(chain, offsets, st.at)
            if sec is not None:
                prob = self._problem_for_section(sec, st)
                parent_chain = chain[: chain.index(sec)]
            else:
                inner = chain[-1] if chain else None
                floor = inner.heading.end if inner else self.r.span.start
                start = max(prev_end.get(id(inner), floor), floor)
                prob = self._problem_for_segment(Span(start, st.line.end), st, inner)
                parent_chain = chain
            prev_end[id(chain[-1] if chain else None)] = st.end
            if prob is not None:
                self._link_parents(prob, parent_chain)

    def _chain(self, at: int) -> list[Section]:
        """The sections holding ``at``, outermost first."""
        chain: list[Section] = []
        level = self.r.sections
        while True:
            sec = next((s for s in level if at in s.span), None)
            if sec is None:
                return chain
            chain.append(sec)
            level = sec.children

    def _section_for(self, chain: list[Section], offsets: list[int], at: int) -> Section | None:
        def count(s: Section) -> int:
            return bisect.bisect_left(offsets, s.span.end) - bisect.bisect_left(offsets, s.span.start)

        alone = [s for s in chain if count(s) == 1]
        if not alone:
            return None
        sec = alone[0]
        while len(sec.children) == 1 and at in sec.children[0].span:
            sec = sec.children[0]
        return sec

    def _key(self, base: str) -> str:
        key, n = base, 1
        while key in self.keys:
            n += 1
            key = f"{base}#{n}"
        self.keys.add(key)
        return key

    def _heading_label(self, sec: Section) -> str:
        text = self.r.text[sec.heading.start + len(sec.marker) : sec.heading.end]
        return _clean_label(text)

    def _section_problem(self, sec: Section) -> Thing:
        """The Problem a section's heading names, made on first use."""
        thing = self.by_section.get(id(sec))
        if thing is None:
            thing = self.r.add("Problem", self._heading_label(sec) or sec.path, sec.heading,
                               key=self._key(f"problem:{sec.path}"), sectionNumber=sec.path)
            self.by_section[id(sec)] = thing
            self.spans.append((sec.span, thing))
        return thing

    def _problem_for_section(self, sec: Section, st: StatusLine) -> Thing | None:
        thing = self._section_problem(sec)
        thing.attrs["status"] = st.status
        thing.attrs["longTerm"] = st.long_term
        return thing

    def _problem_for_segment(self, seg: Span, st: StatusLine, inner: Section | None) -> Thing | None:
        text = self.r.text
        pos = seg.start
        while pos < st.at and text[pos].isspace():
            pos += 1
        stop = _SENT_END.search(text, pos, st.at)
        nl = text.find("\n", pos, st.at)
        end = min(x for x in (stop.end() if stop else st.at, nl if nl >= 0 else st.at, st.at))
        while end > pos and text[end - 1].isspace():
            end -= 1
        if end <= pos:  # the status line follows the heading directly
            pos, end = st.at, st.line.end
        label = _clean_label(text[pos:end]) or "problem"
        base = f"problem:{inner.path}.s{pos}" if inner else f"problem:s{pos}"
        thing = self.r.add("Problem", label, Span(pos, end), key=self._key(base), status=st.status,
                           longTerm=st.long_term, sectionNumber=inner.path if inner else "")
        self.spans.append((seg, thing))
        return thing

    def _link_parents(self, prob: Thing, chain: list[Section]) -> None:
        child = prob
        for sec in reversed(chain):
            if sec.level == 1 and any(c in self._heading_label(sec) for c in _part_cues()):
                break
            known = id(sec) in self.by_section
            cat = self._section_problem(sec)
            self._relate_once(child, cat, sec.heading)
            if known:
                return  # the rest of the chain is linked already
            child = cat

    def _relate_once(self, child: Thing, parent: Thing, evidence: Span) -> None:
        if (id(child), id(parent)) not in self.linked:
            self.linked.add((id(child), id(parent)))
            self.r.relate(child, "xs:partOf", parent, evidence)

    # deadlines ---------------------------------------------------------------------------------------------
    def deadlines(self) -> None:
        r = self.r
        text = r.text
        parts = set(_cues().get("part", []))
        clause_ends = [m.start() for m in _CLAUSE_END_OR_LINE.finditer(text, r.span.start, r.span.end)]
        for d in find_dates(text, r.span.start, r.span.end, year=r.year):
            due = d.end if d.is_range else d.date
            part = d.part
            end = d.span.end
            if part is not None and part not in parts:
                continue
            i = bisect.bisect_left(clause_ends, d.span.start)  # how many clauses end before the date
            clause_start = clause_ends[i - 1] + 1 if i else r.span.start
            before_text = text[max(clause_start, d.span.start - 20) : d.span.start]
            labelled = _label_cue_rx().search(before_text) is not None
            b = _before_rx().match(text, end, r.span.end)
            if b is None and not labelled:
                continue
            if b is not None and _recurring_rx().search(text[clause_start : d.span.start]):
                continue
            span = Span(d.span.start, b.end() if b else end)
            surface = text[span.start : span.end]
            thing = r.add("Deadline", surface, span, key=f"deadline@{span.start}", dueDate=due)
            holder = self._holder(span.start)
            if holder is not None:
                r.relate(holder, "xs:deadline", thing, span)

    def _holder(self, pos: int) -> Thing | None:
        best: tuple[int, Thing] | None = None
        for span, thing in self.spans:
            if pos in span and (best is None or len(span) < best[0]):
                best = (len(span), thing)
        return best[1] if best else None


def _clean_label(s: str) -> str:
    s = s.strip().rstrip("。；;，,：:").strip()
    if len(s) > MAX_LABEL:
        s = s[:MAX_LABEL].rstrip() + "…"
    return s
