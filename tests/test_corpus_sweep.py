"""The corpus sweep over Excel-saved workbooks finds no formula whose value eval would get wrong.

The corpus lives beside the repository (``../shared/corpus``), as in CI, or where QITXL_CORPUS
says; a clone without it skips this one test, with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("QITXL_CORPUS") or Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")


def _sweep_module():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus_sweep.py"
    spec = importlib.util.spec_from_file_location("corpus_sweep", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_sweep"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_no_different_values_and_98_percent_reproduced():
    sweep = _sweep_module().run(CORPUS)
    totals = sweep.totals
    assert sum(totals.values()) > 1000, "the corpus should hold thousands of formula cells"
    assert totals["different"] == 0, "\n".join(sweep.different[:20])
    evaluated = totals["reproduced"] + totals["different"]
    assert totals["reproduced"] >= 0.98 * evaluated


def test_sweep_counts_features_and_compares_like_excel():
    m = _sweep_module()
    from qitxl import cellrefs
    from qitxl.errors import XlError

    assert m.features(cellrefs.tokenize('IF(A1<>"",SUM(B1:B2)&"x",-1)')) >= {"IF", "SUM", "<>", "&", "-"}
    assert m.same(0.30000000000000004, 0.3) and not m.same(0.31, 0.3)
    assert m.same(XlError("#N/A", "why"), XlError("#N/A")) and not m.same(1.0, True)
    assert m._on_cycles({"a": ["b"], "b": ["a"], "c": ["a"]}) == {"a", "b"}
