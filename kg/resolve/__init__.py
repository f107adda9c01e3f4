"""Resolve: make one node per real thing.

1. Per-kind resolvers (``kg/resolve/<kind>.py``, registered with ``@resolver(kind)``) canonicalise each
   report's things: they rewrite ``key``/``label``/``alt_labels``/``scope`` (我厅 → the inspected unit).
2. Within a report, things of one kind with one key are one thing.
3. Across reports, things with ``scope="global"`` and the same kind and key are one thing. Whether a kind
   may be global is each resolver's decision (a province-level department named in full, one 《document》
   title); everything else stays inside its report, so 省委第一巡视组 of two provinces never meet.

The merge keeps the first thing's label; every other name becomes an altLabel. Relations are re-pointed to
the surviving things and exact duplicates dropped.

A build does this one report at a time (``kg.resolve.stream``), so that it never holds the corpus;
``resolve`` runs the same steps over reports held in memory and gathers them into one ``Resolved``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from ..model import Relation, Report, Span, Thing
from .registry import RESOLVERS, resolver

__all__ = ["resolve", "Resolved", "resolver", "run_resolvers", "ORIGINAL_SOURCE"]

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


# resolve() is the build's report-at-a-time resolution gathered into one Resolved; it builds on the above
from .stream import resolve  # noqa: E402
