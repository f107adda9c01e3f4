"""The build: read → split → extract → resolve → RDF → write.

What it writes into ``out_dir``: ``graph.ttl``, the Oxigraph ``store/``, ``graph.html`` (the corpus at a
glance: reports, teams, inspected units), ``index.html`` (the overview page: inspections, charts, most-cited
documents) and ``reports/<slug>.html`` (one graph page per report), plus ``manifest.json`` and ``cache/``.

Everything is written into a fresh temporary folder beside ``out_dir`` and moved into place only when the
whole build succeeded, so a failure or Ctrl-C leaves the previous output intact.

The build never holds the whole corpus's findings: each file's reports, once extracted, are resolved on
their own, their graphs mapped and written (``kg.write.GraphWriter``: the store loads them on the other
core while extraction goes on), and spilled to that folder (``kg.spill``), keeping in memory only what the
merge across reports needs (``kg.resolve.stream``); the report pages, drawn once the merge is settled, read
them back one file at a time. The graph is the one that resolving every report at once gives, byte for byte.

Builds are incremental. What extraction found in each file is cached in ``out_dir/cache`` (``kg.cache``),
so only new or changed files are extracted again; resolution and the RDF mapping then run on everything,
because they look across reports and cost little. The store is not reloaded whole: ``manifest.json``
records a digest of each named graph's N-Quads, and the new store is a copy of the last one in which only
the graphs whose digest changed are replaced and the graphs no longer produced are dropped. The result is
the store a clean build writes, quad for quad (tested). ``rebuild=True`` ignores cache and manifest.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from concurrent.futures import Future
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain, count
from pathlib import Path
from typing import Iterator


from .cache import ExtractionCache, fingerprint
from .collector import older_objects_frozen
from .engines import Engine, ExtractionFailed, InProcess, default_workers, engine_for
from .model import Report, Source
from .pipeline import Pipeline
from .progress import progress_bar
from .store import is_store
from .read import UnreadableInput, discover, is_traditional, needs_text_copy, read_source, to_simplified
from .resolve import ORIGINAL_SOURCE
from .spill import SpilledCorpus
from .split import split_reports
from .write import MANIFEST_FORMAT, GraphWriter, pages_fork, write_manifest, write_overview_pages, write_report_pages

OUTPUTS = ("graph.ttl", "graph.html", "index.html", "reports", "text", "store", "manifest.json")  # manifest last
CACHE = "cache"  # the extraction cache's folder in out_dir
SPILL = "spill"  # the staging folder's folder of extracted reports waiting to be mapped (kg.spill)


@dataclass
class BuildSummary:
    files: int = 0
    reports: int = 0
    triples: int = 0
    seconds: float = 0.0
    per_class: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, one-line reason)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in pipeline order
    extracted: int = 0  # files read, split and extracted by this build
    reused: int = 0  # files whose extraction came from the cache
    graphs_written: int = 0  # named graphs loaded into the store (all of them in a clean build)
    graphs_dropped: int = 0  # named graphs of an earlier build removed (their file is gone or changed)
    incremental: bool = False  # the store was updated from the last build's rather than written anew
    violations: int | None = None  # SHACL violations of ontology/shapes.ttl (None: not checked)
    validation: str = ""  # which engine checked, or why nothing did
    report_pages: int = 0  # reports/<slug>.html written
    engine: str = ""  # where extraction ran (kg.engines)

    def lap(self, stage: str, since: float) -> float:
        """Record the seconds ``stage`` took since ``since``; returns now, the next stage's start."""
        now = time.perf_counter()
        self.stages[stage] = now - since
        return now


class StrictBuildError(Exception):
    """``strict=True`` and some files failed: raised after every file was tried, before anything is
    written (the extraction cache included). ``skipped`` holds (file, one-line reason) for each."""

    def __init__(self, skipped: list[tuple[str, str]]) -> None:
        super().__init__(f"{len(skipped)} file(s) could not be built; nothing was written")
        self.skipped = skipped


NO_INSPECTION = "no inspection found: not a rectification report?"
# Reports run to 40,000 characters; extraction slows faster than linearly in a report's length, so a
# longer one (a whole file on one line with no signature, say) is refused rather than left to run on.
MAX_REPORT_CHARS = 1_000_000
# The SHACL check a build runs holds the structure of the whole graph in memory, and is the only part of
# a streaming build whose memory grows with the corpus; past this many triples of structure (about 11
# times the seeds, which have 27,000) the build leaves it to `kg validate`, so that its peak stays near
# the 10× build's (bench/README.md).
VALIDATE_AT_MOST = 300_000


def extract(paths: list[Path], *, pipeline: Pipeline | None = None, engine: Engine | None = None,
            progress: bool = False, summary: BuildSummary | None = None, cache: ExtractionCache | None = None,
            strict: bool = False) -> list[Report]:
    """Every report of ``extract_files``, in one list: for tests and small corpora (a build streams)."""
    return [report for reports in extract_files(paths, pipeline=pipeline, engine=engine, progress=progress,
                                                summary=summary, cache=cache, strict=strict)
            for report in reports]


def extract_files(paths: list[Path], *, pipeline: Pipeline | None = None, engine: Engine | None = None,
                  progress: bool = False, summary: BuildSummary | None = None, cache: ExtractionCache | None = None,
                  strict: bool = False) -> Iterator[list[Report]]:
    """Read, split and extract every file, and yield each file's reports, in the order of ``paths``, as
    soon as the file and those before it are done; a file that fails is skipped with a one-line reason in
    ``summary.skipped`` and the build goes on with the rest.

    A file is skipped when it is not a regular file (a FIFO, a device, a folder: never read, as reading
    may never end), cannot be read or decoded (``UnreadableInput``: empty, binary, unreadable), makes an
    extractor fail (the error's type and message), holds no report with an inspection (it is not a
    rectification report), or holds a report over ``MAX_REPORT_CHARS``. A file given twice (``a/../b.txt``
    and ``b.txt``) is built once. A file whose name would give its reports the IRIs and pages of a file
    before it (``x.txt`` in two folders) is named apart (``_name_uniquely``).

    Files are read here, one after the other; their reports are extracted by ``engine`` (default: in this
    process; see ``kg.engines`` for worker processes and Dask), which may run them in any order: files are
    handed on in the order of ``paths``, so the result does not depend on the engine. Nothing here keeps a
    file's reports once they are handed on: a build spills them (``kg.spill``), so that its memory does not
    grow with the corpus.

    With a ``cache``, a file whose extraction is cached is only read (to hash it), and its cached reports
    are loaded when its turn comes; a file extracted anew is added to the cache. With ``strict``, every file
    is still tried (so that all the reasons are known), but any skip raises ``StrictBuildError`` at the end
    and nothing is added to the cache (new entries wait in a temporary folder until then)."""
    pipeline = pipeline or Pipeline()
    engine = engine or InProcess(pipeline)
    summary = summary if summary is not None else BuildSummary()
    taken: set[str] = set()  # the IRI names (case-folded) given to files so far
    with tempfile.TemporaryDirectory(prefix="kg-held-") if strict and cache is not None else nullcontext() as held:
        for file in _extracted_in_order(paths, engine, pipeline, cache, progress):
            try:
                if file.reason:
                    raise UnreadableInput(file.reason)
                if not any(report.things_of("Inspection") for report in file.reports):
                    raise UnreadableInput(NO_INSPECTION)
            except UnreadableInput as exc:
                summary.skipped.append((str(file.path), " ".join(str(exc).split())))
                continue
            _name_uniquely(file, taken)
            summary.files += 1
            if file.extracted:
                summary.extracted += 1
                if cache is not None:
                    cache.put(file.source, file.reports, into=Path(held) if held else None)
            else:
                summary.reused += 1
            yield file.reports
        if strict and summary.skipped:
            raise StrictBuildError(summary.skipped)
        if held:
            cache.adopt(Path(held))


@dataclass
class _File:
    """One input file on its way through extraction."""

    path: Path
    source: Source | None = None
    reports: list[Report] = field(default_factory=list)  # split; extracted once ``pending`` is empty
    pending: int = 0  # reports still being extracted
    cached: bool = False  # the cache has its reports: they are loaded when the file's turn comes
    extracted: bool = False  # extracted by this build (not taken from the cache)
    reason: str = ""  # why the file is skipped


def _read_lazily(paths: list[Path], cache: ExtractionCache | None) -> Iterator[_File]:
    """Each distinct file, read when asked for: known to be cached, or split into reports to extract."""
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:  # the same file again (a/../b.txt and b.txt, a link to it): once is enough
            continue
        seen.add(path.resolve())
        file = _File(path)
        try:
            _read_file(file, cache)
        except UnreadableInput as exc:
            file.reason = str(exc)
        yield file


def _read_file(file: _File, cache: ExtractionCache | None) -> None:
    """Read ``file``; note that the cache has its reports, or split it into reports to extract."""
    path = file.path
    if not path.is_file():  # stat follows links: a FIFO or /dev/zero would block or never end
        raise UnreadableInput("not a regular file (a folder, FIFO, device or broken link)"
                              if path.exists() or not path.is_symlink() else "broken symbolic link")
    file.source = source = read_source(path)
    if not source.text.strip():  # read_source strips bytes, which leaves U+3000 and other Unicode spaces
        raise UnreadableInput("empty file (white space only)")
    if cache is not None and cache.has(source):
        file.cached = True
        return
    _split(file)


def _split(file: _File) -> None:
    """Split ``file`` into the reports to extract."""
    source = file.source
    # a Traditional text is matched in Simplified characters, one for one, so offsets carry over;
    # resolution gives each report its own text back (kg.resolve.stream.resolve_locally)
    matching = Source(source.path, to_simplified(source.text)) if is_traditional(source.text) else source
    try:
        file.reports = split_reports(matching)
    except Exception as exc:  # a bug met on an odd input must not cost the other files their build
        raise UnreadableInput(_bug(exc)) from exc
    longest = max((len(report.span) for report in file.reports), default=0)
    if longest > MAX_REPORT_CHARS:
        raise UnreadableInput(f"a report of {longest:,} characters, over the limit of {MAX_REPORT_CHARS:,} "
                              "(each report ends with its signature): not a rectification report?")
    file.pending, file.extracted = len(file.reports), True


def _extracted_in_order(paths: list[Path], engine: Engine, pipeline: Pipeline, cache: ExtractionCache | None,
                        progress: bool) -> Iterator[_File]:
    """Each file, in order, once its reports are extracted on ``engine`` (or loaded from the cache); a bar
    counts files. Files are read as the engine asks for reports to extract, and forgotten once handed on."""
    waiting: deque[_File] = deque()  # read, not yet handed on
    sent: dict[int, tuple[_File, int]] = {}  # position given to the engine → (file, index of the report)
    positions = count()

    def to_extract() -> Iterator[Report]:
        for file in _read_lazily(paths, cache):
            waiting.append(file)
            for i in range(file.pending):
                sent[next(positions)] = file, i
                yield file.reports[i]

    reading = to_extract()
    first = next(reading, None)  # an engine (a cluster) is started only if some file needs extracting
    outcomes = engine.extract(chain([first], reading)) if first is not None else iter(())

    def ready() -> Iterator[_File]:
        while waiting and waiting[0].pending == 0:
            file = waiting.popleft()
            _finish_file(file, cache, pipeline)
            bar.advance(task)
            yield file
            file.reports, file.source = [], None  # handed on: forgotten

    with progress_bar(progress and len(paths) > 1) as bar:  # after the engine started (forked) its workers
        task = bar.add_task(f"extracting ({engine.description})", total=len({path.resolve() for path in paths}))
        for position, outcome in outcomes:
            file, i = sent.pop(position)
            _take(file, i, outcome)
            if file.pending == 0:
                yield from ready()
        if next(reading, None) is not None:
            raise RuntimeError(f"extraction ({engine.description}) ended before every report was taken")
        yield from ready()


def _take(file: _File, index: int, outcome: Report | ExtractionFailed) -> None:
    """Put the extraction of the file's ``index``-th report in its place, or its failure in the file's reason."""
    if isinstance(outcome, ExtractionFailed):
        file.reason = file.reason or _bug(outcome)
    else:
        file.reports[index] = outcome
    file.pending -= 1


def _finish_file(file: _File, cache: ExtractionCache | None, pipeline: Pipeline) -> None:
    """Load a cached file's reports (extracting them here if the entry cannot be read after all), and
    keep the text as written beside the Simplified text a Traditional file was matched in."""
    if file.reason:
        return
    if file.cached:
        found = cache.get(file.source) if cache is not None else None
        if found is not None:
            file.reports = found
            return
        try:  # the entry went bad since it was seen: extract the file now, here
            _split(file)
        except UnreadableInput as exc:
            file.reason = str(exc)
            return
        for i, outcome in InProcess(pipeline).extract(file.reports):
            _take(file, i, outcome)
    if file.extracted and not file.reason and file.reports and file.source is not file.reports[0].source:
        for report in file.reports:  # matched in Simplified: keep the text as written
            report.meta[ORIGINAL_SOURCE] = file.source


def _bug(error: Exception | ExtractionFailed) -> str:
    """The reason for a file that split or extraction failed on: a bug to report, with the error."""
    name = error.error if isinstance(error, ExtractionFailed) else type(error).__name__
    message = error.message if isinstance(error, ExtractionFailed) else " ".join(str(error).split())
    return f"extraction failed ({name}: {message}); this is a bug in kg, please report it with the file"


def _name_uniquely(file: _File, taken: set[str]) -> None:
    """Give ``file`` the name its IRIs and pages are made from (``Source.stem``), unlike every name taken.

    That is its stem, unless an earlier file's stem makes the same IRI: ``x.txt`` in two folders, ``a b.txt``
    and ``a_b.txt``, or ``A.txt`` and ``a.txt`` (which a case-insensitive file system would write to one
    page). Then the stem gets a hash of the path as given, so the same command names it alike every time."""
    from .rdf import _slug

    stem, iri_stem, tries = file.path.stem, None, 0
    while _slug(iri_stem or stem).casefold() in taken:
        tries += 1  # the hashed name too is taken (a file really named so): hash again
        salted = str(file.path) if tries == 1 else f"{file.path}#{tries}"
        iri_stem = f"{stem}-{hashlib.sha1(salted.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    taken.add(_slug(iri_stem or stem).casefold())
    for source in {id(s): s for s in [file.source, *(r.source for r in file.reports)]}.values():
        source.iri_stem = iri_stem  # the text matched (Simplified) and the text as written alike


def build_corpus(inputs: list[Path], out_dir: Path, *, progress: bool = True, rebuild: bool = False,
                 strict: bool = False, workers: int | None = 1, engine: str = "local",
                 scheduler: str | None = None) -> BuildSummary:
    """Build the graph of ``inputs`` (files or folders) into ``out_dir``; see the module docstring.

    ``strict``: if any file would be skipped, raise ``StrictBuildError`` before anything is written.
    ``workers``: processes extracting reports (None: one per core; 1: this process alone); ``engine="dask"``
    extracts on the Dask cluster whose scheduler is at ``scheduler`` instead (``kg.engines``). The graph
    is the same whichever runs the extraction. ``kg.engines.EngineError`` if the engine cannot run."""
    started = lap = time.perf_counter()
    summary = BuildSummary()
    out_dir = out_dir.resolve()
    paths = discover(inputs)
    pipeline = Pipeline()
    runner = engine_for(engine, pipeline=pipeline, workers=workers, scheduler=scheduler)
    summary.engine = runner.description
    # --rebuild reads nothing from the cache but leaves it be: a build that fails (--strict) loses nothing,
    # and one that succeeds prunes what it did not write anew
    cache = ExtractionCache(out_dir / CACHE, fingerprint(pipeline.names), reuse=not rebuild)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    previous = None if rebuild else _previous_manifest(out_dir)
    try:
        with older_objects_frozen() as freeze, \
                GraphWriter(staging, previous=previous, base_store=out_dir / "store" if previous else None,
                            structure_limit=VALIDATE_AT_MOST) as graphs:
            freeze()  # what is loaded already (the pipeline, and in a process that built before, its tables)
            corpus = SpilledCorpus(staging / SPILL)
            for reports in extract_files(paths, pipeline=pipeline, engine=runner, progress=progress,
                                         summary=summary, cache=cache, strict=strict):
                corpus.add_file(reports, graphs.write_report)  # resolved alone, its graph written, let go
                _write_texts(reports, staging / "text")
            freeze()
            lap = summary.lap("read, split, extract, resolve, map each report", lap)
            corpus.finish()
            freeze()
            lap = summary.lap("merge across reports", lap)
            summary.reports = len(corpus)
            _write_outputs(corpus, graphs, staging, summary, workers=workers or default_workers(),
                           progress=progress, lap=lap)
        _move_into_place(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    cache.prune()
    summary.seconds = time.perf_counter() - started
    return summary


def _write_outputs(corpus: SpilledCorpus, graphs: GraphWriter, staging: Path, summary: BuildSummary, *,
                   workers: int, progress: bool, lap: float) -> None:
    """Every output but what ``graphs`` wrote report by report, into ``staging``: the shared things' graph,
    the store closed, the report pages, the SHACL check of the structure, the overview pages drawn from
    the finished store, and the manifest.

    The check runs in a thread (native code, without the GIL) while the pages are drawn. Pages drawn by
    forked workers need the store's loader closed first (no thread may run when a process forks); drawn
    here, they leave the loader to finish meanwhile."""
    entities = graphs.finish(corpus.shared_things())
    written = graphs.written
    summary.incremental = graphs.previous is not None
    checking: Future | None = None

    def check() -> None:
        nonlocal checking
        if written.structure_triples > VALIDATE_AT_MOST:
            summary.validation = (f"skipped: {written.structure_triples:,} triples of structure, over the build's "
                                  f"{VALIDATE_AT_MOST:,} (memory): run kg validate")
        else:
            structure = b"".join(written.structure)  # N-Triples, read by the engine as they are
            written.structure.clear()
            checking = _start_validation(structure, summary)

    if pages_fork(workers, len(corpus)):
        graphs.close()
    summary.report_pages = write_report_pages(corpus, entities, staging, workers=workers, progress=progress,
                                              forked=check)
    graphs.close()
    summary.graphs_written, summary.graphs_dropped = written.graphs_written, written.graphs_dropped
    summary.triples = written.triples
    summary.per_class = dict(sorted(written.counts.items()))
    lap = summary.lap("report pages, store", lap)

    def facts() -> dict:
        _finish_validation(checking, summary)
        shown = {"files": summary.files, "reports": summary.reports, "triples": summary.triples}
        if summary.violations is not None:
            shown["violations"] = summary.violations
        return shown

    write_overview_pages(staging, facts)
    write_manifest(staging, written)
    summary.lap("validation, overview pages", lap)


def _write_texts(reports: list[Report], folder: Path) -> None:
    """The plain text of each HTML, DOCX or PDF input among one file's reports (after resolution: the text
    as written), which its offsets index (the vocabulary's contract: "the plain text extracted from it,
    kept beside the graph"). Written with ``newline=''`` so that the saved text is the text the offsets
    count. No such input in the build: no folder, and the last build's goes."""
    texts = {r.source.name if r.source.iri_stem is None else r.source.iri_stem + r.source.path.suffix: r.source.text
             for r in reports if needs_text_copy(r.source.path)}
    for name, text in sorted(texts.items()):
        folder.mkdir(exist_ok=True)
        with open(folder / f"{name}.txt", "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


def _finish_validation(checking: Future | None, summary: BuildSummary) -> None:
    """The count of violations into ``summary``; a checker that failed is reported, not fatal."""
    if checking is None:
        return
    try:
        summary.violations = checking.result().count
    except Exception as exc:
        summary.validation = f"failed: {' '.join(str(exc).split())[:200]}"


def _start_validation(structure: bytes, summary: BuildSummary) -> Future | None:
    """Check the graph's structure against the SHACL shapes while the outputs are written.

    Every shape but the per-mention ones (``kg.validate.MENTION_SHAPES``): those read four fifths of the
    triples, cost the build more than all the rest of its writing, and check what the RDF mapping makes
    true by construction (offsets from a ``Span``, the surface sliced from the text). ``kg validate``
    checks them too. pySHACL takes ten seconds or more even so; with it the build leaves the check to
    ``kg validate``."""
    from .validate import default_engine, start_validation

    engine = default_engine()
    if engine != "turbo":
        summary.validation = f"skipped ({engine} is slow on a whole corpus): run kg validate"
        return None
    summary.validation = f"{engine}, all shapes but the per-mention ones"
    return start_validation(structure, engine=engine, structure_only=True)


def _previous_manifest(out_dir: Path) -> dict | None:
    """The last build's manifest when its store is there to be updated; None means: write the store anew."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT \
            or not isinstance(manifest.get("graphs"), dict) or not is_store(out_dir / "store"):
        return None
    return manifest


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """Replace each output of a previous build by the new one, and remove an output this build did not
    write (``text/`` when no input needed it); other files in ``out_dir`` are kept.

    The old manifest goes first and the new one comes last, so an interrupted move leaves no manifest
    describing a store it does not match: the next build then writes its store anew."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "manifest.json").unlink(missing_ok=True)
    for name in OUTPUTS:
        new, old = staging / name, out_dir / name
        if old.is_dir() and not old.is_symlink():
            old.rename(staging / f"old-{name}")  # removed with the staging folder
        elif old.exists() or old.is_symlink():
            old.unlink()
        if new.exists():
            new.rename(old)
