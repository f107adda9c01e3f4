"""Writing outputs whole or not at all: a reader sees the old file (or folder) or the complete new one.

Every output goes through here: pages, exports, cache entries, the store and the CSV tables. A new file is
written to a temporary sibling and renamed over the old one; a new folder is built beside its target
and swapped in, the old one kept until the new one is in place.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO, Callable


def write_atomic(path: Path, content: bytes | Callable[[BinaryIO], None], *, mode: int = 0o644) -> None:
    """Write ``content`` (bytes, or a function writing to the binary file it is given) to ``path``.

    ``mode``: mkstemp makes the file private; an output should be as readable as any other file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(content, (bytes, bytearray)):
                f.write(content)
            else:
                content(f)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def swap_into_place(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``; the old ``target`` is removed only once ``new`` is there.

    On failure the old folder is put back and ``new`` removed."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except BaseException:
        if old.exists():
            old.rename(target)
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["write_atomic", "swap_into_place"]
