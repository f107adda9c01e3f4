"""Domain knowledge as data: the lexicon files under ``kg/lexicons/``.

Two formats, both UTF-8 plain text, ``#`` starts a comment, blank lines are ignored:

* ``*.txt`` — a list, one entry per line (titles, unit suffixes, program heads, boilerplate markers …).
* ``*.tsv`` — a table, tab-separated, the first non-comment line names the columns.

A user extends a lexicon for another province or domain without touching Python: put a file of the same
name in a folder and point ``KG_LEXICONS`` at it (several folders separated by ``os.pathsep``). Entries of
the user's ``.txt`` files are added to the shipped ones; rows of ``.tsv`` files are appended. A line
``-ENTRY`` in a user's list removes a shipped entry.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "lexicons"


def folders() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("KG_LEXICONS", "").split(os.pathsep) if p]
    return [SHIPPED, *extra]


def _lines(path: Path) -> list[str]:
    out = []
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        line = raw.split("#", 1)[0].rstrip() if not raw.lstrip().startswith("\\#") else raw.lstrip()[1:]
        if line.strip():
            out.append(line.strip("\r"))
    return out


def _files(filename: str) -> list[tuple[Path, Path]]:
    """(folder, file) for every lexicon folder holding ``filename``; an error if none does."""
    found = [(folder, folder / filename) for folder in folders() if (folder / filename).exists()]
    if not found:
        raise FileNotFoundError(f"no lexicon {filename} in {', '.join(map(str, folders()))}")
    return found


@lru_cache(maxsize=None)
def words(name: str) -> tuple[str, ...]:
    """The entries of ``name.txt`` from every lexicon folder, in order, without duplicates."""
    seen: dict[str, None] = {}
    for folder, path in _files(f"{name}.txt"):
        for line in _lines(path):
            line = line.strip()
            if line.startswith("-") and len(line) > 1 and folder != SHIPPED:
                seen.pop(line[1:], None)
            else:
                seen.setdefault(line, None)
    return tuple(seen)


@lru_cache(maxsize=None)
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``name.tsv`` from every lexicon folder, as dicts keyed by the header's column names."""
    rows: list[dict[str, str]] = []
    for _, path in _files(f"{name}.tsv"):
        lines = _lines(path)
        if not lines:
            continue
        header = [h.strip() for h in lines[0].split("\t")]
        for line in lines[1:]:
            cells = [c.strip() for c in line.split("\t")]
            cells += [""] * (len(header) - len(cells))
            rows.append(dict(zip(header, cells)))
    return tuple(rows)


def alternation(name: str, *, sort_longest_first: bool = True) -> str:
    """A regex alternation of the entries of ``name.txt`` (escaped, longest first so the longest wins)."""
    entries = sorted(words(name), key=len, reverse=True) if sort_longest_first else list(words(name))
    return "|".join(re.escape(e) for e in entries)


def reload() -> None:
    """Forget cached lexicons (after changing ``KG_LEXICONS`` or a file)."""
    words.cache_clear()
    table.cache_clear()
