"""Read input files into ``Source`` texts, and find the files an input path stands for.

Offsets index the decoded text exactly as ``open(path, encoding=…, newline='')`` reads it (line endings
kept), which is what users slice with ``xs:start``/``xs:end``. The encoding is UTF-8 (with or without BOM)
when the bytes decode as such; otherwise charset-normalizer decides — no guessing in our code.
"""
from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from .model import Source

SUFFIXES = (".txt",)


class UnreadableInput(Exception):
    """An input that cannot be read as a report; the message is one line saying why."""


def discover(inputs: list[Path]) -> list[Path]:
    """The files to build: each file given, and every ``*.txt`` below each folder given, sorted, once."""
    found: dict[Path, None] = {}
    for item in inputs:
        if item.is_dir():
            for path in sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
                found.setdefault(path, None)
        elif item.exists():
            found.setdefault(item, None)
        else:
            raise FileNotFoundError(f"no such file or folder: {item}")
    return list(found)


def detect_encoding(data: bytes) -> str:
    """The encoding to read ``data`` with: utf-8-sig/utf-8 if it decodes, else charset-normalizer's best."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableInput("not text in any encoding we can detect (binary file?)")
    return best.encoding


def read_source(path: Path) -> Source:
    """Read one file; raise ``UnreadableInput`` with a one-line reason when it is no usable text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableInput("empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableInput("binary file (NUL bytes), not a text report")
    encoding = detect_encoding(data)
    with open(path, encoding=encoding, newline="") as fh:
        text = fh.read()
    return Source(path, text)
