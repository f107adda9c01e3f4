"""Component "units": organisations and inspection teams named in a report.

How a name is found (all word lists are lexicons under ``kg/lexicons/``):

1. **Heads.** ``unit_suffixes.tsv`` lists the last words of organisation names (厅, 局, 委员会, 领导小组,
   有限公司, 商会, 大学, 日报, 巡视组 …), each with the text that must NOT follow it (厅 in 厅长, 部 in 部署).
2. **Left boundary.** From a head the name runs left over the words before it — the window (≤30
   characters) is cut into words as jieba does without HMM (most probable path over its dictionary), with
   the unit lexicons' compounds, stop words and name words added — and stops at punctuation, at a word of
   ``unit_left_stops.txt`` (对, 向, 邀请, 召开 …) or at a function word by jieba's part-of-speech table
   (prepositions, particles, pronouns, adverbs, classifiers). A lone single character tagged as a
   preposition, conjunction, pronoun, adverb or verb (同, 但, 这, 设) ends the name too, but not inside a run
   of single characters (汇瑞通, 登仕堡: a name the dictionary does not know). A measure word after a number
   (9家…) ends it; a verb, or a word of ``unit_before_anchor_stops.txt`` (原 = former), right before a
   place or party prefix ends it (研究人大常委会 → 人大常委会, 审计原县林业局 → 县林业局); a city whose 某市
   is in the dictionary counts as a place prefix (大连, 营口). A conjunction glued to a place prefix by the
   dictionary (和县 in 管委会和县财政局) is cut.
   Once a place or party prefix (``unit_anchors.txt``: 省委, 中共, a province, a jieba place name) is in
   the name, only further prefixes and proper names may precede it (贯彻落实省委巡视组 → 省委巡视组).
   Verbs end a name unless listed in ``unit_name_verbs.txt`` (巡视, 审批, 推广 …); numerals (三年, 十五届)
   may sit inside a name but never begin one; ``unit_compounds.txt`` keeps 文化和旅游 whole; a head that is
   only the tail of an ordinary word (``unit_head_traps.txt``: 干部, 督办, 格局, 小区) is no head.
   Names inside a cited title 《…》 are skipped, except an issuer of the report's own place opening it.
   Because the walk runs through earlier names, 商务部办公厅 and 县委宣传部社宣科 come out whole; names
   inside a longer name are dropped.
3. **Known names** (``known_units.tsv``: 党中央, 国务院, 省委, 管委会 …) and **self-references**
   (``unit_aliases.tsv``: 我厅, 厅党组, 我县, 区委 …) are matched as whole words.
   Place heads (镇, 乡, 村, 街道 …) need a place-like word before them, except for items of an enumeration
   (、 on either side) whose words hold no verb, numeral or function word (孟家镇、秀水河子镇).
   A name right before a document number (辽委发〔2020〕) is its prefix, not a unit; a body of the report's
   own place opening a cited title counts as its issuer, except a school, firm or bare place (《X区中学…》).
4. **Not units.** Candidates listed in ``not_units.txt`` (各相关处室, 相关部门, bare 办公室 …) are dropped.
5. The signing line (``report.publisher``) is always a Unit with exactly that span; things the inspection
   component already made at a span are not made again.

``(以下简称“整改工作领导小组”)`` after a name is recorded in ``report.meta["unit_short_names"]`` (short →
full surface) for the resolver (``kg/resolve/units.py``), which gives every name of one body one key.
"""
from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache

from .. import lexicon
from ..model import Report, Span
from ..pipeline import component

MAX_NAME = 32  # characters: longer "names" are runs of words, not names
WINDOW = 30  # characters looked at left of a head
MAX_WORD = 12  # characters: the longest word the segmenter tries
MEMO_SIZE = 1 << 14  # entries kept per memo of words, windows and names (a corpus 10x the seeds fills one)

# jieba part-of-speech tags of words that cannot be inside a name (prepositions, conjunctions, particles,
# pronouns, adverbs, classifiers, time words, interjections, punctuation-like).
_STOP_TAGS = {"p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "r", "rr", "rz", "y", "e", "o", "q",
              "t", "tg", "x", "f", "ad"}
_NAME_CHARS = re.compile(r"[\u4e00-\u9fff（）()·]")
_SECTION_NO = re.compile(r"[(（][一二三四五六七八九十\d]{1,3}[)）]")
_BOOK_TITLE = re.compile(r"《[^《》\n]{1,80}》")
_SHORT_NAME = re.compile(r"[（(](?:以下)?(?:简称|下称)[:：]?[“\"「]?([\u4e00-\u9fff]{2,16})[”\"」]?[)）]")


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    import jieba.posseg  # noqa: F401  (the word → tag table only; posseg is never run)

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab


@lru_cache(maxsize=1)
def _suffixes() -> tuple[re.Pattern[str], dict[str, dict[str, str]]]:
    rows = {r["suffix"]: r for r in lexicon.table("unit_suffixes")}
    parts = []
    for suf in sorted(rows, key=len, reverse=True):
        nb = rows[suf].get("not_before", "")
        parts.append(re.escape(suf) + (f"(?!{nb})" if nb else ""))
    return re.compile("|".join(parts)), rows


@lru_cache(maxsize=1)
def _stops() -> frozenset[str]:
    return frozenset(lexicon.words("unit_left_stops"))


@lru_cache(maxsize=1)
def _not_units() -> tuple[frozenset[str], re.Pattern[str] | None]:
    plain, rx = set(), []
    for w in lexicon.words("not_units"):
        if w.startswith("^"):
            rx.append(f"(?:{w[1:].rstrip('$')})")
        else:
            plain.add(w)
    return frozenset(plain), (re.compile("|".join(rx)) if rx else None)


@lru_cache(maxsize=MEMO_SIZE)
def is_generic(name: str) -> bool:
    """A generic reference (相关部门, 各处室, bare 办公室 …), not a named unit."""
    plain, rx = _not_units()
    return name in plain or bool(rx and rx.fullmatch(name))


@lru_cache(maxsize=1)
def _whole_words() -> re.Pattern[str]:
    """Known names and self-references, longest first."""
    words = {r["surface"] for r in lexicon.table("known_units")} | {r["alias"] for r in lexicon.table("unit_aliases")}
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"(?:{alt})")


@lru_cache(maxsize=1)
def _compounds() -> tuple[frozenset[str], int]:
    words = frozenset(lexicon.words("unit_compounds"))
    return words, max(map(len, words), default=0)


@lru_cache(maxsize=1)
def _extra_words() -> dict[str, int]:
    """Words the segmenter must know besides jieba's dictionary: compounds, stop words, name words."""
    words = set(_compounds()[0]) | set(lexicon.words("unit_left_stops")) | set(lexicon.words("unit_name_verbs"))
    return {w: 50000 if w in _compounds()[0] else 3000 for w in words if len(w) > 1}


@lru_cache(maxsize=1)
def _extra_prefixes() -> frozenset[str]:
    return frozenset(w[:i] for w in _extra_words() for i in range(1, len(w) + 1))


@lru_cache(maxsize=MEMO_SIZE)
def _segment_back(s: str) -> tuple[str, ...]:
    """Cut ``s`` into words the way jieba does without HMM (most probable path over its dictionary), with the
    compounds, stop words and name words of the unit lexicons added; a compound is never cut."""
    freq, _ = _jieba()
    extra = _extra_words()
    prefixes = _extra_prefixes()
    log = math.log
    n = len(s)
    total = log(_total())
    score = [0.0] * (n + 1)  # of the most probable path from each position to the end
    step = [1] * (n + 1)  # the length of its first word
    for i in range(n - 1, -1, -1):
        best, best_k = _char_log_prob(s[i]) + score[i + 1], i + 1
        last = i + MAX_WORD if i + MAX_WORD < n else n
        for k in range(i + 2, last + 1):
            w = s[i:k]
            f = extra.get(w) or freq.get(w)
            if not f:
                if f is None and w not in prefixes:
                    break  # no dictionary word begins so
                continue
            here = log(f) - total + score[k]
            if here > best:
                best, best_k = here, k
        score[i], step[i] = best, best_k - i
    out: list[str] = []
    i = 0
    while i < n:
        out.append(s[i : i + step[i]])
        i += step[i]
    return tuple(out)


@lru_cache(maxsize=MEMO_SIZE)
def _char_log_prob(ch: str) -> float:
    """A character's log probability as a word of its own (once if the dictionary does not know it)."""
    freq, _ = _jieba()
    f = _extra_words().get(ch) or freq.get(ch)
    return math.log(f or 1) - math.log(_total())


@lru_cache(maxsize=1)
def _total() -> float:
    import jieba

    return float(jieba.dt.total)


_NAME_RUN = re.compile(r"[\u4e00-\u9fff（）()·]*")  # as _NAME_CHARS
_BRACKET = re.compile(r"[（）()]")


def _balanced_start(text: str, lo: int, hi: int) -> int:
    """Leftmost start in [lo, hi) such that text[start:hi] holds only name characters with balanced brackets."""
    run = hi - _NAME_RUN.match(text[lo:hi][::-1]).end()  # the name characters right before hi, read backwards
    if not _BRACKET.search(text, run, hi):
        return run
    start = hi
    depth = 0
    while start > run:
        ch = text[start - 1]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            if depth == 0:
                break
            depth -= 1
        start -= 1
    while depth and start < hi:  # an unclosed ) — cut after it
        if text[start] in ")）":
            depth -= 1
        start += 1
    return start


@lru_cache(maxsize=1)
def _name_verbs() -> frozenset[str]:
    return frozenset(lexicon.words("unit_name_verbs"))


@lru_cache(maxsize=1)
def _traps() -> tuple[frozenset[str], tuple[int, ...]]:
    """The trap words, and their lengths."""
    words = frozenset(lexicon.words("unit_head_traps"))
    return words, tuple(sorted({len(w) for w in words}))


def is_trapped(text: str, head_start: int, head_end: int) -> bool:
    """The head is only the tail of an ordinary word (干部, 督办, 格局, 小区 …)."""
    words, lengths = _traps()
    for n in lengths:
        s = head_end - n
        if 0 <= s < head_start and text[s:head_end] in words:
            return True
    return False


# jieba tags of single characters that end a name: prepositions, conjunctions, pronouns, adverbs,
# particles (同 in 同商务部…, 但 in 但党工委, 这 in 这两家…).
_STOP_CHAR_TAGS = {"p", "c", "r", "d", "u", "uj", "ul", "uz", "ud", "ug", "uv", "y", "e", "o"}
_VERB_TAGS = {"v", "vn", "vd", "vi"}
_NUMBER = re.compile(r"[0-9０-９]+|[一二三四五六七八九十百千两几]+")
_NUMERAL_CHARS = frozenset("一二三四五六七八九十百千两几多数")


@lru_cache(maxsize=MEMO_SIZE)
def _stops_name(w: str, lone: bool = True) -> bool:
    """``w`` ends a name. A single character counts as a function word or verb only when it is ``lone``:
    not part of a run of single characters, which is a name the dictionary does not know (汇瑞通, 登仕堡)."""
    _, tags = _jieba()
    if w in _stops() or w.isdigit():
        return True
    if w in _name_verbs():
        return False
    tag = tags.get(w)
    if len(w) < 2:
        return lone and (tag in _STOP_CHAR_TAGS or tag == "v")
    if tag in _STOP_TAGS or tag == "i":
        return True
    return tag == "v"


@lru_cache(maxsize=1)
def _before_anchor_stops() -> frozenset[str]:
    return frozenset(lexicon.words("unit_before_anchor_stops"))


_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=MEMO_SIZE)
def _joins(w: str) -> bool:
    """A single character that can belong to an unknown name (not punctuation, not a stop word)."""
    return len(w) == 1 and bool(_CJK.match(w)) and w not in _stops()


@lru_cache(maxsize=MEMO_SIZE)
def _verb_like(w: str) -> bool:
    """A verb (also one that may sit inside a name, 研究, 审计): never right before a place or party prefix."""
    _, tags = _jieba()
    return tags.get(w) in _VERB_TAGS or w in _name_verbs()


@lru_cache(maxsize=MEMO_SIZE)
def _soft(w: str) -> bool:
    """A numeral, ordinal or time word (三年, 十五届, 第一批, 三级): inside a name, but a name does not
    begin with one."""
    _, tags = _jieba()
    if len(w) < 2 or w in _name_verbs():
        return False
    tag = tags.get(w)
    return tag in ("m", "mq", "t") or (w[0] in _NUMERAL_CHARS and tag in ("b", "q", "m", None))


@lru_cache(maxsize=1)
def _anchors() -> frozenset[str]:
    return frozenset(lexicon.words("unit_anchors")) | frozenset(lexicon.words("provinces"))


_PROPER_TAGS = {"ns", "nr", "nrt", "nz", "j", "nt", "nrfg"}


@lru_cache(maxsize=MEMO_SIZE)
def _is_anchor(w: str) -> bool:
    """A place or party prefix: the anchors lexicon, a province, a word jieba tags as a place or organisation,
    or a city name whose 某市 the dictionary knows (大连, 营口: jieba tags the bare words otherwise)."""
    freq, tags = _jieba()
    if w in _anchors() or (len(w) > 1 and tags.get(w) in ("ns", "nt", "j")):
        return True
    return 2 <= len(w) <= 3 and bool(freq.get(w + "市")) and tags.get(w + "市") in ("ns", "n")


@lru_cache(maxsize=MEMO_SIZE)
def _is_place(w: str) -> bool:
    """A place prefix proper (县, 沈阳, 大连), not an organisation word (人大常委会, 安监局)."""
    _, tags = _jieba()
    return w in _anchors() or (_is_anchor(w) and tags.get(w) not in ("nt", "j"))


@lru_cache(maxsize=MEMO_SIZE)
def _proper_word(w: str) -> bool:
    """A place, organisation or other proper name, or a word the dictionary does not know."""
    freq, tags = _jieba()
    return len(w) == 1 or tags.get(w) in _PROPER_TAGS or w in _anchors() or not freq.get(w)


def left_boundary(text: str, head_start: int, lo: int, *, head_end: int | None = None, place: bool = False) -> int:
    """Where the name whose head starts at ``head_start`` begins (never before ``lo``).

    Words are taken right to left until a stop word, a function word or verb (by jieba's tags); once an
    anchor (a place or party prefix) is taken, only anchors and proper names may follow it. For a place
    head (镇, 乡 …) a first word that only looks like a numeral or time word (十间 in 十间房镇) is kept
    when nothing but punctuation stands before it."""
    start = _balanced_start(text, max(lo, head_start - WINDOW), head_start)
    if start == head_start:
        return head_start
    head_end = head_start + 1 if head_end is None else head_end
    return start + _name_start(text[start:head_end], head_end - head_start, text[start - 1 : start], start == lo,
                               place)


@lru_cache(maxsize=MEMO_SIZE)
def _name_start(window: str, head_len: int, before: str, at_lo: bool, place: bool) -> int:
    """``left_boundary`` inside ``window``, the name characters before a head and the head (its last
    ``head_len`` characters): where in it the name begins. ``before`` is the character before the window
    ('' at the text's start), ``at_lo`` whether the window begins where the name may begin at the earliest.
    A function of these alone, so memoised: a report names the same bodies over and over."""
    head_end = len(window)
    head_start = head_end - head_len
    words = list(_segment_back(window))
    pos = head_end
    anchored = False
    head_word = ""
    while words and pos > head_start:  # the words that hold the head (组织部 holds 部) are in the name
        w = words.pop()
        if len(w) == 2 and pos == head_end and head_end - head_start == 1 and w[0] in _stops():
            return head_start  # 和县 in 管委会和县财政局: a conjunction glued to a one-character head
        head_word = w
        pos -= len(w)
        anchored = anchored or (len(w) > head_end - head_start and _is_anchor(w))
    soft_from = None
    soft_right = ""
    at_edge = at_lo or not _NAME_CHARS.match(before)
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w in "()（）":
            anchored = False
            pos -= len(w)
            continue
        right = words[i + 1] if i + 1 < len(words) else head_word
        if len(w) == 2 and w[0] in _stops() and w[1] in _anchors():
            pos -= 1  # 和县 of 管委会和县财政局: the conjunction ends the name, the place prefix starts it
            break
        if _soft(w):
            if soft_from is None:
                soft_from = pos
                soft_right = right
            pos -= len(w)
            continue
        if anchored and not (_is_anchor(w) or _proper_word(w)):
            break
        if (_is_anchor(right) and _verb_like(w) or _is_place(right) and w in _before_anchor_stops()) \
                and not _is_anchor(w):
            break
        left = words[i - 1] if i > 0 else before
        if len(w) == 1 and _NUMBER.fullmatch(left):
            break  # a measure word after a number: 5家园区公司
        lone = len(w) > 1 or not (_joins(right) or (i > 0 and _joins(words[i - 1])))
        if _stops_name(w, lone):
            if place and i == 0 and w not in _stops() and not w.isdigit() and at_edge and len(right) == 1 \
                    and not _is_anchor(right):
                pos -= len(w)
                soft_from = None
            break
        soft_from = None
        pos -= len(w)
        anchored = anchored or _is_anchor(w)
    # a first word that only looks like a numeral (十间 of 十间房镇) stays when an unknown name follows it
    if soft_from is not None and not (place and pos == 0 and at_edge and len(soft_right) == 1
                                      and not _is_anchor(soft_right)):
        pos = soft_from
    # a name does not begin with a closing bracket or a section number such as (三)
    while pos < head_start and window[pos] in ")）":
        pos += 1
    m = _SECTION_NO.match(window, pos, head_start)
    if m:
        pos = m.end()
    return pos


_PLACE_START = re.compile(r"[\u4e00-\u9fff]{2,9}")
_PLACE_TAGS = {"ns", "nr", "nrt", "nz", "j", "nt"}


def _place_like(body: str) -> bool:
    """The words before 县/区/镇/村 … (or 部门 after 区) can name a place: 法库, 沈阳片, 区住建, 神奈川."""
    if not _PLACE_START.fullmatch(body):
        return False
    _, tags = _jieba()
    if tags.get(body) in _PLACE_TAGS or body[0] in "省市县区乡镇":
        return True
    words = _segment_back(body)
    if tags.get(words[0]) in _PLACE_TAGS:
        return True
    freq, _ = _jieba()
    if len(words[0]) > 1 and freq.get(words[0]) and not _soft(words[0]):
        return False
    return not any(len(w) > 1 and tags.get(w) in ("v", "vn", "n", "a", "ad", "an", "l", "i", "d") for w in words[:1])



_LIST_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}")
_LIST_SEP = "、"


def _list_place(body: str) -> bool:
    """Can be the name part of a listed place: CJK only, no verb, numeral or function word in it."""
    if not _LIST_PLACE.fullmatch(body):
        return False
    return not any(_stops_name(w) or _soft(w) or _verb_like(w) for w in _segment_back(body) if len(w) > 1)


@lru_cache(maxsize=MEMO_SIZE)
def _acceptable(name: str, suffix: str, listed: bool = False) -> bool:
    """Can ``name``, ending in the head ``suffix``, be a unit's name? ``listed``: the name is an item of an
    enumeration (、 on either side), where a place head (镇, 乡, 村, 街道) needs no recognisable place name
    before it: 孟家镇、十间房镇 name places however jieba cuts them."""
    row = _suffixes()[1][suffix]
    body = name[: len(name) - len(suffix)]
    if len(body) < int(row.get("min_prefix") or 0) or len(name) > MAX_NAME or is_generic(name):
        return False
    if row.get("needs") == "place" and not _place_like(body) and not (listed and _list_place(body)):
        return False
    if row.get("proper") == "yes" and not any(_proper_word(w) for w in _segment_back(body)):
        return False
    if name.count("(") + name.count("（") != name.count(")") + name.count("）"):
        return False
    return True


_DOC_NUMBER_AFTER = re.compile(r"办?[发函字]?[〔［\[(（]\d{4}[〕］\])）]")  # 辽委发〔2020〕1号: a number's prefix


def _in_title(titles: list[tuple[int, int]], text: str, start: int, end: int, own: str = "") -> bool:
    """Inside a cited title 《…》 (``titles``: their (start, end), in order), except a body of the report's own
    place that opens it as its issuer (《中共某市某区委办公室关于…》 in that district's report): outside bodies
    named in titles are not units."""
    i = bisect.bisect_right(titles, (end, end)) - 1
    while i >= 0 and titles[i][1] > start:
        title_start = titles[i][0]
        if title_start < end:
            return not (start == title_start + 1 and own and own in text[start:end])
        i -= 1
    return False


_TEAM = re.compile(r"(?:委|中央|工委|党组)(?:第[一二三四五六七八九十\d]+)?(?:巡视|巡察)组$")
_OWN = re.compile(r"^(?:中共)?(.{2,}?)(?:党工委|工作委员会|委员会|党组|党委|委)?$")


def own_place(report: Report) -> str:
    """The inspected unit's own name stem (铁东区 of 中共鞍山市铁东区委), from the inspection component or
    the signature."""
    name = str(report.meta.get("inspected_unit") or (report.surface(report.publisher) if report.publisher else ""))
    m = _OWN.match(name)
    stem = m[1] if m else ""
    return re.sub(r"^[\u4e00-\u9fff]{2,4}[省市](?=[\u4e00-\u9fff]{2,})", "", stem) if len(stem) >= 2 else ""


def _foreign_place(name: str, suffix: str, report: Report) -> bool:
    """A city or province named only as a place (营口市, 西安市, 沈阳市皇姑区), not the report's own."""
    if suffix not in ("市", "省", "区", "县") or not re.fullmatch(r"[\u4e00-\u9fff]{2,4}[省市]|[\u4e00-\u9fff]{2,4}[省市][\u4e00-\u9fff]{2,4}[区县市]", name):
        return False
    own = {report.province or "", report.city or ""} - {""}
    return not any(name.startswith(o) for o in own)


def find_candidates(report: Report) -> list[tuple[Span, str, str]]:
    """(span, kind, how) of every unit name in the report: how is "head", "known" or "alias"."""
    text = report.text
    rx, rows = _suffixes()
    out: list[tuple[Span, str, str]] = []
    own = own_place(report)
    titles = [m.span() for m in _BOOK_TITLE.finditer(text, report.span.start, report.span.end)]
    for sent in report.sentences:
        for m in rx.finditer(text, sent.start, sent.end):
            suffix = m.group()
            if is_trapped(text, m.start(), m.end()):
                continue
            row = rows[suffix]
            start = left_boundary(text, m.start(), sent.start, head_end=m.end(), place=row.get("needs") == "place")
            name = text[start : m.end()]
            # a school or firm (proper heads) or a bare place (铁东区区) at a title's start is no issuer
            issuer_ok = row.get("proper") != "yes" and not (row.get("needs") == "place" and len(suffix) == 1)
            listed = len(suffix) == 1 or suffix == "街道"
            listed = listed and (text[start - 1 : start] == _LIST_SEP or text[m.end() : m.end() + 1] == _LIST_SEP)
            if not _acceptable(name, suffix, listed) or _in_title(titles, text, start, m.end(), own if issuer_ok else ""):
                continue
            if row["kind"] == "InspectionTeam" and not _TEAM.search(name):
                continue
            if _foreign_place(name, suffix, report) or _DOC_NUMBER_AFTER.match(text, m.end()):
                continue
            out.append((Span(start, m.end()), row["kind"], "head"))
        for m in _whole_words().finditer(text, sent.start, sent.end):
            if _in_title(titles, text, m.start(), m.end()) or _DOC_NUMBER_AFTER.match(text, m.end()):
                continue
            out.append((Span(m.start(), m.end()), "Unit", "known"))
    return out


def _maximal(cands: list[tuple[Span, str, str]]) -> list[tuple[Span, str, str]]:
    """Keep the longest names; drop those inside or overlapping a longer one (a tie keeps known words)."""
    rank = {"known": 0, "head": 1}
    cands = sorted(set(cands), key=lambda c: (-(c[0].end - c[0].start), rank.get(c[2], 2), c[0].start))
    used: set[int] = set()
    kept: list[tuple[Span, str, str]] = []
    for c in cands:
        cells = range(c[0].start, c[0].end)
        if any(i in used for i in cells):
            continue
        used.update(cells)
        kept.append(c)
    return sorted(kept, key=lambda c: c[0].start)


@component("units")
class Units:
    """Adds a Unit (or InspectionTeam) thing for every organisation named in the report."""

    def __call__(self, report: Report) -> None:
        text = report.text
        taken = {(m.start, m.end) for t in report.things_of("Unit", "InspectionTeam") for m in t.mentions}
        cands = find_candidates(report)
        if report.publisher is not None and report.span.start <= report.publisher.start:
            pub = report.publisher
            cands = [c for c in cands if not c[0].overlaps(pub)]
            cands.append((pub, "Unit", "publisher"))
        short_names: dict[str, str] = report.meta.setdefault("unit_short_names", {})
        for span, kind, how in _maximal(cands):
            if (span.start, span.end) in taken:
                continue
            surface = text[span.start : span.end]
            if how == "known" and not _word_boundary_ok(text, span):
                continue
            report.add(kind, surface, span)
            m = _SHORT_NAME.match(text, span.end, min(span.end + 30, report.span.end))
            if m:
                short_names.setdefault(m[1], surface)
        # a short name defined by (简称…) is a unit wherever it is written
        for short in short_names:
            for m in re.finditer(re.escape(short), report.body):
                s = Span(report.span.start + m.start(), report.span.start + m.end())
                if (s.start, s.end) in taken or any(s in mm for t in report.things_of("Unit") for mm in t.mentions):
                    continue
                report.add("Unit", short, s)


def _word_boundary_ok(text: str, span: Span) -> bool:
    """A known word counts unless it is glued into a longer dictionary word (中央 in 中央空调)."""
    freq, _ = _jieba()
    after = text[span.end : span.end + 2]
    word = text[span.start : span.end]
    if word == "中央" and after[:1] in "厨空大街商城":
        return False
    return True
