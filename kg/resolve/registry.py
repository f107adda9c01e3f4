"""Per-kind resolvers: functions ``resolve(report) -> None`` that canonicalise the things of one kind.

A resolver rewrites ``key``/``label``/``alt_labels``/``scope`` of its kind's things in a report (for
example 我厅 → the inspected unit's key, 省商务厅 → 辽宁省商务厅 in a Liaoning report) before the generic
merge in ``kg.resolve`` unites things that share a key. One module per kind under ``kg/resolve/``.
"""
from __future__ import annotations

from typing import Callable

from ..model import KINDS, Report

Resolver = Callable[[Report], None]
RESOLVERS: dict[str, list[Resolver]] = {}


def resolver(kind: str) -> Callable[[Resolver], Resolver]:
    """Register ``fn`` as a resolver for things of ``kind`` (several may run, in registration order)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")

    def register(fn: Resolver) -> Resolver:
        RESOLVERS.setdefault(kind, []).append(fn)
        return fn

    return register
