"""The build's reports kept on disk between extraction and the RDF mapping, so that memory stays flat.

A build used to hold every extracted report until its graph was written: about 14 MB per copy of the seeds.
Now each file's reports, as soon as they are extracted, are resolved alone (``kg.resolve.stream``),
pickled to a folder with their text, and let go; what stays in memory is the merge of their summaries
(the things shared across reports, the relations among them). The mapping then reads the reports back
one file at a time, each with the ``Resolved`` the whole-corpus resolution would have given it. Forked
graph workers (``kg.write``) read the files themselves.

A small corpus is not worth the round trip (pickling and reading back the seeds costs a build about a tenth
of a second): files stay in memory as they are while their texts add up to at most ``KEEP_CHARS``
characters, and only the others go to disk. So memory still stops growing past that many characters.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Callable

from .collector import collector_paused
from .model import Report, Span, Thing
from .resolve import Resolved
from .resolve.stream import LocalResolution, Merged, resolve_locally

# Files are kept in memory while their texts add up to at most this many characters; the others are
# spilled. Reports take some 45 bytes per character of their text once extracted and resolved (the seeds:
# 342,000 characters, 15 MB), so this is about 22 MB.
KEEP_CHARS = 500_000
Entry = tuple[Report, LocalResolution, list[Span] | None]  # a report, its own resolution, its sentences


class SpilledCorpus:
    """Reports added file by file, in the build's order, to ``folder`` (or kept, up to ``keep_chars``
    characters of text); read back by position."""

    def __init__(self, folder: Path, *, keep_chars: int = KEEP_CHARS) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.merged = Merged()
        self._room = keep_chars  # characters of text that may still be kept in memory
        self._where: list[tuple[int, int]] = []  # report position → (file number, index among its reports)
        self._files = 0
        self._kept: dict[int, list[Entry]] = {}  # file number → its entries, for the files not spilled
        self._made: dict[int, Any] = {}  # report position → what ``add_file``'s callback made of it, if kept
        self._loaded: tuple[int, list[Entry]] | None = None  # the last spilled file read back

    def add_file(self, reports: list[Report], resolved: Callable[[Report, Resolved], Any] | None = None) -> None:
        """Resolve each of one file's reports alone, fold in its summary and keep them or write them to disk.

        ``resolved`` is called with each report and its share of the corpus-wide resolution as soon as
        that is known, which is when the report is folded in (``Merged.resolved``): the build writes its
        graph then. What it returns is kept with the report if the report is kept in memory (``made``):
        the build's pages are drawn from it. The reports are changed as resolution changes them (a Traditional one gets its text
        back)."""
        entries = []
        for report in reports:
            local, summary = resolve_locally(report)
            ordinal = self.merged.add(summary)
            made = resolved(report, self.merged.resolved(report, local, ordinal)) if resolved is not None else None
            # what the mapping reads of the report besides its text and spans: only the things kept
            report.things = [thing for _, thing, _ in local.things]
            report.relations = [relation for relation, _ in local.relations]
            self._where.append((self._files, len(entries)))
            # the sentences found during extraction, which a pickle of the report leaves out: cheaper read
            # than found again
            entries.append((report, local, vars(report).get("sentences")))
            if made is not None:
                self._made[len(self._where) - 1] = made
        chars = len(reports[0].source.text) if reports else 0
        if chars <= self._room:
            self._room -= chars
            self._kept[self._files] = entries
        else:
            for position in range(len(self._where) - len(entries), len(self._where)):
                self._made.pop(position, None)  # memory is kept for kept files only
            with collector_paused():  # each collection would walk the pickler's memo (kg.collector)
                data = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
            (self.folder / f"{self._files}.pickle").write_bytes(data)
        self._files += 1

    def finish(self) -> None:
        """Every file is in: settle the shared things' names and attributes."""
        self.merged.finish()

    def __len__(self) -> int:
        return len(self._where)

    def shared_things(self) -> list[Thing]:
        """The things shared across reports, for the ``ENTITIES_GRAPH``."""
        return self.merged.things()

    def made(self, position: int) -> Any:
        """What ``add_file``'s callback made of the report at ``position``, if its file is kept in memory;
        else None."""
        return self._made.get(position)

    def report(self, position: int) -> tuple[Report, Resolved]:
        """The report at ``position``, read back, with its resolution in the whole corpus.

        Reports are asked for in order, so a spilled file is read once and kept until the next is asked for."""
        number, index = self._where[position]
        entries = self._kept.get(number)
        if entries is None:
            if self._loaded is None or self._loaded[0] != number:
                self._loaded = None  # let the last file go before reading the next
                data = (self.folder / f"{number}.pickle").read_bytes()
                with collector_paused():
                    self._loaded = number, pickle.loads(data)
            entries = self._loaded[1]
        report, local, sentences = entries[index]
        if sentences is not None:
            vars(report)["sentences"] = sentences  # Report.sentences is a cached_property
        return report, self.merged.resolved(report, local, position)


__all__ = ["SpilledCorpus", "KEEP_CHARS"]
