"""The form of a cache entry (kg.cache.dumps/loads): reports pickled without the source they are given."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kg.cache import dumps, loads
from kg.model import Source
from kg.resolve import ORIGINAL_SOURCE
from conftest import make_reports

WRITTEN = "中共辽宁省商務廳黨組關於巡視整改進展情況的通報\n根據省委統一部署，省委第八巡視組對省商務廳黨組進行了巡視。\n"
MATCHED = "中共辽宁省商务厅党组关于巡视整改进展情况的通报\n根据省委统一部署，省委第八巡视组对省商务厅党组进行了巡视。\n"


def test_an_entry_leaves_out_the_source_it_is_given_and_keeps_any_other() -> None:
    reports = make_reports(MATCHED, "a.txt")  # a Traditional file, matched in Simplified, as the build keeps it
    assert len(reports) == 1
    written = Source(Path("a.txt"), WRITTEN)
    for report in reports:
        report.meta[ORIGINAL_SOURCE] = written
        report.add("Unit", "省商务厅", None, scope="global")

    data = dumps(reports, written)
    assert WRITTEN.encode() not in data and MATCHED.encode() in data

    read_again = Source(Path("a.txt"), WRITTEN)
    back = loads(data, read_again)
    assert [r.span for r in back] == [r.span for r in reports]
    assert all(r.meta[ORIGINAL_SOURCE] is read_again for r in back)  # the very object given
    assert all(r.source.text == MATCHED and r.source is not read_again for r in back)
    assert [t.label for r in back for t in r.things] == ["省商务厅"] * len(reports)
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)  # without its source, an entry cannot be read
