"""The extraction pipeline: named components run in a visible order, as in spaCy.

A component is any callable ``component(report) -> None`` that adds things and relations to the report.
Each lives in its own module under ``kg/extract/`` and registers itself with ``@component("name")``; a new
entity type is one new file plus its name in ``DEFAULT_PIPELINE`` (or ``Pipeline.add``). Order matters:
later components may use what earlier ones found (documents look for the unit that issued them among the
units already found in the sentence).
"""
from __future__ import annotations

from typing import Callable, Iterable, Protocol

from .model import Report


class Component(Protocol):
    def __call__(self, report: Report) -> None: ...


REGISTRY: dict[str, Callable[[], Component]] = {}

DEFAULT_PIPELINE: tuple[str, ...] = ("inspection", "units", "persons", "documents", "programs", "problems")


def component(name: str):
    """Register a component factory (a class or a zero-argument function) under ``name``."""

    def register(factory: Callable[[], Component]) -> Callable[[], Component]:
        if name in REGISTRY and REGISTRY[name] is not factory:
            raise ValueError(f"component {name!r} is registered twice")
        REGISTRY[name] = factory
        return factory

    return register


def _load_builtin_components() -> None:
    from . import extract  # noqa: F401  (importing registers the built-in components)


class Pipeline:
    """An ordered list of named components; switch one off with ``disable=``, add one with ``add``."""

    def __init__(self, names: Iterable[str] = DEFAULT_PIPELINE, *, disable: Iterable[str] = ()) -> None:
        _load_builtin_components()
        off = set(disable)
        unknown = (set(names) | off) - set(REGISTRY)
        if unknown:
            raise KeyError(f"unknown component(s) {sorted(unknown)}; known: {sorted(REGISTRY)}")
        self.components: list[tuple[str, Component]] = [(n, REGISTRY[n]()) for n in names if n not in off]

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.components]

    def add(self, name: str, comp: Component, *, before: str | None = None) -> None:
        at = self.names.index(before) if before else len(self.components)
        self.components.insert(at, (name, comp))

    def __call__(self, report: Report) -> Report:
        for _, comp in self.components:
            comp(report)
        return report
