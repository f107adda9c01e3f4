"""Resolution one report at a time, so that a build never holds the whole corpus (``kg.spill``).

Resolving the corpus as a whole would need every report at once; but what crosses reports is small: a thing with
``scope="global"`` is one node for its kind and key, with the first report's label, every other name as an
altLabel and the attributes merged; a relation between global things (or a global thing and a literal)
is stated once, by the first report that states it. Everything else is decided inside its report.

So a build resolves each report alone as soon as it is extracted (``resolve_locally``): the per-kind
resolvers, the merge by key inside the report, the report's own things restored to Traditional characters
(a report matched in Simplified shows what it wrote: see ``_restore_traditional``). It keeps what the corpus-wide merge needs, a ``Summary`` of the
report's global things and global relations, and lets the report go to disk. ``Merged`` folds the
summaries in report order; ``Merged.resolved(report, local, ordinal)`` then gives one report's share of
the corpus-wide ``Resolved``: its things with their canonical global forms, and its relations but those an
earlier report stated. ``resolve(reports)`` gathers those shares for reports held in memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable

from ..model import Relation, Report, Span, Thing
from . import ORIGINAL_SOURCE, Resolved, _absorb, run_resolvers



Ident = tuple[str, str]  # (kind, key) of a global thing


def _ident(thing: Thing) -> Ident:
    return thing.kind, thing.key


class AttrFold:
    """Attributes merged as ``_absorb`` merges them, from a summary instead of every thing.

    ``_absorb`` keeps a key's first value; when that is a list, it appends each later list's elements it
    lacks. So what matters of the values after the first is only the elements of the lists among them,
    each once, in order of first appearance (``more``): folding (first, more) pairs in order gives what
    folding every value would."""

    def __init__(self) -> None:
        self.first: dict[str, Any] = {}
        self.more: dict[str, list] = {}

    def add(self, key: str, value: Any) -> None:
        if key not in self.first:
            self.first[key] = value
        elif isinstance(value, list):
            more = self.more.setdefault(key, [])
            more.extend(x for x in value if x not in more)  # a generator: sees what it added

    def add_fold(self, other: "AttrFold") -> None:
        for key, value in other.first.items():
            self.add(key, value)
            if key in other.more:
                self.add(key, other.more[key])

    def attrs(self) -> dict[str, Any]:
        out = {}
        for key, value in self.first.items():
            more = self.more.get(key)
            out[key] = value + [x for x in more if x not in value] if more and isinstance(value, list) else value
        return out


@dataclass
class GlobalNames:
    """What one report says of one global thing: its names and attributes over all its occurrences."""

    position: int  # of its first occurrence in ``report.things``
    label: str
    names: set[str]
    attrs: AttrFold
    written: dict[str, str] = field(default_factory=dict)  # Traditional report: surface as matched → as written


@dataclass
class Summary:
    """What the corpus-wide merge needs of one report."""

    things: dict[Ident, GlobalNames] = field(default_factory=dict)  # in order of first occurrence
    relations: list[tuple] = field(default_factory=list)  # signatures of its relations among global things


@dataclass
class LocalResolution:
    """One report resolved on its own: its things merged by key, each with its spans in the report, and its
    relations without duplicates. A global thing is stood in for by its first occurrence here, until
    ``Merged`` gives its canonical form; a relation among global things carries its signature, so that
    only the first report stating it keeps it."""

    things: list[tuple[int, Thing, list[Span]]] = field(default_factory=list)  # (position, kept thing, spans)
    relations: list[tuple[Relation, tuple | None]] = field(default_factory=list)


def resolve_locally(report: Report, *, per_kind: bool = True) -> tuple[LocalResolution, Summary]:
    """Resolve ``report`` alone (see the module doc); a Traditional report gets its own text back here.

    Mutates the report's things and relations as ``resolve`` does."""
    if per_kind:
        run_resolvers(report)
    local, summary = LocalResolution(), Summary()
    kept: dict[Hashable, Thing] = {}  # ident → the thing kept for it in this report
    ident_of: dict[int, Hashable] = {}  # id(thing) → its ident
    spans: dict[Hashable, list[Span]] = {}
    seen_spans: dict[Hashable, set[Span]] = {}
    have: dict[Hashable, set[Span]] = {}  # as resolve's kept_mentions
    for position, thing in enumerate(report.things):
        ident: Hashable = ("global", *_ident(thing)) if thing.scope == "global" else (thing.kind, thing.key)
        ident_of[id(thing)] = ident
        first = kept.get(ident)
        if first is None:
            kept[ident] = thing
            spans[ident], seen_spans[ident] = [], set()
            local.things.append((position, thing, spans[ident]))
            if thing.scope == "global":
                summary.things[_ident(thing)] = GlobalNames(position, thing.label, set(), AttrFold())
        elif thing.scope != "global":
            if ident not in have:
                have[ident] = set(first.mentions)
            _absorb(first, thing, have[ident])
        if thing.scope == "global":
            names = summary.things[_ident(thing)]
            names.names |= thing.names
            for key, value in thing.attrs.items():
                names.attrs.add(key, value)
        for m in list(thing.mentions):
            if m not in seen_spans[ident]:
                seen_spans[ident].add(m)
                spans[ident].append(m)
    seen: set[tuple] = set()
    for rel in report.relations:
        subj = kept.get(ident_of.get(id(rel.subject)), rel.subject)
        is_thing = isinstance(rel.object, Thing)
        obj = kept.get(ident_of.get(id(rel.object)), rel.object) if is_thing else rel.object
        sig = (id(subj), rel.predicate, id(obj) if is_thing else obj)
        if sig in seen or subj is obj:
            continue
        seen.add(sig)
        rel.subject, rel.object = subj, obj
        shared = _is_kept_global(subj, kept) and (not is_thing or _is_kept_global(obj, kept))
        signature = (_ident(subj), rel.predicate, ("thing", _ident(obj)) if is_thing else ("literal", obj)) \
            if shared else None
        if signature is not None:
            summary.relations.append(signature)
        local.relations.append((rel, signature))
    _restore_traditional(report, local, summary)
    return local, summary


def _is_kept_global(thing: Thing, kept: dict[Hashable, Thing]) -> bool:
    return thing.scope == "global" and kept.get(("global", *_ident(thing))) is thing


def _restore_traditional(report: Report, local: LocalResolution, summary: Summary) -> None:
    """Give a report matched in Simplified characters its own text back, after resolution.

    Extraction and resolution run on the Simplified copy, because the lexicons are Simplified; a key stays
    Simplified, so a Traditional report and a Simplified one name the same thing alike. What the graph
    shows is the original: the mentions' surfaces and sentences come from the restored text, and a label
    or alias that is a mention's surface as matched becomes that mention's surface as written
    (省委第五巡視組, not 省委第五巡视组). A label put together from parts (辽宁省商务厅 from 省商务厅) has no
    written form and stays as it was made. The report's own things are restored here; its global things'
    written forms go into the summary, and ``Merged`` applies them, the first report's form of a name
    winning."""
    original = report.meta.pop(ORIGINAL_SOURCE, None)
    if original is None:
        return
    matched = report.source.text
    for _, thing, spans in local.things:
        written: dict[str, str] = {}
        for span in spans:
            written.setdefault(matched[span.start:span.end], original.text[span.start:span.end])
        if thing.scope == "global":
            summary.things[_ident(thing)].written = written
        elif written:
            thing.label = written.get(thing.label, thing.label)
            thing.alt_labels = {written.get(a, a) for a in thing.alt_labels} - {thing.label}
    report.source = original
    for derived in ("sentences", "_sentence_starts"):  # found in the matched text: found again in this one
        vars(report).pop(derived, None)


@dataclass
class _Canonical:
    thing: Thing
    rank: tuple[int, int]  # (ordinal of the first report naming it, position there)
    names: set[str] = field(default_factory=set)
    attrs: AttrFold = field(default_factory=AttrFold)
    written: dict[str, str] = field(default_factory=dict)


class Merged:
    """The corpus-wide merge of the reports' summaries, added in report order."""

    def __init__(self) -> None:
        self._things: dict[Ident, _Canonical] = {}
        self._seen: set[tuple] = set()  # global relation signatures stated so far
        self._claimed: dict[int, set[tuple]] = {}  # report ordinal → its signatures an earlier report stated
        self.reports = 0
        self._finished = False

    def add(self, summary: Summary) -> int:
        """Fold in the next report's summary; returns the report's ordinal."""
        ordinal, self.reports = self.reports, self.reports + 1
        for ident, names in summary.things.items():
            canonical = self._things.get(ident)
            if canonical is None:
                thing = Thing(ident[0], names.label, ident[1], scope="global")
                canonical = self._things[ident] = _Canonical(thing, (ordinal, names.position))
            canonical.names |= names.names
            canonical.attrs.add_fold(names.attrs)
            for matched, written in names.written.items():
                canonical.written.setdefault(matched, written)
        for signature in summary.relations:
            if signature in self._seen:
                self._claimed.setdefault(ordinal, set()).add(signature)
            else:
                self._seen.add(signature)
        return ordinal

    def finish(self) -> None:
        """Give each global thing its names and attributes, once every summary is in."""
        for canonical in self._things.values():
            thing, written = canonical.thing, canonical.written
            thing.label = written.get(thing.label, thing.label)
            thing.alt_labels = {written.get(n, n) for n in canonical.names} - {thing.label}
            thing.attrs = canonical.attrs.attrs()
            canonical.names, canonical.attrs, canonical.written = set(), AttrFold(), {}
        self._seen = set()
        self._finished = True

    def things(self) -> list[Thing]:
        """The global things, by first mention in the corpus."""
        self._check()
        return [c.thing for c in self._things.values()]

    def resolved(self, report: Report, local: LocalResolution, ordinal: int) -> Resolved:
        """``report``'s share of the corpus-wide resolution (it is the ``ordinal``-th): its things in order of
        first mention in the corpus, global ones in their canonical form, and its relations but those an
        earlier report stated.

        Final as soon as the report is added, before ``finish``: what it depends on (which report first
        named a global thing, and where; which relations an earlier report stated; a thing's kind and key)
        is settled by the reports before it. Only the global things' names and attributes wait for the
        last report, and those are the shared things' graph's, not a report's (``kg.rdf``)."""
        out = Resolved()
        canonical: dict[int, Thing] = {}  # id(stand-in) → the global thing
        ranked = []
        for position, thing, spans in local.things:
            if thing.scope == "global":
                entry = self._things[_ident(thing)]
                canonical[id(thing)], rank, thing = entry.thing, entry.rank, entry.thing
            else:
                rank = (ordinal, position)
            ranked.append((rank, thing, spans))
        ranked.sort(key=lambda entry: entry[0])
        for _, thing, spans in ranked:
            out.things.append(thing)
            out.reports_of[id(thing)] = [report]
            out.spans[(id(thing), id(report))] = spans
        claimed = self._claimed.get(ordinal, set())
        for rel, signature in local.relations:
            if signature is not None and signature in claimed:
                continue
            obj = canonical.get(id(rel.object), rel.object) if isinstance(rel.object, Thing) else rel.object
            out.relations.append((report, Relation(canonical.get(id(rel.subject), rel.subject), rel.predicate,
                                                   obj, rel.evidence)))
        return out

    def _check(self) -> None:
        if not self._finished:
            raise RuntimeError("Merged.finish() must run before the merged things are read")


def resolve(reports: list[Report], *, per_kind: bool = True) -> Resolved:
    """Resolve reports held in memory (tests, small tools): each alone, then merged, as a build does, and
    gathered into one ``Resolved``. Runs the per-kind resolvers unless ``per_kind`` is off; reports matched
    in Simplified get their own text back. A global thing is a new ``Thing``, not one of the reports'."""
    merged, done = Merged(), []
    for report in reports:
        local, summary = resolve_locally(report, per_kind=per_kind)
        done.append((report, local, merged.add(summary)))
    merged.finish()
    out = Resolved()
    for report, local, ordinal in done:
        share = merged.resolved(report, local, ordinal)
        for thing in share.things:  # in order of first mention: a global thing is listed by its first report
            if id(thing) in out.reports_of:
                out.reports_of[id(thing)].append(report)
            else:
                out.things.append(thing)
                out.reports_of[id(thing)] = [report]
        out.spans.update(share.spans)
        out.relations.extend(share.relations)
    return out


__all__ = ["AttrFold", "LocalResolution", "Merged", "Summary", "resolve", "resolve_locally", "ORIGINAL_SOURCE"]
