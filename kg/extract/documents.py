"""Component "documents": every title in 《…》 becomes a Thing of kind ``Document``.

Decisions
---------
* **Mention span** = the title *inside* the brackets (``《关于…的通知》`` → the span of ``关于…的通知``), so
  ``text[start:end]`` is the title as written; the label is that surface with runs of white space collapsed.
* **Nesting.** Titles are found with a bracket stack on each line: ``《 … 》`` always; inside an open ``《`` also
  ``〈 … 〉``, ``< … >`` (and full-width ``＜＞``) and a nested ``《 … 》``.  Both the outer and every inner title
  are documents: ``《关于印发〈X〉的通知》`` gives ``关于印发〈X〉的通知`` and ``X``.
* **Unbalanced brackets.** A ``《`` with no ``》`` on the same line, a title longer than ``MAX_LEN`` or one holding
  a sentence end (。！？) is dropped: never a title running on to the end of the paragraph.
* **文号.** ``《…》（长纪发〔2013〕14号）`` or ``(辽白财发〔2020〕13号)`` right after an outer title → ``docNumber``.
* **Identity.** ``key`` = the title after NFKC, without white space, quote marks and inner title brackets, with
  ``scope="global"``: the same title in any report is one document.
* **Aliases.** ``《全称》（以下简称《简称》）`` and ``新《简称》`` (``doc_alias_markers.txt``,
  ``doc_alias_prefixes.txt``) make the short title an altLabel of the full one named before it in the report.
* **xs:issuedBy.** When an issuing verb (``issue_verbs.txt``) stands right before the title, or before a series
  ``《A》《B》``/``《A》和《B》`` holding it, the issuer is the nearest Unit the units component found earlier in the
  same clause (no ，：； between it and the verb), before the verb, outside any title and not the object of a
  preposition (``doc_issuer_blockers.txt``: 针对, 按照 …).  No unit found → no relation (never invented).
"""
from __future__ import annotations

import re
import unicodedata

from .. import lexicon
from ..model import Report, Span, SpanIndex, Thing
from ..pipeline import component
from .agents import subject_unit


MAX_LEN = 160  # the longest sane title (characters inside the brackets)

_BRACKETS = re.compile(r"[《》〈〉<>＜＞〈〉]")
_OPEN_OUTER, _CLOSE_OUTER = "《", "》"
_OPEN_INNER = set("〈<＜〈")
_CLOSE_INNER = set("〉>＞〉")
_BAD_INSIDE = re.compile(r"[。！？!?]")
_ANY_WS = re.compile(r"\s+")
_KEY_DROP = dict.fromkeys(map(ord, "“”‘’\"'「」『』《》〈〉<>＜＞〈〉 \t\r\n\u3000"), None)

# （辽白委办发〔2020〕29号）, (辽文旅发[2020]10号), (沈阳市人民政府第47号)
_DOC_NUMBER = re.compile(
    r"\s*[（(]\s*("
    r"[^（）()\n，。；]{0,25}?[〔\[［【]\s*\d{4}\s*[〕\]］】]\s*\d*\s*号"
    r"|[^（）()\n，。；]{0,25}?第\s*\d+\s*号"
    r")\s*[）)]"
)
# the gap between two titles of one series: a 文号 or note in brackets, then 、 和 及 与 …
_SERIES_GAP = re.compile(r"\s*(?:[（(][^（）()\n]{0,30}[）)])?\s*(?:[、，,和及与]|以及|及其)?\s*")


def title_key(title: str) -> str:
    """The identity of a title: NFKC, no white space, no quote marks or title brackets."""
    # all white space (as the label's \s+ sees it: \x1c-\x1f, \x0b, \u2028 … too), else a stray control
    # character in a copy makes a second identity for one title
    return _ANY_WS.sub("", unicodedata.normalize("NFKC", title).translate(_KEY_DROP))


def find_titles(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, depth) of every balanced title in ``text[start:end]`` (one line), in text order.

    ``start``/``end`` exclude the brackets; depth 0 is an outer 《…》 title.
    """
    out: list[tuple[int, int, int]] = []
    stack: list[tuple[str, int]] = []  # (bracket, position of the first character inside it)
    for m in _BRACKETS.finditer(text, start, end):
        ch, pos = m.group(), m.start()
        if ch == _OPEN_OUTER:
            stack.append((ch, pos + 1))
        elif ch in _OPEN_INNER:
            if any(b == _OPEN_OUTER for b, _ in stack):
                stack.append((ch, pos + 1))
        elif ch == _CLOSE_OUTER:
            while stack and stack[-1][0] != _OPEN_OUTER:
                stack.pop()  # an inner bracket left open inside this title: ignore it
            if stack:
                _, s = stack.pop()
                out.append((s, pos, sum(1 for b, _ in stack if b == _OPEN_OUTER)))
        elif ch in _CLOSE_INNER:
            if stack and stack[-1][0] in _OPEN_INNER:
                _, s = stack.pop()
                out.append((s, pos, 1))
    good = []
    for s, e, depth in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if 0 < e - s <= MAX_LEN and not _BAD_INSIDE.search(text, s, e):
            good.append((s, e, depth))
    good.sort()
    return good


@component("documents")
class Documents:
    def __init__(self) -> None:
        verbs = lexicon.alternation("issue_verbs")
        fillers = lexicon.alternation("doc_issue_fillers")
        self._governed = re.compile(rf"(?:{verbs})(?:{fillers})*\s*$")
        self._verb_at = re.compile(rf"(?:{verbs})")
        markers = lexicon.alternation("doc_alias_markers")
        self._alias_after = re.compile(rf"\s*[（(]\s*(?:{markers})\s*[：:]?\s*[《“\"]")
        self._alias_prefix = re.compile(rf"(?:{lexicon.alternation('doc_alias_prefixes')})$")

    def __call__(self, report: Report) -> None:
        text = report.text
        titles: list[tuple[int, int, int]] = []
        for line in report.lines():
            titles.extend(find_titles(text, line.start, line.end))
        if not titles:
            return
        title_spans = SpanIndex(Span(s, e) for s, e, _ in titles)
        full_titles: list[tuple[str, Thing]] = []  # (surface, thing) of outer titles seen so far
        alias_for: dict[int, Thing] = {}  # start of a short title → the full title's thing
        prev_outer: tuple[int, Thing | None, Span | None] | None = None  # (end incl. 》, thing, verb span)
        for s, e, depth in titles:
            surface = text[s:e]
            label = re.sub(r"\s+", " ", surface)
            key = title_key(surface)
            if not key:
                continue
            attrs = {}
            after = e + 1  # just past the closing bracket
            if depth == 0:
                num = _DOC_NUMBER.match(text, after, min(len(text), after + 40))
                if num and num.end() <= report.span.end:
                    attrs["docNumber"] = re.sub(r"\s+", "", num.group(1))
            full = alias_for.get(s) or self._alias_target(text, s, surface, full_titles)
            if full is not None:
                thing = report.add("Document", full.label, Span(s, e), key=full.key, alt_labels={label},
                                   scope="global", **attrs)
            else:
                thing = report.add("Document", label, Span(s, e), key=key, scope="global", **attrs)
            if depth != 0:
                continue
            if full is None:
                full_titles.append((surface, thing))
                m = self._alias_after.match(text, after, min(len(text), after + 20))
                if m:  # 《全称》（以下简称《简称》 / “简称”）
                    close = "》" if text[m.end() - 1] == "《" else "”\""
                    stop = next((i for i in range(m.end(), min(len(text), m.end() + 30)) if text[i] in close), -1)
                    if stop > m.end():
                        short = text[m.end():stop]
                        thing.alt_labels.add(short)
                        alias_for[m.end()] = thing
                        full_titles.append((short, thing))
            # the issuer
            sent = report.sentence_at(s)
            verb: Span | None = None
            # the series' verb must stand in this sentence too: a 文号 or title may hold a sentence end (；！)
            if (prev_outer is not None and prev_outer[0] >= sent.start and prev_outer[2] is not None
                    and prev_outer[2].start >= sent.start):
                gap = _SERIES_GAP.fullmatch(text, prev_outer[0], s - 1)
                if gap:
                    verb = prev_outer[2]
            if verb is None:
                m = self._governed.search(text, sent.start, s - 1)
                if m:
                    v = self._verb_at.match(text, m.start())
                    verb = Span(m.start(), v.end() if v else m.end())
            if verb is not None:
                unit = self._issuer(report, Span(sent.start, verb.start), title_spans)
                if unit is not None:
                    report.relate(thing, "xs:issuedBy", unit, sent)
            end_incl = after
            num = _DOC_NUMBER.match(text, after, min(len(text), after + 40))
            if num:
                end_incl = num.end()
            prev_outer = (end_incl, thing, verb)

    def _alias_target(self, text: str, s: int, surface: str, full_titles: list[tuple[str, Thing]]) -> Thing | None:
        """新《条例》: the latest full title (longer, ending with this one) named before it."""
        if not self._alias_prefix.search(text, max(0, s - 8), s - 1):
            return None
        for full, thing in reversed(full_titles):
            if len(full) > len(surface) and title_key(full).endswith(title_key(surface)):
                return thing
        return None

    def _issuer(self, report: Report, before: Span, titles: SpanIndex) -> Thing | None:
        """The nearest Unit mentioned in ``before`` (outside titles, not the object of 对/针对/按照 …)."""
        return subject_unit(report, before, titles)
