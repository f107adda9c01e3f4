"""Where extraction runs: in the build's process, in a pool of worker processes, or on a Dask cluster.

Extraction is most of a build's time and is done report by report, each report on its own (resolution and
the RDF mapping look across reports and stay in the build's process). So an engine takes reports that
are split but not yet extracted and gives each back extracted, as soon as it is done, with its position
in the order taken. It takes them as they come (an iterable), only a few ahead of what it gives back, so
that the build reads its files as extraction goes rather than all first. What travels to a worker is the report with its file's text, so a cluster's workers need no
disk shared with the build; what comes back is the report pickled without its text (``kg.cache.dumps``),
which the build still has. Workers build the pipeline from its component names, so a custom component
must be registered (``@component``) in a module the workers import.

A report whose extraction raised comes back as an ``ExtractionFailed`` (its type and message), not as an
exception: the build skips that report's file with a one-line reason and goes on.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, islice
from typing import Iterable, Iterator, Protocol

from .cache import dumps, loads
from .model import Report
from .pipeline import Pipeline


@dataclass(frozen=True)
class ExtractionFailed:
    """Why one report could not be extracted: the exception's type name and message."""

    error: str
    message: str

    def __str__(self) -> str:
        return f"{self.error}: {self.message}"


Outcome = Report | ExtractionFailed
AHEAD = 4  # tasks waiting per worker: enough to keep it busy, few enough that reading follows extraction


class EngineError(RuntimeError):
    """The engine cannot run at all (no cluster at the address, a missing package): one line for the user."""


class Engine(Protocol):
    """Extracts reports and yields ``(position, outcome)`` for each, in the order they finish; every
    report of ``reports`` is taken before the last outcome is yielded."""

    description: str

    def extract(self, reports: Iterable[Report]) -> Iterator[tuple[int, Outcome]]: ...


def default_workers() -> int:
    """The cores this process may run on (a container's or ``taskset``'s limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def fork_is_safe() -> bool:
    """Whether this process may fork workers now: the platform has fork, no other thread runs (forking a
    threaded process can deadlock) and this process is no daemon (a daemon may have no children)."""
    return ("fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            and not multiprocessing.current_process().daemon)


# -- in this process --------------------------------------------------------------------------------

class InProcess:
    """Extraction in the build's own process: no start-up cost, no copies."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.description = "in this process"

    def extract(self, reports: Iterable[Report]) -> Iterator[tuple[int, Outcome]]:
        for position, report in enumerate(reports):
            yield position, _run(self.pipeline, report)


def _run(pipeline: Pipeline, report: Report) -> Outcome:
    try:
        pipeline(report)
    except Exception as exc:  # a bug met on an odd input must not cost the other files their build
        return ExtractionFailed(type(exc).__name__, " ".join(str(exc).split()))
    return report


# -- in worker processes ----------------------------------------------------------------------------

_pipelines: dict[tuple[str, ...], Pipeline] = {}  # in a worker: one pipeline per list of names, made once


def extract_pickled(report: Report, names: tuple[str, ...]) -> bytes | ExtractionFailed:
    """A worker's task: extract one report and send it back without its text (``kg.cache.dumps``)."""
    pipeline = _pipelines.get(names)
    if pipeline is None:
        pipeline = _pipelines[names] = Pipeline(names)
    outcome = _run(pipeline, report)
    return outcome if isinstance(outcome, ExtractionFailed) else dumps(outcome, report.source)


def _received(data: bytes | ExtractionFailed, sent: Report) -> Outcome:
    """A worker's answer as an outcome: the extracted report, sharing the text of the one sent."""
    return data if isinstance(data, ExtractionFailed) else loads(data, sent.source)


class ProcessPool:
    """Extraction in ``workers`` processes on this machine, one report per task.

    Workers are forked where the platform can and no other thread is running (forking a threaded process
    can deadlock), so they start at once with the code already imported; else they are spawned, which
    costs each about a second of imports. The pool is shut down with the pending tasks cancelled however
    the build ends, Ctrl-C included.
    """

    def __init__(self, workers: int, pipeline: Pipeline) -> None:
        if workers < 1:
            raise EngineError("--workers must be 1 or more")
        self.workers, self.pipeline, self.names = workers, pipeline, tuple(pipeline.names)
        self.description = f"{workers} worker processes"

    def extract(self, reports: Iterable[Report]) -> Iterator[tuple[int, Outcome]]:
        """Extract the first report here, then start the workers and submit the next few now; the iterator
        yields the outcomes, the first one first, and submits a report for each outcome it yields.

        The first report loads every table the pipeline loads on first use (jieba's dictionary and tags,
        the lexicons' patterns: seconds of CPU), so forked workers inherit them, and the pipeline itself,
        instead of loading them each. Submitting here rather than on the first ``next`` lets the caller
        start a progress bar (a thread) afterwards: forking must happen while this process has one thread.
        Only ``AHEAD`` tasks per worker wait at a time, so that reports are read as they are extracted."""
        pending = enumerate(reports)
        head = list(islice(pending, self.workers + 1))
        if len(head) < 3:  # a pool would only add its start-up
            return InProcess(self.pipeline).extract(report for _, report in head)
        first = _run(self.pipeline, head[0][1])
        forkable = fork_is_safe()
        if forkable:
            _pipelines[self.names] = self.pipeline  # what a forked worker finds, warm
        context = multiprocessing.get_context("fork" if forkable else "spawn")
        workers = min(self.workers, len(head) - 1)
        pool = ProcessPoolExecutor(workers, mp_context=context)
        pending = chain(head[1:], pending)
        try:
            futures = {pool.submit(extract_pickled, report, self.names): (i, report)
                       for i, report in islice(pending, AHEAD * workers)}
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        return self._outcomes(pool, futures, pending, first)

    def _outcomes(self, pool: ProcessPoolExecutor, futures: dict, pending: Iterator[tuple[int, Report]],
                  first: Outcome) -> Iterator[tuple[int, Outcome]]:
        try:
            yield 0, first
            first = None  # the caller has it: hold no outcome here (a build keeps none for long)
            while futures:
                finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in finished:
                    position, report = futures.pop(future)
                    try:
                        outcome = _received(future.result(), report)
                    except BrokenProcessPool as exc:
                        raise EngineError(f"a worker process died ({exc}); was it out of memory? "
                                          "try fewer --workers") from None
                    for i, more in islice(pending, 1):
                        futures[pool.submit(extract_pickled, more, self.names)] = (i, more)
                    yield position, outcome
        finally:  # however the build ends, Ctrl-C or an error: no task left to run, no worker left behind
            pool.shutdown(wait=True, cancel_futures=True)


# -- on a Dask cluster ------------------------------------------------------------------------------

class DaskCluster:
    """Extraction as tasks on a Dask distributed cluster, one per report.

    The scheduler's address is what ``dask scheduler`` prints (``tcp://host:8786``). Workers need ``kg``
    installed, at the version the build runs: a task runs the workers' code on the text sent to it.
    """

    def __init__(self, scheduler: str, names: Iterable[str], *, connect_timeout: float = 30) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise EngineError("the dask engine needs the distributed package: "
                              "pip install 'xunshi-kg[dask]'") from None
        self.scheduler, self.names, self.connect_timeout = scheduler, tuple(names), connect_timeout
        self.description = f"Dask cluster at {scheduler}"

    def extract(self, reports: Iterable[Report]) -> Iterator[tuple[int, Outcome]]:
        """Connect and submit the first reports now (a connection error is raised here); the iterator
        yields the outcomes and submits a report for each. ``AHEAD`` tasks per worker thread wait at a
        time, so that reports are read as they are extracted."""
        from distributed import Client

        try:
            client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler}: "
                              f"{' '.join(str(exc).split()) or type(exc).__name__}") from None
        pending = enumerate(reports)
        try:
            window = AHEAD * max(2, sum(client.nthreads().values()))
            futures = {}
            for i, report in islice(pending, window):
                future = self._submit(client, report)
                futures[future.key] = (future, i, report)
        except BaseException:
            client.close()
            raise
        return self._outcomes(client, futures, pending)

    def _submit(self, client, report: Report):
        # pure=False: two reports with equal text are still two tasks, each with its own answer
        return client.submit(extract_pickled, report, names=self.names, pure=False)

    def _outcomes(self, client, futures: dict, pending: Iterator[tuple[int, Report]]) -> Iterator[tuple[int, Outcome]]:
        from distributed import as_completed as finished

        try:
            running = finished([future for future, _, _ in futures.values()], loop=client.loop)  # nobody's default
            for future in running:
                _, i, report = futures.pop(future.key)
                outcome = _received(future.result(), report)
                for j, more in islice(pending, 1):
                    submitted = self._submit(client, more)
                    futures[submitted.key] = (submitted, j, more)
                    running.add(submitted)
                yield i, outcome
        finally:
            client.cancel([future for future, _, _ in futures.values()])
            client.close()


def engine_for(name: str, *, pipeline: Pipeline, workers: int | None = None,
               scheduler: str | None = None) -> Engine:
    """The engine a build asked for by name: ``local`` (``workers`` processes; 1 means this process) or
    ``dask`` (the cluster at ``scheduler``)."""
    if name == "dask":
        if not scheduler:
            raise EngineError("--engine dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
        return DaskCluster(scheduler, pipeline.names)
    if name != "local":
        raise EngineError(f"unknown engine {name!r}: use local or dask")
    if scheduler:
        raise EngineError("--scheduler is for --engine dask")
    workers = default_workers() if workers is None else workers
    if workers == 1:
        return InProcess(pipeline)
    return ProcessPool(workers, pipeline)


__all__ = ["Engine", "EngineError", "ExtractionFailed", "InProcess", "ProcessPool", "DaskCluster", "engine_for",
           "default_workers", "extract_pickled", "fork_is_safe"]
