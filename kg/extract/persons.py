"""Component ``persons``: named persons, the posts they hold, and posts named by title alone.

What it finds, sentence by sentence (``report.sentences``):

* **title phrases** — ``[原|前] [厅/局/办/委] PREFIX* [常务副|副] HEAD`` with HEAD from ``titles.txt`` and
  PREFIX from ``title_prefixes.txt`` (厅党组副书记, 县委常委, 管委会副主任, 巡察组组长). The post's label is the
  phrase as written without the one-character unit abbreviation (厅党组书记 → 党组书记) and without a full
  unit name in front (辽宁省商务厅厅长 → 厅长, the unit goes to ``org:postIn``); generic bodies stay
  (县委书记 stays 县委书记). A phrase inside a unit name or a meeting/hotline name (厅长碰头会, 市长热线,
  书记专题会 — ``person_cues.tsv`` kinds ``after_not_post``/``not_post``) is no post.
* **persons**, each a Thing ``Person`` (label and key the full name, scope "report"):
  - after a list of titles: 党组书记、厅长宋彦麟(同志); 县委副书记、县长陈大为;
  - before a title: 陈求发书记, 陈绿平副省长 (商务部俞建华副部长);
  - holding a post through a verb: 宋彦麟同志担任组长; 王广利和副厅长王景明同志任副组长; 陈大为，…，赵丹4名同志
    为副组长; 办公室主任由…万方兼任;
  - without a title before 同志: 刘军同志; 焦健、杨浦、荣大煜等同志 (a jieba ``nr`` tag on a short window
    must confirm a name nobody else vouches for);
  - after a field label: 责任领导：王晓江；责任人：卢锡超 (persons with no post);
  - every later occurrence of a name already found, and the given name before 同志 (彦麟同志 for 宋彦麟) as a
    separate Person with key ``~彦麟`` that ``kg/resolve/persons.py`` unites with the full name.
  A name is a surname (``surnames.txt``) + 1–2 given-name characters, none of them a ``name_stop`` character,
  not listed in ``not_persons.txt``, bounded by punctuation, 同志, a title or a ``follow`` word.
* **posts**, Things ``Post``: ``(person, "org:holds", post)`` for each title a person holds and
  ``(post, "org:postIn", unit)`` when the unit is named right in front (a ``Unit`` found by the units
  component) or implied (厅/局 abbreviation → the report's inspected unit). A title phrase held by no named
  person is a post of its own (其他县委常委、副县长; 由党组书记任组长) with key ``role|unit|title``; held posts
  have key ``unit|title`` (the resolver recomputes both once unit keys are final).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator

from .. import lexicon
from ..model import Report, Span, Thing
from ..pipeline import component

_CJK = "\u3400-\u9fff"
_IS_CJK = re.compile(f"[{_CJK}]")
_NUM = "0-9０-９一二三四五六七八九十两"
_PRE_VERB = re.compile(rf"(?:同志)?(?:等?[{_NUM}]+名同志|等同志|等)?(?:担任|兼任|出任|任|为)$")
_BOOK_OPEN, _BOOK_CLOSE = "《", "》"
_NAMEISH = ("nr", "ns", "nz", "zg")  # jieba tags a name may carry (宁国 ns in 宁国军, 建华 nz in 俞建华)
_COMMON_TAGS = {"n", "vn", "v", "an", "a", "ad", "l", "i"}  # common words, not names or times (东来 t)
_FUNCTION_TAGS = "vprcd"  # verb, preposition, pronoun, conjunction, adverb: 任 in 主席任现职, 包 in 包领域


def _cues(kind: str) -> list[str]:
    return [r["text"] for r in lexicon.table("person_cues") if r.get("kind") == kind and r.get("text")]


def _alt(items) -> str:
    return "|".join(re.escape(w) for w in sorted(set(items), key=len, reverse=True))


@dataclass
class _Chunk:
    """One title phrase in the text."""

    start: int  # the whole match (with abbreviation)
    end: int
    label_start: int  # where the label begins (after an abbreviation)
    head_start: int
    label: str
    abbr: str
    head: str = ""
    holders: list[Thing] = field(default_factory=list)
    unit: Thing | None = None
    implied_unit: bool = False
    in_book: bool = False


class _Tagger:
    """jieba's part-of-speech reading of short windows, remembered for one build.

    jieba's HMM (which finds names missing from its dictionary) costs about a millisecond a window, and the
    same windows recur before common titles. The memo belongs to one extractor so that every build pays
    for its own text (a process-wide cache would make a repeated benchmark look faster than a build is).
    """

    def __init__(self, surnames: set[str]) -> None:
        self.surnames = surnames
        self._memo: dict[str, tuple[tuple[str, str], ...]] = {}

    def tokens(self, text: str) -> tuple[tuple[str, str], ...]:
        toks = self._memo.get(text)
        if toks is None:
            import jieba
            import jieba.posseg as pseg

            jieba.setLogLevel(60)
            toks = self._memo[text] = tuple((w.word, w.flag) for w in pseg.cut(text))
        return toks

    def name_at_end(self, window: str) -> str | None:
        """The personal name jieba reads at the end of ``window`` (杜|长青 → 杜长青, 孙|连成 → 孙连成), or None."""
        toks = self.tokens(window)
        if not toks or not toks[-1][1].startswith("nr"):
            return None
        name = toks[-1][0]
        if (len(toks) > 1 and 1 <= len(name) <= 2 and toks[-2][0] in self.surnames
                and toks[-2][1].startswith(("nr", "zg"))):
            name = toks[-2][0] + name
        return name


class _Lex:
    """The compiled lexicons (built once per process)."""

    def __init__(self) -> None:
        sur = lexicon.words("surnames")
        self.double = {s for s in sur if len(s) == 2}
        self.single = {s for s in sur if len(s) == 1}
        self.surnames = self.double | self.single
        self.not_persons = set(lexicon.words("not_persons"))
        self.not_person_re = re.compile(_alt(self.not_persons)) if self.not_persons else None
        self.stop = set("".join(_cues("name_stop")))
        self.follow = _cues("follow")
        self.follow_re = re.compile(_alt(self.follow))
        self.left = _cues("left")
        self.needs_prefix = set(_cues("needs_prefix"))
        self.not_post_re = re.compile(_alt(_cues("not_post")))
        self.after_not_post_re = re.compile(_alt(_cues("after_not_post")) or "(?!)")  # matched right after a title
        self.after_ok_re = re.compile(_alt(_cues("after_ok")) or "(?!)")
        self.labels = _cues("label")
        self.generic = _cues("generic_before")
        self.held_only = set(_cues("held_only"))
        heads = _alt(lexicon.words("titles"))
        prefixes = _alt(lexicon.words("title_prefixes"))
        before = _alt(_cues("modifier_before")) or "(?!)"
        modhead = _alt(_cues("modifier_head")) or "(?!)"
        self.title_re = re.compile(
            rf"(?P<orig>{before})?(?P<abbr>[厅局办委](?=(?:{prefixes})))?(?P<pre>(?:{prefixes})*)"
            rf"(?P<mod>{modhead})?(?P<head>{heads})")
        # a sentence holds a title phrase exactly when it holds a head (every part before the head is
        # optional); searched alone, the heads are found by their first characters, twenty times faster
        self.head_re = re.compile(heads)
        self.label_re = re.compile(
            rf"(?:{_alt(self.labels)})[:：]\s*(?P<names>[{_CJK}、，, ]{{2,40}}?)(?=[；;。\n\r]|$)")


_LEX: _Lex | None = None


def _lex() -> _Lex:
    global _LEX
    if _LEX is None:
        _LEX = _Lex()
    return _LEX


def _occurrences(text: str, word: str, lo: int, hi: int) -> Iterator[int]:
    """Where ``word`` starts in ``text[lo:hi]``, left to right, each occurrence after the previous one's end."""
    at = text.find(word, lo, hi)
    while at >= 0:
        yield at
        at = text.find(word, at + len(word), hi)


@component("persons")
class PersonExtractor:
    """Find persons, the titles they hold and posts named by title alone (see the module docstring)."""

    def __init__(self) -> None:
        self.lex = _lex()
        self.tagger = _Tagger(self.lex.surnames)

    # -- names ------------------------------------------------------------------------------------
    def _surname_len(self, name: str) -> int:
        if name[:2] in self.lex.double and len(name) >= 3:
            return 2
        if name[:1] in self.lex.single:
            return 1
        return 0

    def _plausible(self, name: str) -> bool:
        """Surname + 1–2 given characters, none of them a stop character, not a known non-name."""
        sl = self._surname_len(name)
        if not sl or not 1 <= len(name) - sl <= 2:
            return False
        if any(not _IS_CJK.match(ch) or ch in self.lex.stop for ch in name[sl:]):
            return False
        if name in self.lex.not_persons:
            return False
        m = self.lex.not_person_re.match(name) if self.lex.not_person_re else None
        return m is None

    def _right_boundary(self, text: str, end: int, limit: int) -> str | None:
        """What bounds a name ending at ``end``: 'punct', 'follow', 'title' or None."""
        if end >= limit:
            return "punct"
        if not _IS_CJK.match(text[end]):
            return "punct"
        fm = self.lex.follow_re.match(text, end)
        if fm:
            return "follow" if len(fm.group()) > 1 else "follow1"
        if self.lex.title_re.match(text, end):
            return "title"
        return None

    def _name_after(self, text: str, pos: int, limit: int) -> str | None:
        """A name starting at ``pos`` (right after a title), or None."""
        cands: list[tuple[str, str]] = []
        for sl in (2, 1):
            if text[pos:pos + sl] not in (self.lex.double if sl == 2 else self.lex.single):
                continue
            for gl in (2, 1):
                end = pos + sl + gl
                if end > limit:
                    continue
                name = text[pos:end]
                if not self._plausible(name):
                    continue
                how = self._right_boundary(text, end, limit)
                if how:
                    cands.append((name, how))
            if cands:
                break
        if not cands and not (text[pos:pos + 1] in self.lex.single or text[pos:pos + 2] in self.lex.double):
            return None
        toks = self.tagger.tokens(text[pos:min(limit, pos + 8)])
        jname = toks[0][0] if toks and toks[0][1].startswith("nr") else None
        if toks and len(toks[0][0]) >= 2 and not toks[0][1].startswith(_NAMEISH):
            # jieba reads a common word here (应急工作, 高度重视): keep only names that are that whole word
            word = toks[0][0]
            common = toks[0][1] in _COMMON_TAGS or toks[0][1] == "d"
            cands = [c for c in cands if not (common and c[0] == word) and (c[0] == word or c[1] != "follow1")]
        elif (len(toks) > 1 and len(toks[0][0]) == 1 and toks[0][1][:1] in _FUNCTION_TAGS
              and len(toks[1][0]) >= 2 and toks[1][1] in _COMMON_TAGS):
            # the "surname" is a verb or preposition before a common word (主席任现职, 副区长包领域)
            cands = [c for c in cands if len(c[0]) < 1 + len(toks[1][0]) or text.startswith("同志", pos + len(c[0]))]
        if len(cands) == 1:
            return cands[0][0]
        if cands:
            names = [c for c, _ in cands]
            if jname in names:
                return jname
            longer, shorter = cands[0], cands[-1]
            if longer[1] == "title" and shorter[1].startswith("follow"):
                return shorter[0]
            return longer[0]
        if jname and 2 <= len(jname) <= 4 and self._plausible(jname):
            return jname
        return None

    def _given_is_word(self, text: str, start: int, end: int) -> bool:
        """Is the given-name part of text[start:end] one common word for jieba (区|妇联)?"""
        toks = self.tagger.tokens(text[start:end])
        return len(toks) == 2 and len(toks[0][0]) == end - start - len(toks[1][0]) and len(toks[1][0]) >= 2 \
            and not toks[1][1].startswith(_NAMEISH) and toks[1][1][:1] in "njv"

    def _name_before(self, report: Report, text: str, end: int, lo: int, taken: list[Span],
                     unit_ends: set[int], unit_spans: list[Span]) -> tuple[str, int] | None:
        """A name ending at ``end`` (right before a title): (name, start) or None."""
        jname: str | None | bool = False  # asked of jieba only when a candidate needs it (jieba's HMM is slow)
        for n in (4, 3, 2):
            start = end - n
            if start < lo:
                continue
            name = text[start:end]
            if not self._plausible(name):
                continue
            if any(s.start < end and start < s.end for s in taken):
                continue
            if any(u.start < end and start < u.end for u in unit_spans):
                continue
            if jname is False:
                jname = self.tagger.name_at_end(text[max(lo, end - 7):end])
            if jname == name:
                return name, start
            if n > 2 and self._left_ok(text, start, lo, unit_ends) and not self._given_is_word(text, start, end):
                return name, start  # two-character names before a title need jieba's nr (及时向…组长)
        return None

    def _left_ok(self, text: str, start: int, lo: int, unit_ends: set[int]) -> bool:
        if start <= lo or start in unit_ends:
            return True
        prev = text[start - 1]
        if not _IS_CJK.match(prev) or prev in self.lex.stop:
            return True
        return any(text.startswith(w, start - len(w)) for w in self.lex.left)

    # -- title phrases ------------------------------------------------------------------------------
    def _chunks(self, report: Report, sent: Span, units: list[tuple[Span, Thing]]) -> list[_Chunk]:
        text, lex = report.text, self.lex
        out: list[_Chunk] = []
        for m in lex.title_re.finditer(text, sent.start, sent.end):
            head = m.group("head")
            if head in lex.needs_prefix and not m.group("pre"):
                continue
            hs, he = m.start("head"), m.end("head")
            if lex.after_not_post_re.match(text, he) and not lex.after_ok_re.match(text, he):
                continue
            bad = False
            for nm in lex.not_post_re.finditer(text, max(sent.start, m.start() - 4), min(sent.end, he + 4)):
                if nm.start() < he and hs < nm.end():
                    bad = True
                    break
            if bad:
                continue
            if any(u.start <= hs and he <= u.end for u, _ in units):
                continue  # part of a unit's name
            ls = m.start("abbr") + 1 if m.group("abbr") else m.start()
            if m.group("orig") and m.group("abbr"):
                ls = m.end("abbr")
            label = text[ls:he]
            out.append(_Chunk(m.start(), he, ls, hs, label, m.group("abbr") or "", head,
                              in_book=self._in_book(text, m.start(), sent)))
        return out

    @staticmethod
    def _quoted_start(text: str, ls: int, lo: int) -> int:
        """Where a title phrase starts when a quoted qualifier belongs to it (“两新”党委委员, “红领书记”)."""
        if ls - 1 >= lo and text[ls - 1] in "”\"":
            q = text.rfind("“", max(lo, ls - 8), ls - 1)
            if q >= 0 and re.fullmatch(f"[{_CJK}]{{1,6}}", text[q + 1:ls - 1]):
                return q
        q = text.rfind("“", max(lo, ls - 5), ls)
        if q >= 0 and re.fullmatch(f"[{_CJK}]{{1,4}}", text[q + 1:ls]):
            return q + 1
        return ls

    @staticmethod
    def _in_slogan(text: str, c: "_Chunk", sent: Span) -> bool:
        """Is the title phrase inside a quotation that says more than the title (“书记抓、抓书记”, “校长冰雪行”)?"""
        q = text.rfind("“", max(sent.start, c.start - 20), c.start + 1)
        if q < 0 or "”" in text[q:c.start]:
            return False
        e = text.find("”", c.end, min(sent.end, c.end + 20))
        if e < 0:
            return False
        inner = text[q + 1:e]
        if len(inner) > 12:  # a quoted passage (反馈意见), not a slogan
            return False
        return inner != text[c.label_start:c.end] and not (inner.endswith(text[c.head_start:c.end]) and e == c.end)

    @staticmethod
    def _in_book(text: str, pos: int, sent: Span) -> bool:
        lo = max(0, pos - 80)
        o = text.rfind(_BOOK_OPEN, lo, pos)
        if o < 0 or text.rfind(_BOOK_CLOSE, o, pos) >= 0:
            return False
        c = text.find(_BOOK_CLOSE, pos, pos + 80)
        nl = text.find("\n", pos, pos + 80)
        return c >= 0 and (nl < 0 or c < nl)

    # -- the component ----------------------------------------------------------------------------
    def __call__(self, report: Report) -> None:
        text = report.text
        self.people: dict[str, Thing] = {}
        self.spans_of: dict[str, set[Span]] = {}
        self.person_spans: list[tuple[Span, Thing]] = []
        inspected = report.meta.get("inspected_unit_thing")
        self._units = sorted(((m, t) for t in report.things if t.kind in ("Unit", "InspectionTeam")
                              for m in t.mentions), key=lambda p: (p[0].start, -p[0].end))
        self._unit_starts = [m.start for m, _ in self._units]
        all_chunks: list[tuple[Span, _Chunk]] = []
        for sent in report.sentences:
            chunks_in = self._sentence(report, sent, inspected)
            all_chunks.extend((sent, c) for c in chunks_in)
        self._labelled_names(report)
        self._more_mentions(report, [c for _, c in all_chunks])
        self._posts(report, all_chunks)

    def _person(self, report: Report, name: str, span: Span) -> Thing:
        thing = self.people.get(name)
        if thing is None:
            thing = report.add("Person", name, span, key=name)
            self.people[name] = thing
            self.spans_of[name] = {span}
        elif span not in self.spans_of[name]:  # a set: a name met thousands of times stays cheap
            thing.mentions.append(span)
            self.spans_of[name].add(span)
        self.person_spans.append((span, thing))
        return thing

    def _sentence(self, report: Report, sent: Span, inspected: Thing | None) -> list[_Chunk]:
        text = report.text
        if not self.lex.head_re.search(text, sent.start, sent.end) and text.find("同志", sent.start, sent.end) < 0:
            return []
        lo = bisect.bisect_left(self._unit_starts, sent.start)
        hi = bisect.bisect_left(self._unit_starts, sent.end)
        units = [(m, t) for m, t in self._units[lo:hi] if m.end <= sent.end]
        unit_ends = {u.end for u, _ in units}
        chunks = self._chunks(report, sent, units)
        taken: list[Span] = [Span(c.start, c.end) for c in chunks]
        # 1. titles, then a name: 党组书记、厅长宋彦麟
        group: list[_Chunk] = []
        local: list[tuple[Span, Thing]] = []
        for i, c in enumerate(chunks):
            group.append(c)
            name = self._name_after(text, c.end, sent.end)
            if name and any(u.start <= c.end < u.end for u, _ in units):
                name = None
            if name:
                span = Span(c.end, c.end + len(name))
                p = self._person(report, name, span)
                local.append((span, p))
                taken.append(span)
                for g in group:
                    g.holders.append(p)
                group = []
                continue
            nxt = chunks[i + 1] if i + 1 < len(chunks) else None
            gap = text[c.end:nxt.start] if nxt else ""
            if not (nxt and re.fullmatch(r"(?:、|兼任?)[^，。；;,：:\s（）()《》]{0,25}", gap)):
                group = []
        # 2. a name, then a title: 陈求发书记, 陈绿平副省长
        for c in chunks:
            if c.holders:
                continue
            if any(s.end == c.start for s, _ in local):
                continue
            found = self._name_before(report, text, c.start, sent.start, taken, unit_ends, [u for u, _ in units])
            if found:
                name, start = found
                span = Span(start, c.start)
                p = self._person(report, name, span)
                local.append((span, p))
                taken.append(span)
                c.holders.append(p)
        # 3. names before 同志 with no title: 刘军同志; 焦健、杨浦、荣大煜等同志
        for pos in _occurrences(text, "同志", sent.start, sent.end):
            self._tongzhi(report, text, pos, sent, taken, local, unit_ends)
        local.sort(key=lambda p: p[0].start)
        # 4. a person, then a verb and a title: 宋彦麟同志担任组长; …赵丹4名同志为副组长
        last_verb_end = sent.start
        for c in chunks:
            if c.holders:
                continue
            win_lo = max(sent.start, c.start - 16)
            vm = _PRE_VERB.search(text, win_lo, c.start)
            if not vm:
                continue
            before = [(s, p) for s, p in local if s.end == vm.start()]
            if not before:
                # a name jieba vouches for right before the verb (杜长青任组长)
                name = self.tagger.name_at_end(text[max(sent.start, vm.start() - 6):vm.start()])
                start = vm.start() - len(name) if name else 0
                if (not name or not 2 <= len(name) <= 4 or not self._plausible(name)
                        or any(t.start < vm.start() and start < t.end for t in taken + [u for u, _ in units])):
                    continue
                span = Span(start, vm.start())
                p = self._person(report, name, span)
                local.append((span, p))
                local.sort(key=lambda x: x[0].start)
                taken.append(span)
                before = [(span, p)]
            holders = self._run(text, local, before[0], last_verb_end)
            for p in holders:
                c.holders.append(p)
            last_verb_end = c.end
        # 5. 办公室主任由…万方兼任
        for s, p in local:
            vm = re.match(r"(?:同志)?(?:兼任|担任|出任)(?=[，。；,;]|$)", text[s.end:sent.end])
            if not vm:
                continue
            cands = [c for c in chunks if c.end < s.start and text.startswith("由", c.end)]
            if cands and not cands[-1].holders:
                cands[-1].holders.append(p)
        # units of the posts
        for c in chunks:
            best = None
            for u, t in units:
                if u.start < c.head_start and c.start <= u.end <= c.head_start and (
                        best is None or u.end > best[0].end or (u.end == best[0].end and u.start < best[0].start)):
                    best = (u, t)
            if best is None:
                for u, t in units:
                    if u.end == c.start:
                        best = (u, t)
            if best is not None:
                c.unit = best[1]
            elif inspected is not None:
                # 厅党组书记 / 厅长 in a 厅's report: the inspected unit
                core = re.sub(r"^(?:常务)?副", "", c.label)
                mark = c.abbr or (core[:1] if core[:1] in "厅局" and core.endswith("长") else "")
                if mark and inspected.label.endswith(mark):
                    c.unit, c.implied_unit = inspected, True
        return chunks

    def _run(self, text: str, local, last, floor: int) -> list[Thing]:
        """The person right before a verb and those listed before it: A和B任; A，B，C 3名同志为."""
        out = [last[1]]
        idx = local.index(last)
        cur = last[0]
        for s, p in reversed(local[:idx]):
            if s.start < floor:
                break
            gap = text[s.end:cur.start]
            if len(gap) > 45 or not re.match(r"(?:同志)?[、，,和及与]", gap) or re.search(r"[。；;：:]", gap):
                break
            if p not in out:
                out.append(p)
            cur = s
        return list(reversed(out))

    def _tongzhi(self, report, text, pos, sent, taken, local, unit_ends) -> None:
        """Names (a list) right before 同志 at ``pos``."""
        end = pos - 1 if text[pos - 1:pos] == "等" else pos
        if any(s.end == end or s.end == pos for s in taken):
            return
        found: list[tuple[str, int]] = []
        while True:
            got = None
            jname: str | None | bool = False  # asked of jieba only when a candidate needs it (jieba's HMM is slow)
            for n in (4, 3, 2):
                start = end - n
                if start < sent.start:
                    continue
                name = text[start:end]
                if name not in self.people and self._plausible(name) and jname is False:
                    jname = self.tagger.name_at_end(text[max(sent.start, end - 7):end])
                if name in self.people or (jname == name and self._plausible(name)):
                    if any(s.start < end and start < s.end for s in taken):
                        continue
                    got = (name, start)
                    break
            if not got:
                break
            found.append(got)
            start = got[1]
            sep = text[start - 1:start] if start > sent.start else ""
            if sep in ("、", "和", "及", "与"):
                end = start - 1
                continue
            if not self._left_ok(text, start, sent.start, unit_ends):
                found = [] if len(found) == 1 and got[0] not in self.people else found[:-1]
            break
        if found and self._in_book(text, pos, sent) and not all(n in self.people for n, _ in found):
            return
        for name, start in found:
            span = Span(start, start + len(name))
            p = self._person(report, name, span)
            local.append((span, p))
            taken.append(span)

    def _labelled_names(self, report: Report) -> None:
        """责任领导：王晓江；责任人：卢锡超 — persons with no post."""
        text = report.text
        for m in self.lex.label_re.finditer(text, report.span.start, report.span.end):
            names = m.group("names")
            pos = m.start("names")
            parts = re.split(r"([、，, ])", names)
            ok = []
            for part in parts:
                if part and part not in "、，, ":
                    if not self._plausible(part) or len(part) > 4:
                        ok = []
                        break
                    ok.append((part, pos))
                pos += len(part)
            for name, start in ok:
                self._person(report, name, Span(start, start + len(name)))

    def _more_mentions(self, report: Report, chunks: list[_Chunk]) -> None:
        """Later occurrences of names already found, and given names before 同志 or a title (彦麟同志, 求发书记)."""
        text = report.text
        lo, hi = report.span.start, report.span.end
        have = {s for s, _ in self.person_spans}
        for name, thing in list(self.people.items()):
            for start in _occurrences(text, name, lo, hi):
                s = Span(start, start + len(name))
                if s in have or any(h.overlaps(s) for h in have):
                    continue
                if len(name) == 2:
                    right = self._right_boundary(text, s.end, hi)
                    if right not in ("punct", "follow", "follow1") and not text.startswith("同志", s.end):
                        continue
                    if not self._left_ok(text, s.start, lo, set()):
                        continue
                thing.mentions.append(s)
                self.spans_of[name].add(s)
                have.add(s)
        given: dict[str, list[str]] = {}
        for name in self.people:
            sl = self._surname_len(name)
            g = name[sl:]
            if len(g) == 2:
                given.setdefault(g, []).append(name)
        if not given:
            return
        free = {c.start: c for c in chunks if not c.holders and not c.abbr}
        pat = re.compile(f"(?:{_alt(given)})")
        for m in pat.finditer(text, lo, hi):
            s = Span(m.start(), m.end())
            chunk = free.get(m.end())
            if not (text.startswith("同志", m.end()) or chunk is not None) or any(h.overlaps(s) for h in have):
                continue
            g = m.group()
            alias = report.add("Person", g, s, key=f"~{g}")
            have.add(s)
            if chunk is not None:
                chunk.holders.append(alias)

    # -- posts ------------------------------------------------------------------------------------
    def _posts(self, report: Report, chunks: list[tuple[Span, _Chunk]]) -> None:
        text = report.text
        for sent, c in chunks:
            if not c.holders and (c.in_book or any(text.endswith(w, sent.start, c.start) for w in self.lex.generic)):
                continue
            if not c.holders and (self._in_slogan(text, c, sent) or c.head in self.lex.held_only):
                continue
            if not c.holders:  # a quoted qualifier belongs to a role's phrase (“两新”党委委员, “红领书记”)
                ls = self._quoted_start(text, c.label_start, sent.start)
                if ls != c.label_start:
                    c.label, c.label_start = text[ls:c.end], ls
            span = Span(c.label_start, c.end)
            ukey = c.unit.key if c.unit is not None else ""
            key = f"{ukey}|{c.label}" if c.holders else f"role|{ukey}|{c.label}"
            post = report.add("Post", c.label, span, key=key)
            seen = set()
            for p in c.holders:
                if id(p) in seen:
                    continue
                seen.add(id(p))
                report.relate(p, "org:holds", post, sent)
            if c.unit is not None:
                report.relate(post, "org:postIn", c.unit, sent)
