"""How the build arranges Python's garbage collector: it keeps big long-lived data and makes millions of
short-lived objects, none in a cycle, and each collection those set off would walk the long-lived data
again for nothing. Two arrangements, one per need."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def older_objects_frozen() -> Iterator[Callable[[], None]]:
    """``freeze()`` makes the collector skip every object made so far, until the block ends.

    What a build keeps (the pipeline's tables, the merged shared things) lives until its end; freezing it
    also spares forked workers (kg.write) copying the memory pages a collection would touch. A caller that
    froze objects itself (before forking this process, say) keeps its own arrangement: then this does
    nothing."""
    if gc.get_freeze_count():
        yield lambda: None
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection in the block (the collector as it was after it).

    Drawing a page makes tens of thousands of short-lived tuples, lists and dicts, none in a cycle; each
    collection they set off would walk every younger object of the build for nothing (a tenth of the
    pages' time). Pickling is worse: a pickler (or unpickler) holds every object it has met in its memo,
    and each collection walks all of them while it is young; pickling the seeds' cache entries took 2.6
    times as long with the collector on. What the block leaves in a cycle is collected after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


__all__ = ["older_objects_frozen", "collector_paused"]
