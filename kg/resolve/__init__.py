"""Resolve: make one node per real thing.

1. Per-kind resolvers (``kg/resolve/<kind>.py``, registered with ``@resolver(kind)``) canonicalise each
   report's things: they rewrite ``key``/``label``/``alt_labels``/``scope`` (我厅 → the inspected unit).
2. Within a report, things of one kind with one key are one thing.
3. Across reports, things with ``scope="global"`` and the same kind and key are one thing. Whether a kind
   may be global is each resolver's decision (a province-level department named in full, one 《document》
   title); everything else stays inside its report, so 省委第一巡视组 of two provinces never meet.

The merge keeps the first thing's label; every other name becomes an altLabel. Relations are re-pointed to
the surviving things and exact duplicates dropped.

``resolve`` does this on reports held in memory; a build does the same one report at a time
(``kg.resolve.stream``), so that it need not hold them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from ..model import Relation, Report, Span, Thing
from .registry import RESOLVERS, resolver

__all__ = ["resolve", "Resolved", "resolver", "run_resolvers", "restore_traditional", "ORIGINAL_SOURCE"]

_PER_KIND_MODULES = ("units", "persons")
ORIGINAL_SOURCE = "original_source"  # report.meta key: the Traditional text a report was matched without


@cache
def _load_resolvers() -> None:
    for name in _PER_KIND_MODULES:
        try:
            import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


@dataclass
class Resolved:
    """The corpus after resolution: each surviving thing with the reports that mention it."""

    things: list[Thing] = field(default_factory=list)
    relations: list[tuple[Report, Relation]] = field(default_factory=list)  # with the report stating it
    reports_of: dict[int, list[Report]] = field(default_factory=dict)  # id(thing) → reports naming it
    # spans are offsets into one report's source, so a merged thing keeps its spans per report
    spans: dict[tuple[int, int], list[Span]] = field(default_factory=dict)  # (id(thing), id(report)) → spans

    def reports(self, thing: Thing) -> list[Report]:
        return self.reports_of.get(id(thing), [])

    def mentions(self, thing: Thing, report: Report) -> list[Span]:
        return self.spans.get((id(thing), id(report)), [])


def run_resolvers(report: Report) -> None:
    """The per-kind resolvers on one report: each looks at that report alone."""
    _load_resolvers()
    for kind in ("Unit", "InspectionTeam", "Person", "Post", "Document", "Program", "Deadline", "Problem",
                 "Inspection"):
        for fn in RESOLVERS.get(kind, ()):
            fn(report)


def resolve(reports: list[Report], *, per_kind: bool = True) -> Resolved:
    """Run the per-kind resolvers (unless ``per_kind`` is off), then merge things by key within each
    report and across reports."""
    for report in reports if per_kind else ():
        run_resolvers(report)
    out = Resolved()
    survivors: dict[tuple, Thing] = {}
    replaced: dict[int, Thing] = {}
    # sets beside the lists, so that a name met thousands of times is not searched for in a list each time
    kept_mentions: dict[int, set[Span]] = {}  # id(kept) → set(kept.mentions)
    spans_seen: dict[tuple[int, int], set[Span]] = {}  # as out.spans
    for report in reports:
        for thing in report.things:
            scope_key = "global" if thing.scope == "global" else (report.source.stem, report.source.name, report.index)
            ident = (thing.kind, scope_key, thing.key)
            kept = survivors.get(ident)
            if kept is None:
                survivors[ident] = kept = thing
                out.things.append(thing)
                out.reports_of[id(thing)] = [report]
                mine = thing.mentions
            else:
                mine = list(thing.mentions)
                have = kept_mentions.get(id(kept))
                if have is None:
                    have = kept_mentions[id(kept)] = set(kept.mentions)
                _absorb(kept, thing, have)
                replaced[id(thing)] = kept
            where = (id(kept), id(report))
            if where not in out.spans and kept is not thing:  # the first of its things in this report
                out.reports_of[id(kept)].append(report)
            spans = out.spans.setdefault(where, [])
            seen_here = spans_seen.setdefault(where, set())
            for m in mine:
                if m not in seen_here:
                    seen_here.add(m)
                    spans.append(m)
    seen: set[tuple] = set()
    for report in reports:
        for rel in report.relations:
            subj = replaced.get(id(rel.subject), rel.subject)
            obj = replaced.get(id(rel.object), rel.object) if isinstance(rel.object, Thing) else rel.object
            sig = (id(subj), rel.predicate, id(obj) if isinstance(obj, Thing) else obj)
            if sig in seen or subj is obj:
                continue
            seen.add(sig)
            rel.subject, rel.object = subj, obj
            out.relations.append((report, rel))
    return out


def _absorb(kept: Thing, other: Thing, have: set[Span]) -> None:
    """Unite ``other`` into ``kept``: mentions (no repeats), names, and attributes ``kept`` lacks.

    ``have`` is ``set(kept.mentions)``, kept up to date here."""
    new = [m for m in other.mentions if m not in have]
    kept.mentions.extend(new)
    have.update(new)
    kept.alt_labels |= other.names
    kept.alt_labels.discard(kept.label)
    for k, v in other.attrs.items():
        if k not in kept.attrs:
            kept.attrs[k] = v
        elif isinstance(v, list) and isinstance(kept.attrs[k], list):
            kept.attrs[k] = kept.attrs[k] + [x for x in v if x not in kept.attrs[k]]


def restore_traditional(reports: list[Report], resolved: Resolved) -> None:
    """Give reports matched in Simplified characters their own text back, after resolution.

    Extraction and resolution run on the Simplified copy, because the lexicons are Simplified; a key stays
    Simplified, so a Traditional report and a Simplified one name the same thing alike. What the graph
    shows is the original: the mentions' surfaces and sentences come from the restored text, and a label
    or alias that is a mention's surface as matched becomes that mention's surface as written
    (省委第五巡視組, not 省委第五巡视组). A label put together from parts (辽宁省商务厅 from 省商务厅) has no
    written form and stays as it was made."""
    traditional = {id(r): r for r in reports if ORIGINAL_SOURCE in r.meta}
    if not traditional:
        return
    for thing in resolved.things:
        written: dict[str, str] = {}
        for report in resolved.reports(thing):
            if id(report) in traditional:
                original, matched = report.meta[ORIGINAL_SOURCE].text, report.source.text
                for span in resolved.mentions(thing, report):
                    written.setdefault(matched[span.start:span.end], original[span.start:span.end])
        if written:
            thing.label = written.get(thing.label, thing.label)
            thing.alt_labels = {written.get(a, a) for a in thing.alt_labels} - {thing.label}
    for report in traditional.values():
        report.source = report.meta.pop(ORIGINAL_SOURCE)
