"""The progress bar of long work (reading, extracting, writing), on stderr, gone when the work is done."""
from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(enabled: bool) -> Progress:
    """A rich bar (use as a context manager; ``add_task``/``advance``); a silent one when not ``enabled``.

    It refreshes from a thread of its own: start it only after any fork (kg.engines, kg.write)."""
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), transient=True, disable=not enabled)
