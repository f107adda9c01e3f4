"""Where extraction runs: in the build's process, in a pool of worker processes, or on a Dask cluster.

Extraction is most of a build's time and is done report by report, each report on its own (resolution and
the RDF mapping look across reports and stay in the build's process). So an engine takes reports that
are split but not yet extracted and gives each back extracted, as soon as it is done, with its position
in the list. What travels to a worker is the report with its file's text, so a cluster's workers need no
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
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

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


class EngineError(RuntimeError):
    """The engine cannot run at all (no cluster at the address, a missing package): one line for the user."""


class Engine(Protocol):
    """Extracts reports and yields ``(position, outcome)`` for each, in the order they finish."""

    description: str

    def extract(self, reports: Sequence[Report]) -> Iterator[tuple[int, Outcome]]: ...


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

    def extract(self, reports: Sequence[Report]) -> Iterator[tuple[int, Outcome]]:
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

    def extract(self, reports: Sequence[Report]) -> Iterator[tuple[int, Outcome]]:
        """Extract the first report here, then start the workers and submit the rest now; the iterator
        yields the outcomes, the first one first.

        The first report loads every table the pipeline loads on first use (jieba's dictionary and tags,
        the lexicons' patterns: seconds of CPU), so forked workers inherit them, and the pipeline itself,
        instead of loading them each. Submitting here rather than on the first ``next`` lets the caller
        start a progress bar (a thread) afterwards: forking must happen while this process has one thread."""
        if len(reports) < 3:  # a pool would only add its start-up
            return InProcess(self.pipeline).extract(reports)
        first = _run(self.pipeline, reports[0])
        forkable = fork_is_safe()
        if forkable:
            _pipelines[self.names] = self.pipeline  # what a forked worker finds, warm
        context = multiprocessing.get_context("fork" if forkable else "spawn")
        pool = ProcessPoolExecutor(min(self.workers, len(reports) - 1), mp_context=context)
        try:
            futures = {pool.submit(extract_pickled, report, self.names): i
                       for i, report in enumerate(reports) if i > 0}
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        return self._outcomes(pool, futures, reports, first)

    @staticmethod
    def _outcomes(pool: ProcessPoolExecutor, futures: dict, reports: Sequence[Report],
                  first: Outcome) -> Iterator[tuple[int, Outcome]]:
        try:
            yield 0, first
            first = None  # the caller has it: hold no outcome here (a build keeps none for long)
            for future in as_completed(futures):
                position = futures.pop(future)
                try:
                    yield position, _received(future.result(), reports[position])
                except BrokenProcessPool as exc:
                    raise EngineError(f"a worker process died ({exc}); was it out of memory? try fewer --workers") \
                        from None
        finally:  # however the build ends, Ctrl-C or an error: no task left to run, no worker left behind
            pool.shutdown(wait=True, cancel_futures=True)


# -- on a Dask cluster ------------------------------------------------------------------------------

class DaskCluster:
    """Extraction as tasks on a Dask distributed cluster, one per report.

    The scheduler's address is what ``dask scheduler`` prints (``tcp://host:8786``). Workers need ``kg``
    installed, at the version the build runs: a task runs the workers' code on the text sent to it.
    """

    def __init__(self, scheduler: str, names: Sequence[str], *, connect_timeout: float = 30) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise EngineError("the dask engine needs the distributed package: "
                              "pip install 'xunshi-kg[dask]'") from None
        self.scheduler, self.names, self.connect_timeout = scheduler, tuple(names), connect_timeout
        self.description = f"Dask cluster at {scheduler}"

    def extract(self, reports: Sequence[Report]) -> Iterator[tuple[int, Outcome]]:
        """Connect and submit every report now (a connection error is raised here); the iterator yields."""
        from distributed import Client

        try:
            client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler}: "
                              f"{' '.join(str(exc).split()) or type(exc).__name__}") from None
        try:
            # pure=False: two reports with equal text are still two tasks, each with its own answer
            futures = client.map(extract_pickled, list(reports), names=self.names, pure=False)
        except BaseException:
            client.close()
            raise
        return self._outcomes(client, futures, reports)

    @staticmethod
    def _outcomes(client, futures: list, reports: Sequence[Report]) -> Iterator[tuple[int, Outcome]]:
        from distributed import as_completed as finished

        position = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in finished(futures, loop=client.loop):  # our client is nobody's default
                i = position[future.key]
                yield i, _received(future.result(), reports[i])
        finally:
            client.cancel(futures)
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
