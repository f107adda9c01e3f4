"""Shared fixtures: handmade reports for unit tests, and the seed corpus built once for end-to-end tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import Source
from kg.split import split_reports

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def make_reports(text: str, name: str = "snippet.txt"):
    """Split a handmade text into reports, as the build does (no extraction)."""
    return split_reports(Source(Path(name), text))


def make_report(text: str, name: str = "snippet.txt"):
    reports = make_reports(text, name)
    assert len(reports) == 1, f"expected one report, got {len(reports)}"
    return reports[0]


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """Build the whole seed corpus once; yields (out_dir, summary)."""
    from kg.build import build_corpus

    out = tmp_path_factory.mktemp("seed-build")
    summary = build_corpus([SEEDS], out, progress=False)
    return out, summary
