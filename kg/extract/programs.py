"""Component "programs": named campaigns, special actions, programmes and reforms (xs:Program).

A programme is a *named modifier* followed by a *head word*:

* a quoted modifier (a chain of “…”), maybe a few words, then any head of ``program_heads.txt`` or
  ``program_heads_quoted.txt``: “两学一做”学习教育, “放管服”改革, “一带一路”建设, “才聚东营”行动,
  “党在心中·与法同行”民族宗教政策法规宣传活动; words just before the quote belong to the name too
  (项目建设“百日攻坚”行动, 2020年度“重强抓”专项行动), the name without them is an altLabel;
* an unquoted modifier before a head of ``program_heads.txt`` (党史学习教育, 扫黑除恶专项斗争, 证照分离改革,
  科技惠企专项行动): scanning back from the head to punctuation, the name starts after the last lead word
  (开展, 推进, 深入 … ``program_lead_words.txt``); modifiers that are generic (``program_generic_modifiers.txt``:
  深化改革, 机构改革, 开展专项整治) are dropped;
* a bare standalone head (主题教育, ``program_standalone_heads.txt``);
* a well-known national name without head (``known_programs.txt``: 乡村振兴, 扫黑除恶, 放管服 …).

Doctrines, slogans and generic work (``not_programs.txt``: 两个维护, 党的建设, 整改工作 …) are never programmes.
A head directly followed by a word from ``program_head_blockers.txt`` (改革创新, 改革开放 …) is no head.

Identity: ``key`` = the name after NFKC without quote marks and white space, leaving out the words before a
quoted modifier, the year and scope words (全区, 全省首批 …); one thing per key in a report. A short form
(“两学一做”, 扫黑除恶, bare 主题教育) is an altLabel of the report's full name built on it
(“两学一做”学习教育, 扫黑除恶专项斗争, “不忘初心、牢记使命”主题教育). Names from ``known_programs.txt`` are
national campaigns: ``scope="global"``; all others stay in their report.

Programme names inside a 《document title》 count as mentions (``IN_TITLES``): the hand-checked gold sets
list them (工业提升工程 from 《…实施工业提升工程的工作方案》) or mark them doubtful, never wrong.

xs:conductedBy: when a conducting verb (``program_conduct_verbs.txt``: 开展, 组织, 部署, 推进 …) stands right
before the name, the nearest Unit found earlier in the same clause (outside any title, not the object of
对/针对/按照 … ``doc_issuer_blockers.txt``) carries it out. No unit → no relation.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from .. import lexicon
from ..model import Report, Span, SpanIndex, Thing
from ..pipeline import component
from .agents import subject_unit


IN_TITLES = True
MAX_MODIFIER = 24  # characters scanned back from a head for an unquoted modifier
MAX_PREFIX = 8  # characters scanned back from a quoted modifier for the words in front of it

_BOUNDARY = "\\s，。；：、！？!?,;:“”‘’\"'「」『』《》〈〉<>＜＞（）()【】\\[\\]…"
_NAME_CHAR = f"[^{_BOUNDARY}]"
_Q = r"(?:[“‘「『][^“”‘’「」『』\n]{1,30}[”’」』])"
_KEY_DROP = dict.fromkeys(map(ord, "“”‘’\"'「」『』《》〈〉<> \t\r\n\u3000"), None)
_YEAR = re.compile(r"^(?:\d{4}(?:[—\-－~至]\d{4})?年度?|第[一二三四五六七八九十\d]+[届批期轮]|\d+[项个次批类件条])")
_YEAR_END = re.compile(r"\d{4}年度?$")
_MARKER = re.compile(r"(?:[（(]\d{1,2}[）)]|\d{1,2}[.．、]|[①-⑳])")  # an item number in front of a name


def norm(s: str) -> str:
    """NFKC without quote marks, title brackets and white space (the identity of a name)."""
    return unicodedata.normalize("NFKC", s).translate(_KEY_DROP)


def _inner(surface: str) -> str:
    """A quoted chain without its outer quote marks: “两学一做” → 两学一做."""
    return surface.strip("“”‘’「」『』\"'")


@dataclass
class _Cand:
    span: Span  # the whole name as written (with the words in front of a quoted modifier)
    label: str
    key: str
    alts: set[str] = field(default_factory=set)
    short: str | None = None  # key of a short form this name is built on (两学一做, 扫黑除恶 …)
    refers_to_head: str | None = None  # a bare head (主题教育, 三年行动) standing for the report's full name
    standalone: bool = False  # … and a programme by itself when there is no full name
    known: bool = False


def _longest_first(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@component("programs")
class Programs:
    def __init__(self) -> None:
        named_heads = lexicon.words("program_heads")
        every = _longest_first([*named_heads, *lexicon.words("program_heads_quoted")])
        blockers = lexicon.alternation("program_head_blockers")
        chain = rf"{_Q}(?:[ \u3000、]?{_Q})*"
        self._quoted = re.compile(rf"(?P<q>{chain})(?P<mid>{_NAME_CHAR}{{0,14}}?)(?P<head>{every})(?!{blockers})")
        self._q = re.compile(_Q)
        self._ends_with_head = re.compile(rf"(?:{every})$")
        self._named = re.compile(rf"(?:{_longest_first(named_heads)})(?!{blockers})")
        self._standalone = set(lexicon.words("program_standalone_heads"))
        self._anaphoric = set(lexicon.words("program_anaphoric_heads"))
        self._known_keys = {norm(w) for w in lexicon.words("known_programs")}
        self._known = re.compile(rf"(?:{lexicon.alternation('known_programs')})(?!{blockers})")
        leads = lexicon.alternation("program_lead_words")
        self._lead_cut = re.compile(rf".*(?:{leads})")  # used with .match(text, pos, endpos)
        self._lead_in = re.compile(rf"(?:{leads})")
        self._mid_break = re.compile(rf"(?:{lexicon.alternation('program_mid_breakers')})")
        self._scope = re.compile(rf"^(?:{lexicon.alternation('program_scope_prefixes')})")
        self._place = re.compile(rf"^[\u4e00-\u9fff]{{2,4}}?(?:{lexicon.alternation('program_place_suffixes')})")
        self._generic = {norm(w) for w in lexicon.words("program_generic_modifiers")}
        self._not = {norm(w) for w in lexicon.words("not_programs")}
        self._mod_block: dict[str, re.Pattern] = {}
        by_head: dict[str, list[str]] = {}
        for row in lexicon.table("program_modifier_blockers"):
            by_head.setdefault(row["head"], []).append(row["modifier_end"])
        for head, ends in by_head.items():
            self._mod_block[head] = re.compile(rf"(?:{_longest_first(ends)})$")
        self._conj_end = re.compile(rf"(?:{lexicon.alternation('program_conjunctions')})$")
        self._conj_start = re.compile(rf"(?:{lexicon.alternation('program_conjunctions')})")
        self._known_end = re.compile(rf"(?:{lexicon.alternation('known_programs')})$")
        self._tail = re.compile(rf"(?:{_NAME_CHAR}|[（(][^（）()\s]{{1,4}}[）)])*$")
        verbs = lexicon.alternation("program_conduct_verbs")
        self._conduct = re.compile(rf"(?:{verbs})(?:[了着过]|{leads})*\s*$")

    # -- helpers -----------------------------------------------------------------------------------
    def _front(self, text: str, lo: int, at: int, limit: int) -> int:
        """Where a name whose later part starts at ``at`` begins: back to punctuation, after the last lead word;
        nothing in front after a conjunction (问题和主题教育); a known name in front starts it (决战扫黑除恶…)."""
        m = self._tail.search(text, max(lo, at - limit), at)
        start = m.start() if m else at
        cut = self._lead_cut.match(text, start, at)
        if cut:
            start = cut.end()
        if start < at and self._conj_end.search(text, start, at):
            return at
        marker = _MARKER.match(text, start, at) or self._conj_start.match(text, start, at)
        if marker:
            start = marker.end()
        known = self._known_end.search(text, start, at)
        return known.start() if known else start

    def _core(self, modifier: str, *, place: bool = False) -> str:
        """The modifier without a year and scope words (2020年度, 全区, 首批 …) and, if asked, a place name."""
        core = modifier
        for _ in range(4):
            new = self._scope.sub("", _YEAR.sub("", _YEAR_END.sub("", core)))
            if place:
                new = self._place.sub("", new)
            if new == core:
                break
            core = new
        return core

    # -- finding names -----------------------------------------------------------------------------
    def _candidates(self, report: Report, titles: list[Span], units: list[Span]) -> list[_Cand]:
        text = report.text
        unit_ends = sorted({u.end for u in units})

        def after_unit(start: int, end: int) -> int:
            """The end of the last Unit mention ending inside [start, end) (a unit in front of a name), else start."""
            i = bisect.bisect_left(unit_ends, end) - 1
            return unit_ends[i] if i >= 0 and unit_ends[i] > start else start
        out: list[_Cand] = []
        taken: list[Span] = []  # this sentence's candidates (no span crosses a sentence's end)
        in_titles, in_units = SpanIndex(titles), SpanIndex(units)

        def free(span: Span) -> bool:
            if not IN_TITLES and in_titles.overlaps(span):
                return False
            if in_units.holds(span):
                return False
            return not any(span.overlaps(t) for t in taken)

        def add(c: _Cand) -> None:
            out.append(c)
            taken.append(c.span)

        for sent in report.sentences:
            lo, hi = sent.start, sent.end
            taken.clear()
            # 1. a chain of quoted modifiers (+ a few words) + head
            for m in self._quoted.finditer(text, lo, hi):
                quotes = list(self._q.finditer(text, m.start("q"), m.end("q")))
                inners = [norm(q.group()) for q in quotes]
                mid = m.group("mid")
                if any(i in self._not or len(i) < 2 for i in inners) or (mid and self._mid_break.search(mid)):
                    continue
                start = self._front(text, lo, m.start(), MAX_PREFIX)
                if len(quotes) > 1 and not mid and start == m.start():
                    # “双全双百”“一链办理”“一业一证”改革: each item is a programme, the last with the head
                    for q in quotes[:-1]:
                        span = Span(q.start() + 1, q.end() - 1)
                        if free(span):
                            add(_Cand(span, text[span.start:span.end], norm(q.group()),
                                      known=norm(q.group()) in self._known_keys))
                    last = quotes[-1]
                    span = Span(last.start(), m.end())
                    if free(span):
                        inner = _inner(last.group())
                        short = norm(inner)
                        add(_Cand(span, text[span.start:span.end], norm(text[span.start:span.end]), {inner},
                                  short=short, known=short in self._known_keys))
                    continue
                span = Span(start, m.end())
                if not free(span):
                    continue
                core_text = text[m.start():m.end()]
                key = norm(core_text)
                if key in self._not:
                    continue
                prefix = text[start:m.start()]
                alts = {core_text} if prefix else set()
                stripped = self._core(prefix, place=True)
                if prefix and stripped != prefix:
                    alts.add(stripped + core_text)
                short = None
                if len(quotes) == 1 and not mid:
                    short = inners[0]
                    if not prefix:  # 项目建设“百日攻坚”行动: 百日攻坚 alone would not tell it from others
                        alts.add(_inner(quotes[0].group()))
                add(_Cand(span, text[start:m.end()], key, alts, short=short, known=short in self._known_keys))
            # 2. a whole quoted name ending in a head: “外交部省区市全球推介活动”, ‘解放思想大讨论’
            for q in self._q.finditer(text, lo, hi):
                inner = _inner(q.group())
                h = self._ends_with_head.search(inner)
                if not h or h.start() < 2 or norm(inner) in self._not or re.search(r"[、，,；;]", inner):
                    continue
                modifier = self._core(inner[: h.start()])
                if len(modifier) < 2 or norm(modifier) in self._generic or self._lead_in.match(inner):
                    continue
                span = Span(q.start() + 1, q.end() - 1)
                if free(span):
                    add(_Cand(span, inner, norm(inner)))
            # 3. an unquoted named modifier + head; a bare standalone or anaphoric head
            for m in self._named.finditer(text, lo, hi):
                head = m.group()
                if m.start() > lo and text[m.start() - 1] in "”’」』\"'":
                    continue  # a quoted modifier: handled above (or rejected there)
                start = self._front(text, lo, m.start(), MAX_MODIFIER)
                modifier = text[start:m.start()]
                core = self._core(modifier)
                bare = self._core(text[after_unit(start, m.start()):m.start()], place=True)
                head_span = Span(m.start(), m.end())
                if len(bare) < 2 and (head in self._standalone or head in self._anaphoric):
                    if free(head_span):
                        add(_Cand(head_span, head, norm(head), refers_to_head=head,
                                  standalone=head in self._standalone))
                    continue
                if len(core) < 2 or norm(core) in self._generic or norm(bare) in self._generic:
                    continue
                block = self._mod_block.get(head)
                if block is not None and block.search(core):
                    continue
                span = Span(start, m.end())
                if not free(span):
                    continue
                name = text[start:m.end()]
                key = norm((bare if len(bare) >= 2 else core) + head)
                if key in self._not or norm(name) in self._not:
                    continue
                alts = {core + head} if core != modifier else set()
                if len(bare) >= 2 and bare != core:
                    alts.add(bare + head)
                short = norm(bare) if norm(bare) in self._known_keys else None
                add(_Cand(span, name, key, alts, short=short, known=short is not None))
            # 4. well-known national names
            for m in self._known.finditer(text, lo, hi):
                span = Span(m.start(), m.end())
                if free(span):
                    add(_Cand(span, m.group(), norm(m.group()), known=True))
        out.sort(key=lambda c: c.span.start)
        return out

    # -- the component -----------------------------------------------------------------------------
    def __call__(self, report: Report) -> None:
        titles = [m for t in report.things_of("Document") for m in t.mentions]
        in_titles = SpanIndex(titles)
        units = [m for t in report.things_of("Unit", "InspectionTeam") for m in t.mentions]
        cands = self._candidates(report, titles, units)
        if not cands:
            return
        # short forms → the first full name built on them in the report
        full_of: dict[str, _Cand] = {}
        for c in cands:
            if c.short and c.short != c.key:
                full_of.setdefault(c.short, c)
        keep: list[_Cand] = []
        for c in cands:
            if c.refers_to_head:
                k = norm(c.refers_to_head)
                full = next((f for f in cands if not f.refers_to_head and f.key.endswith(k) and f.key != k), None)
                if full is None and not c.standalone:
                    continue  # 三年行动 with nothing to refer to
            else:
                full = full_of.get(c.key)
            if full is not None and full is not c:
                c.alts.add(c.label)
                c.label, c.key, c.known = full.label, full.key, full.known or c.known
            keep.append(c)
        first_label: dict[str, str] = {}
        known_key = {c.key for c in keep if c.known}
        for c in keep:
            label = first_label.setdefault(c.key, c.label)
            alts = ({c.label} | c.alts) - {label}
            scope = "global" if c.key in known_key else "report"
            thing = report.add("Program", label, c.span, key=c.key, alt_labels=alts, scope=scope)
            unit = self._conductor(report, c.span, in_titles)
            if unit is not None:
                report.relate(thing, "xs:conductedBy", unit, report.sentence_at(c.span.start))

    def _conductor(self, report: Report, span: Span, titles: SpanIndex) -> Thing | None:
        """The Unit carrying the programme out: ``<Unit> … 开展 <programme>`` in one sentence, else None."""
        text = report.text
        sent = report.sentence_at(span.start)
        if titles.overlaps(span):
            return None
        m = self._conduct.search(text, sent.start, span.start)
        if not m:
            return None
        return subject_unit(report, Span(sent.start, m.start()), titles)
