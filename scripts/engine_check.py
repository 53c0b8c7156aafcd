"""Count the formula cells each spreadsheet engine computes differently from the cached (model) values.

    python scripts/engine_check.py [--keep DIR] [--no-libreoffice] [--no-qitxl]

Writes the English and Chinese ranking workbooks and every workbook of workbooks/scenarios.toml
to a temporary folder (or DIR), recalculates each with Gnumeric (``ssconvert --recalc``), qitxl's
own evaluator (the one ``qitxl eval`` uses, every formula from the inputs) and, unless told not
to, LibreOffice, and prints per workbook the number of formula cells and how many of them each
engine gets wrong (a different value to 1e-9, or an error; cells qitxl's evaluator refuses are
counted apart). The tests (tests/test_engines.py) require zero wrong everywhere; this script
gives the figures, e.g. for a before/after comparison on two checkouts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOL = 1e-9
REFUSED = "refused"   # qitxl's evaluator declined the cell (it never guesses): counted apart from wrong values


def _same(a: object, b: object) -> bool:
    a, b = (None if a == "" else a), (None if b == "" else b)
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(a - b) <= TOL
    return a == b


def _bad(got: object, expected: object) -> bool:
    return (isinstance(got, str) and got.startswith("#")) or not _same(got, expected)


def workbooks(out: Path) -> list[Path]:
    """The standard workbooks and every bundled scenario's, written to ``out``."""
    from qitxl.batch import run_scenario
    from qitxl.scenarios import load_scenarios
    from qitxl.workbook import build

    paths = [build(out / f"standard-{lang}.xlsx", lang=lang, force=True) for lang in ("en", "zh")]
    for sc in load_scenarios(ROOT / "workbooks" / "scenarios.toml", out):
        run_scenario(sc, force=True)
        paths.append(sc.output)
    return paths


def formula_cells(path: Path) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], object]]:
    """(sheet, cell) -> formula, and (sheet, cell) -> cached value, for every formula cell."""
    import openpyxl

    forms, values = {}, {}
    for data_only, into in ((False, forms), (True, values)):
        wb = openpyxl.load_workbook(path, data_only=data_only)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if data_only or (isinstance(c.value, str) and c.value.startswith("=")):
                        into[(ws.title, c.coordinate)] = c.value
        wb.close()
    return forms, {k: values.get(k) for k in forms}


def by_spreadsheet(path: Path, out: Path, engine: str) -> dict[tuple[str, str], object]:
    """Values after recalculation by Gnumeric or LibreOffice (the test harnesses do the work)."""
    from tests import gnumeric, libreoffice

    harness = gnumeric if engine == "gnumeric" else libreoffice
    recalc = harness.recalculate(path, out / engine)
    return {(sheet, addr): v for sheet, cells in libreoffice.read_values(recalc).items() for addr, v in cells.items()}


def by_qitxl(path: Path) -> dict[tuple[str, str], object]:
    """Values computed by qitxl's evaluator, every formula recalculated from the inputs (errors as codes)."""
    from qitxl.cellrefs import address
    from qitxl.errors import XlError
    from tests.test_engines import evaluate_every_formula

    out = {}
    for qc in evaluate_every_formula(path):
        v = qc.value
        out[(qc.sheet, address(qc.row, qc.col))] = REFUSED if qc.problem else v.code if isinstance(v, XlError) else v
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--keep", metavar="DIR", help="write the workbooks here (kept) instead of a temporary folder")
    p.add_argument("--no-libreoffice", action="store_true")
    p.add_argument("--no-qitxl", action="store_true", help="leave out qitxl's own evaluator")
    args = p.parse_args(argv)
    engines = ["gnumeric"] + ([] if args.no_libreoffice else ["libreoffice"]) + ([] if args.no_qitxl else ["qitxl"])
    with tempfile.TemporaryDirectory(prefix="qitxl-engines-") as tmp:
        out = Path(args.keep) if args.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        totals = dict.fromkeys(["cells", *engines], 0)
        print(f"{'workbook':26} {'formula cells':>13} " + " ".join(f"{e:>11}" for e in engines))
        for path in workbooks(out / "src"):
            forms, cached = formula_cells(path)
            row = [len(forms)]
            for engine in engines:
                if engine == "qitxl":
                    got = by_qitxl(path)
                    refused = sum(got.get(k) is REFUSED for k in forms)
                    wrong = sum(got.get(k) is not REFUSED and _bad(got.get(k), cached[k]) for k in forms)
                    totals["qitxl refused"] = totals.get("qitxl refused", 0) + refused
                else:
                    got = by_spreadsheet(path, out, engine)
                    wrong = sum(_bad(got.get(k), cached[k]) for k in forms)
                row.append(wrong)
            for k, v in zip(["cells", *engines], row, strict=True):
                totals[k] += v
            print(f"{path.stem:26} {row[0]:>13} " + " ".join(f"{v:>11}" for v in row[1:]))
        print(f"{'total':26} {totals['cells']:>13} " + " ".join(f"{totals[e]:>11}" for e in engines))
        if "qitxl" in engines:
            print(f"qitxl refused (left as cached, never guessed): {totals.get('qitxl refused', 0)} cells")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
