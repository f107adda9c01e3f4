"""What extraction found in each file, kept between builds so that a rebuild re-extracts only what changed.

Extraction is most of a build's time and depends on nothing but the file's text, its name (IRIs are made
from it) and the extractor itself: the code of the pipeline stages and the lexicons, user overlays included.
An entry is therefore keyed by a hash of all of these, so editing a lexicon or upgrading ``kg`` makes every
entry stale without anyone having to remember to clear the cache. Resolution and the RDF mapping look
across reports, cost little, and always run on everything.

An entry is a pickle of the file's ``Report`` objects without their ``Source``: the text is on disk
already, is read again anyway to hash it, and is attached back on loading (``dumps``, ``loads``). Each
entry is written to a temporary file and renamed, so a crash leaves no half entry. Entries are only ever
read by the ``kg`` that wrote them (the key holds the code's hash); do not share a cache folder you would
not run code from.
"""
from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
import shutil
from functools import lru_cache
from pathlib import Path

from .collector import collector_paused
from .files import write_atomic
from . import lexicon
from .model import Report, Source

PACKAGE = Path(__file__).resolve().parent
# the stages whose output is cached: reading, splitting, extraction (build.py drives them: its skip rules
# and the Traditional-text handling shape what is cached) and the data they read
_CODE = ("model.py", "read.py", "split.py", "dates.py", "lexicon.py", "pipeline.py", "cache.py", "build.py", "engines.py", "extract")


@lru_cache(maxsize=None)
def _code_digest() -> str:
    h = hashlib.sha256()
    for name in _CODE:
        path = PACKAGE / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(file.relative_to(PACKAGE).as_posix().encode())
            h.update(file.read_bytes())
    return h.hexdigest()


def fingerprint(pipeline_names: list[str]) -> str:
    """A hash of what extraction depends on besides the text: code, lexicons (with overlays), components."""
    h = hashlib.sha256(_code_digest().encode())
    h.update("\x1f".join(pipeline_names).encode())
    for folder in lexicon.folders():
        for file in sorted(folder.glob("*.*")) if folder.is_dir() else []:
            h.update(str(file.name).encode())
            h.update(file.read_bytes())
    return h.hexdigest()


def _left_out() -> Source:
    """What a pickle of ``dumps`` calls for the source it left out: ``loads`` gives that source instead."""
    raise pickle.UnpicklingError("a pickle of kg.cache.dumps is read with kg.cache.loads, given its source")


class _Pickler(pickle.Pickler):
    """Pickles ``source`` as a call of ``_left_out``, which ``_Unpickler`` answers with the source it is given.

    Through the pickler's own ``dispatch_table``: it is looked up (in C) only for objects not of a built-in
    type, and calls back into Python for a ``Source`` alone. A ``persistent_id`` would be called for every
    object, each string and number of the hundreds of thousands in an entry: half the time of ``dumps``."""

    def __init__(self, file: io.BytesIO, source: Source) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.source = source
        self.dispatch_table = {**copyreg.dispatch_table, Source: self._reduce_source}

    def _reduce_source(self, obj: Source) -> tuple:
        if obj is self.source:
            return _left_out, ()
        return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # another (the Simplified text of a Traditional file)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, source: Source) -> None:
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == (__name__, _left_out.__name__):
            return lambda: self.source
        return super().find_class(module, name)


def dumps(obj: object, source: Source) -> bytes:
    """``obj`` (reports, or one report) pickled without ``source``, which ``loads`` is given back.

    The form of a cache entry, and of what an extraction worker sends back: the text stays where it is."""
    buffer = io.BytesIO()
    with collector_paused():  # each collection would walk the pickler's memo (kg.collector)
        _Pickler(buffer, source).dump(obj)
    return buffer.getvalue()


def loads(data: bytes, source: Source) -> object:
    """What ``dumps`` pickled, with ``source`` put back where it was left out."""
    with collector_paused():  # each collection would walk the unpickler's memo (kg.collector)
        return _Unpickler(io.BytesIO(data), source).load()


class ExtractionCache:
    """A folder of entries, one per (fingerprint, file name, text)."""

    def __init__(self, folder: Path, fingerprint: str, *, reuse: bool = True) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        self.reuse = reuse  # False: every file is extracted again (kg build --rebuild); entries are still written
        self.used: set[str] = set()

    def key(self, source: Source) -> str:
        h = hashlib.sha256(self.fingerprint.encode())
        h.update(source.name.encode())
        h.update(b"\x00")
        h.update(source.text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, source: Source) -> list[Report] | None:
        """The reports extracted earlier from this very text, or None (an unreadable entry counts as none)."""
        if not self.reuse:
            return None
        key = self.key(source)
        path = self.folder / f"{key}.pickle"
        try:
            reports = loads(path.read_bytes(), source)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry (disk full at the time, killed writer): extract again
            return None
        self.used.add(key)
        return reports

    def has(self, source: Source) -> bool:
        """Whether an entry for this very text is there to be read (``get`` may still find it damaged)."""
        return self.reuse and (self.folder / f"{self.key(source)}.pickle").is_file()

    def put(self, source: Source, reports: list[Report], *, into: Path | None = None) -> None:
        """Add the entry; ``into`` another folder holds it back instead, until ``adopt(into)``."""
        key = self.key(source)
        write_atomic((into or self.folder) / f"{key}.pickle", dumps(reports, source), mode=0o600)
        if into is None:
            self.used.add(key)

    def adopt(self, held: Path) -> None:
        """Move the entries held back in ``held`` (``put(..., into=held)``) into the cache."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for entry in sorted(held.glob("*.pickle")):
            shutil.move(entry, self.folder / entry.name)
            self.used.add(entry.stem)

    def prune(self) -> int:
        """Remove the entries this build did not use (changed or deleted files, older code); their count."""
        removed = 0
        for path in self.folder.glob("*.pickle") if self.folder.is_dir() else []:
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
