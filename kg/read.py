"""Read input files into ``Source`` texts, and find the files an input path stands for.

Inputs, by suffix (case-insensitive):

* ``.txt`` — plain text. Offsets index the decoded text exactly as ``open(path, encoding=…, newline='')``
  reads it (line endings kept), which is what users slice with ``xs:start``/``xs:end``.
* ``.html``/``.htm`` — the page's main text, as trafilatura extracts it (tables kept; navigation, footer,
  comments and other boilerplate dropped). The bytes go to trafilatura, which honours a declared
  ``<meta charset>`` (GB2312 pages are common).
* ``.docx`` — python-docx: the body's paragraphs and tables in document order; a table row is one line,
  its cells joined by a tab (a merged cell once). Headers, footers and text boxes are left out.
* ``.pdf`` — pypdf, ``page.extract_text()`` page by page, pages joined by a newline. A PDF without a text
  layer (a scan) is ``UnreadableInput("no text layer (scanned?)")``; there is no OCR.
* ``.doc`` — found, so that it is reported, but ``UnreadableInput("old Word format: save it as .docx")``.

For HTML, DOCX and PDF ``Source.text`` is the extracted plain text, and offsets index it: the build keeps
it beside the graph (``needs_text_copy``). ``Source.name`` stays the original file's name.

Encoding of ``.txt`` files, in this order:

1. a UTF-8 BOM → ``utf-8-sig``; bytes that decode as UTF-8 → ``utf-8``;
2. otherwise charset-normalizer, restricted (``cp_isolation``) to the encodings Chinese reports come in:
   UTF-16/UTF-32 (with a BOM: without one the NUL bytes make the file "binary"), GB18030 (which reads
   GB2312 and GBK) and Big5/CP950. Unrestricted, it takes short Chinese texts for CP949 (Korean) or
   Big5-HKSCS (which reads the circled numbers ①②③ as kana);
3. when charset-normalizer's best matches are a tie by its own measures (chaos within 0.005 and coherence
   within 0.02 — it has no Chinese language model for short texts, and Big5 bytes are nearly always valid
   GBK), GB18030 wins: these are mainland reports. This only happens for a few characters of text;
4. when no Chinese encoding fits, charset-normalizer unrestricted; when nothing fits, ``UnreadableInput``.

Traditional Chinese is read as it is: ``Source.text`` is never converted, so offsets and labels stay the
document's own. ``is_traditional(text)`` tells such a text apart, and ``to_simplified(text)`` gives its
Simplified form one character for one (``len(out) == len(text)``, so an offset into one is an offset into
the other): each character alone through OpenCC's ``t2s`` (no phrase can match a single character, so this
is its character table), cached per character.
"""
from __future__ import annotations

import re
from collections import Counter

from pathlib import Path

from charset_normalizer import from_bytes

from .model import Source

PLAIN_SUFFIXES = (".txt",)
EXTRACTED_SUFFIXES = (".html", ".htm", ".docx", ".pdf")  # Source.text is text extracted from the file
SUFFIXES = PLAIN_SUFFIXES + EXTRACTED_SUFFIXES + (".doc",)  # .doc: found, to say why it is skipped

# charset-normalizer's candidates for a .txt that is not UTF-8, in the order ties are broken.
CHINESE_ENCODINGS = ("gb18030", "big5", "cp950", "utf_16", "utf_32")


class UnreadableInput(Exception):
    """An input that cannot be read as a report; the message is one line saying why."""


def discover(inputs: list[Path]) -> list[Path]:
    """The files to build: each file given, and every file below each folder given whose suffix is one of
    ``SUFFIXES`` (any case), sorted, once."""
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


def needs_text_copy(path: Path) -> bool:
    """Whether ``read_source(path).text`` is extracted from the file (HTML, DOCX, PDF) rather than the
    file's own decoded text, so that the build must keep a copy for offsets to be checkable."""
    return path.suffix.lower() in EXTRACTED_SUFFIXES


def detect_encoding(data: bytes) -> str:
    """The encoding to read ``data`` with; see the module docstring for the rule."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(data, cp_isolation=list(CHINESE_ENCODINGS)))
    if matches:
        best = matches[0]
        tied = [m for m in matches if abs(m.chaos - best.chaos) < 0.005 and abs(m.coherence - best.coherence) <= 0.02]
        return min(tied, key=lambda m: _rank(m.encoding)).encoding
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableInput("not text in any encoding we can detect (binary file?)")
    return best.encoding


def _rank(encoding: str) -> int:
    return CHINESE_ENCODINGS.index(encoding) if encoding in CHINESE_ENCODINGS else len(CHINESE_ENCODINGS)


def read_source(path: Path) -> Source:
    """Read one file; raise ``UnreadableInput`` with a one-line reason when it is no usable text."""
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise UnreadableInput("old Word format: save it as .docx")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableInput("empty file")
    if suffix in (".html", ".htm"):
        text = _html_text(data)
    elif suffix == ".docx":
        text = _docx_text(path)
    elif suffix == ".pdf":
        text = _pdf_text(path)
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnreadableInput("binary file (NUL bytes), not a text report")
        encoding = detect_encoding(data)
        with open(path, encoding=encoding, newline="") as fh:
            text = fh.read()
    if suffix != ".txt" and not text.strip():
        raise UnreadableInput("no text found in it")
    return Source(path, text)


def _html_text(data: bytes) -> str:
    import trafilatura

    try:
        text = trafilatura.extract(data, include_comments=False, include_tables=True, favor_recall=True,
                                   deduplicate=False)
    except Exception as exc:  # lxml on a page it cannot parse
        raise UnreadableInput(f"not a readable HTML page ({type(exc).__name__}: {exc})") from exc
    if not text or not text.strip():
        raise UnreadableInput("no main text found in the page")
    return text


def _docx_text(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise UnreadableInput("not a .docx file (not a Word package)") from exc
    except Exception as exc:  # a broken package can fail anywhere inside python-docx
        raise UnreadableInput(f"not a readable .docx ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    _docx_blocks(document, lines)
    return "\n".join(lines)


def _docx_blocks(container, lines: list[str]) -> None:
    """Append the paragraphs of ``container`` (a document or a cell), and each row of its tables as one
    tab-joined line, in document order."""
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                        continue
                    seen.add(id(cell._tc))
                    inner: list[str] = []
                    _docx_blocks(cell, inner)
                    cells.append(" ".join(part for part in inner if part.strip()))
                lines.append("\t".join(cells))
        else:
            lines.append(block.text)


def _pdf_text(path: Path) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on odd but readable PDFs are noise here
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableInput("encrypted PDF: save it without a password")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except UnreadableInput:
        raise
    except FileNotDecryptedError as exc:
        raise UnreadableInput("encrypted PDF: save it without a password") from exc
    except PdfReadError as exc:
        raise UnreadableInput(f"not a readable PDF ({exc})") from exc
    except Exception as exc:  # a damaged PDF can fail anywhere inside pypdf
        raise UnreadableInput(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not text.strip():
        raise UnreadableInput("no text layer (scanned?)")
    return text


# --- Traditional Chinese ----------------------------------------------------------------------------------

_T2S: dict[str, str] = {}  # a character → its Simplified character (itself when unchanged)
_converter = None


def _convertible(ch: str) -> bool:
    """Characters OpenCC could change: from the CJK radicals up, less surrogates (not UTF-8)."""
    cp = ord(ch)
    return cp >= 0x2E80 and not 0xD800 <= cp <= 0xDFFF


def _learn(chars: set[str]) -> None:
    """Fill ``_T2S`` for ``chars``: one OpenCC call, each character on a line of its own."""
    global _converter
    if _converter is None:
        import opencc
        _converter = opencc.OpenCC("t2s")
    batch = sorted(chars)
    out = _converter.convert("\n".join(batch)).split("\n")
    if len(out) != len(batch):  # never seen; then one call per character
        out = [_converter.convert(ch) for ch in batch]
    for ch, simple in zip(batch, out):
        _T2S[ch] = simple if len(simple) == 1 else ch


def to_simplified(text: str) -> str:
    """``text`` in Simplified characters, one character for one: ``len(result) == len(text)``, so offsets
    carry over. Character-level (OpenCC ``t2s`` applied to each character alone), never phrase-level."""
    new = {ch for ch in set(text) if ch not in _T2S and _convertible(ch)}
    if new:
        _learn(new)
    return "".join(_T2S.get(ch, ch) for ch in text)


TRADITIONAL_SHARE = 0.1  # Simplified reports: 0 of their Han characters change; Traditional: about 0.4


_NOT_HAN = re.compile("[^\u3400-\u9fff\U00020000-\U0003134f]+")


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in Traditional characters: more than ``TRADITIONAL_SHARE`` of its Han
    characters change under ``to_simplified``. Counted per distinct character (a report uses a few
    thousand), not per character of the text."""
    han = _NOT_HAN.sub("", text)
    if not han:
        return False
    counts = Counter(han)
    new = {ch for ch in counts if ch not in _T2S and _convertible(ch)}
    if new:
        _learn(new)
    changed = sum(n for ch, n in counts.items() if _T2S.get(ch, ch) != ch)
    return changed > TRADITIONAL_SHARE * len(han)
