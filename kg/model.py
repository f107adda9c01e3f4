"""The objects that flow through the pipeline: a source text, its reports and sections, and what is found.

Offsets are always absolute character offsets into ``Source.text`` (the file's decoded text, read with
``newline=''``), so ``source.text[m.start:m.end]`` is a mention's surface form everywhere in the pipeline.
Extractors add ``Thing``s and ``Relation``s to a ``Report``; the resolve stage merges things that are the
same; the RDF stage maps them to the public vocabulary.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable, Iterator

# The classes an extractor may produce (local names in the xs: namespace).
KINDS = ("Inspection", "Unit", "InspectionTeam", "Person", "Post", "Document", "Program", "Deadline", "Problem")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range [start, end) in the source text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def __contains__(self, other: "Span | int") -> bool:
        if isinstance(other, int):
            return self.start <= other < self.end
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return self.end - self.start

    def __reduce__(self) -> tuple:
        return Span, (self.start, self.end)  # pickles (kg.cache) hold tens of thousands: keep them small


_START_END = attrgetter("start", "end")


class SpanIndex:
    """Fixed spans (titles, unit mentions) asked whether any overlaps or holds a given span, in log time.

    Sorted by start, with the furthest end reached so far: among the spans starting before a point, one
    reaches past another point exactly when that running maximum does. Spans may nest or overlap."""

    def __init__(self, spans: "Iterable[Span]") -> None:
        ordered = sorted(spans, key=_START_END)  # as Span's own order, compared in C
        self.starts = [s.start for s in ordered]
        self.reach: list[int] = []
        furthest = -1
        for s in ordered:
            furthest = max(furthest, s.end)
            self.reach.append(furthest)

    def _reach_before(self, position: int, *, inclusive: bool) -> int:
        i = (bisect.bisect_right if inclusive else bisect.bisect_left)(self.starts, position) - 1
        return self.reach[i] if i >= 0 else -1

    def overlaps(self, span: Span) -> bool:
        """Does any span overlap ``span`` (share a character with it)?"""
        return self._reach_before(span.end, inclusive=False) > span.start

    def holds(self, span: Span) -> bool:
        """Does any span contain ``span``?"""
        return self._reach_before(span.start, inclusive=True) >= span.end


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date at the precision the text gives: a year, a month of a year, or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def xsd_type(self) -> str:
        """The local name of the XSD datatype for this precision."""
        return "gYear" if self.month is None else "gYearMonth" if self.day is None else "date"

    def __str__(self) -> str:
        return self.iso()


@dataclass
class Source:
    """One input file's text. ``name`` is what ``xs:sourceFile`` records.

    ``stem`` is what the file's IRIs and page names are made from: the file's stem, unless a file read
    before it in the same build has the same one (``x.txt`` in two folders): then the build sets
    ``iri_stem`` to the stem plus a hash of the path (kg.build), so that the two never share an IRI."""

    path: Path
    text: str
    iri_stem: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def stem(self) -> str:
        return self.iri_stem or self.path.stem


@dataclass
class Section:
    """A numbered section (一、 (一) 1. (1) ① 一是 …) and everything up to the next one at its level or above.

    ``level`` orders the numbering styles from outermost (1) inwards; ``heading`` is the marker plus the
    heading text up to the end of its line or sentence.
    """

    marker: str
    level: int
    number: int
    heading: Span
    span: Span
    parent: "Section | None" = field(default=None, repr=False)
    children: list["Section"] = field(default_factory=list, repr=False)

    def walk(self) -> Iterator["Section"]:
        yield self
        for c in self.children:
            yield from c.walk()

    @property
    def path(self) -> str:
        """A dotted path such as ``2.1.3`` (numbers at each level), stable within a report."""
        parts = []
        s: Section | None = self
        while s is not None:
            parts.append(str(s.number))
            s = s.parent
        return ".".join(reversed(parts))


@dataclass(eq=False)
class Thing:
    """Something extracted: a unit, person, document … with every place it is named.

    ``key`` is the identity within its kind used by the resolve stage (two things of the same kind and key
    in one report are one thing); ``scope`` says how far that identity reaches: ``"report"`` (only within
    its report) or ``"global"`` (the same key in any report is the same thing).
    """

    kind: str
    label: str
    key: str
    mentions: list[Span] = field(default_factory=list)
    alt_labels: set[str] = field(default_factory=set)
    attrs: dict[str, Any] = field(default_factory=dict)
    scope: str = "report"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; expected one of {KINDS}")

    @property
    def names(self) -> set[str]:
        return {self.label} | self.alt_labels


@dataclass(eq=False)
class Relation:
    """A link between two things (or a thing and a literal) with the sentence that states it."""

    subject: Thing
    predicate: str  # a CURIE in the public vocabulary, e.g. "org:holds", "xs:issuedBy"
    object: "Thing | Any"
    evidence: Span | None = None


_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』)）]*|\r?\n")
_NOT_SPACE = re.compile(r"\S")


@dataclass(eq=False)
class Report:
    """One published report inside a source file, with what the extractors found in it."""

    source: Source
    index: int
    span: Span
    title: Span | None = None
    publisher: Span | None = None  # the signing unit's line
    issued: Span | None = None  # the signature's date line
    sections: list[Section] = field(default_factory=list)
    year: int | None = None  # the year a year-less date in this report belongs to
    province: str | None = None  # e.g. 辽宁 — used to resolve 省… short names
    city: str | None = None
    things: list[Thing] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    _indexes: dict[tuple[str, ...], "_MentionIndex"] = field(default_factory=dict, init=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle keeps (kg.cache): the findings, not the caches derived from the text."""
        state = dict(self.__dict__)
        for derived in ("sentences", "_sentence_starts", "_indexes"):
            state.pop(derived, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._indexes = {}

    @property
    def text(self) -> str:
        """The whole source text: slice it with absolute offsets."""
        return self.source.text

    @property
    def body(self) -> str:
        return self.source.text[self.span.start : self.span.end]

    @property
    def id(self) -> str:
        return f"{self.source.name}#{self.index + 1}"

    def surface(self, span: Span) -> str:
        return self.source.text[span.start : span.end]

    # -- sentences -------------------------------------------------------------------------------
    @cached_property
    def sentences(self) -> list[Span]:
        """Sentence spans covering the report (split after 。！？； and at line ends)."""
        out: list[Span] = []
        start = self.span.start
        for m in _SENTENCE_END.finditer(self.source.text, self.span.start, self.span.end):
            end = m.start() if m.group().endswith("\n") else m.end()
            if _NOT_SPACE.search(self.source.text, start, end):  # not blank (as str.strip sees it)
                out.append(Span(start, end))
            start = m.end()
        if start < self.span.end:
            out.append(Span(start, self.span.end))
        return out

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, offset: int) -> Span:
        """The sentence holding ``offset`` (the report span if none does)."""
        i = bisect.bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and offset < self.sentences[i].end:
            return self.sentences[i]
        return self.span

    # -- lines ------------------------------------------------------------------------------------
    def lines(self) -> Iterator[Span]:
        """The report's lines, without their line breaks."""
        text, pos, end = self.source.text, self.span.start, self.span.end
        while pos < end:
            nl = text.find("\n", pos, end)
            stop = end if nl < 0 else nl
            line_end = stop - 1 if stop > pos and text[stop - 1] == "\r" else stop
            yield Span(pos, line_end)
            pos = stop + 1

    # -- building up what is found -----------------------------------------------------------------
    def add(self, kind: str, label: str, span: Span | None, key: str | None = None, *,
            alt_labels: set[str] | None = None, scope: str = "report", **attrs: Any) -> Thing:
        """Record a thing named at ``span`` (None for things with no surface of their own)."""
        if span is not None and not (self.span.start <= span.start <= span.end <= self.span.end):
            raise ValueError(f"{kind} {label!r} at {span} lies outside report {self.id} {self.span}")
        thing = Thing(kind, label, key if key is not None else label, [span] if span else [],
                      set(alt_labels or ()), dict(attrs), scope)
        self.things.append(thing)
        return thing

    def relate(self, subject: Thing, predicate: str, obj: "Thing | Any", evidence: Span | None = None) -> Relation:
        rel = Relation(subject, predicate, obj, evidence)
        self.relations.append(rel)
        return rel

    def things_of(self, *kinds: str) -> list[Thing]:
        return [t for t in self.things if t.kind in kinds]

    def mentions_in(self, span: Span, *kinds: str) -> list[tuple[Span, Thing]]:
        """(mention, thing) pairs of the given kinds (all if none) lying inside ``span``, in text order."""
        index = self._indexes.get(kinds)
        if index is None:
            index = self._indexes[kinds] = _MentionIndex(set(kinds))
        starts, pairs = index.refresh(self.things)
        lo, hi = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
        return [(m, t) for m, t in pairs[lo:hi] if m.end <= span.end]


_MENTIONS = attrgetter("mentions")


@dataclass(eq=False)
class _MentionIndex:
    """The mentions of some kinds of thing sorted by position, kept up to date as extractors add things.

    Extractors ask for units near each document while they add documents, so the index must follow
    additions cheaply: new things are scanned once, and the sort is redone only when a thing of these kinds
    gained or brought mentions.
    """

    kinds: set[str]
    seen: int = 0  # how many of the report's things were scanned
    things: list[Thing] = field(default_factory=list)
    mentions: int = -1
    starts: list[int] = field(default_factory=list)
    pairs: list[tuple[Span, Thing]] = field(default_factory=list)

    def refresh(self, all_things: list[Thing]) -> tuple[list[int], list[tuple[Span, Thing]]]:
        if len(all_things) < self.seen:  # things were removed (a resolver merged them): start over
            self.seen, self.things = 0, []
        self.things.extend(t for t in all_things[self.seen:] if not self.kinds or t.kind in self.kinds)
        self.seen = len(all_things)
        mentions = sum(map(len, map(_MENTIONS, self.things)))  # asked at every lookup: kept to C loops
        if mentions != self.mentions:
            self.pairs = sorted(((m, t) for t in self.things for m in t.mentions),
                                key=lambda p: (p[0].start, -p[0].end))
            self.starts = [m.start for m, _ in self.pairs]
            self.mentions = mentions
        return self.starts, self.pairs
