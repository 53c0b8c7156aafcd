"""Sweep Excel-saved workbooks: how many formula cells does eval's engine reproduce exactly?

Every formula cell of every workbook in the folder (default ``../shared/corpus`` relative to the
repository) is evaluated with the machinery ``qitxl eval`` uses, reading Excel's saved values as
inputs, and compared with the value Excel saved. Each cell is *reproduced* (same value), *different*
(the engine computed another value: a silent error if eval wrote it) or *refused* (the engine said
it cannot compute it faithfully, and why). Figures are printed overall and per function/operator.

Run: ``python benchmarks/corpus_sweep.py [FOLDER] [--show-different] [--show-refused]``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qitxl import cellrefs
from qitxl.errors import XlError
from qitxl.existing import Book, formula_cells
from qitxl.xlsxzip import InputError, read_package

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
_OPS = ("<>", "<=", ">=", "=", "<", ">", "&", "+", "-", "*", "/", "^", "%")


@dataclass
class Sweep:
    """Counts of the sweep, overall and per feature (function name or operator)."""

    totals: Counter[str] = field(default_factory=Counter)
    per_feature: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    different: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: str, features: set[str], detail: str) -> None:
        self.totals[outcome] += 1
        for f in features:
            self.per_feature[f][outcome] += 1
        if outcome == "different":
            self.different.append(detail)
        elif outcome == "refused":
            self.refused.append(detail)


def features(tokens: list[cellrefs.Token]) -> set[str]:
    """Functions called and operators used by a tokenised formula."""
    out: set[str] = set()
    toks = [t for t in tokens if not (t.kind == "other" and t.text.isspace())]
    for i, t in enumerate(toks):
        if t.kind == "word" and i + 1 < len(toks) and toks[i + 1].text == "(":
            out.add(cellrefs.function_name(t.text))
        elif t.kind == "other":
            two = t.text + (toks[i + 1].text if i + 1 < len(toks) else "")
            if two in ("<>", "<=", ">="):
                out.add(two)
            elif t.text in _OPS and not (i and toks[i - 1].text in "<>" and t.text in "=>"):
                out.add(t.text)
    return out


def same(got: Any, want: Any) -> bool:
    """Excel's saved value and ours agree (numbers to 15 significant digits)."""
    if isinstance(got, list):
        return False
    if isinstance(want, XlError) or isinstance(got, XlError):
        return isinstance(want, XlError) and isinstance(got, XlError) and want.code == got.code
    if isinstance(want, bool) or isinstance(got, bool):
        return type(want) is type(got) and want == got
    if isinstance(want, float) and isinstance(got, float):
        return got == want or math.isclose(got, want, rel_tol=1e-14, abs_tol=1e-300) or \
            f"{got:.15g}" == f"{want:.15g}"
    if want is None:
        return got == "" or got is None
    return got == want


def sweep_file(path: Path, sweep: Sweep) -> None:
    """Evaluate every formula cell of one workbook against Excel's saved values."""
    try:
        book = Book(read_package(path))
    except InputError as exc:
        print(f"skip {path.name}: {exc}", file=sys.stderr)
        return
    cells = list(_cells(book))
    cyclic = circular(book, cells)
    for sheet, row, col, text, attrs in cells:
        where = f"{path.name}!{sheet}!{cellrefs.address(row, col)} ={text}"
        try:
            tokens = cellrefs.tokenize(text)
        except cellrefs.FormulaSyntaxError:
            sweep.add("refused", set(), where + "  [syntax]")
            continue
        feats = features(tokens)
        if (sheet, row, col) in cyclic:
            sweep.reasons["circular reference (Excel iterates)"] += 1
            sweep.add("refused", feats, where + "  -> circular reference")
            continue
        want = book.value(sheet, row, col)
        outcome, detail = _one(book, sheet, row, col, text, tokens, attrs, want)
        if outcome == "refused":
            sweep.reasons[detail.split(" (")[0][:90]] += 1
        sweep.add(outcome, feats, f"{where}  -> {detail}")


def _one(book: Book, sheet: str, row: int, col: int, text: str, tokens: list[cellrefs.Token],
         attrs: dict[str, str], want: Any) -> tuple[str, str]:
    from qitxl.engine import Unsupported

    book.current.append(sheet)
    try:
        got = book.evaluate_formula(text, row, col, tokens, attrs)
    except Unsupported as exc:
        return "refused", str(exc)
    except RecursionError:
        return "refused", "nests too deeply"
    finally:
        book.current.pop()
    if isinstance(got, list):
        h, w = len(got), len(got[0]) if got else 0
        ref = attrs.get("ref")
        if attrs.get("t") == "array" and ref:
            r1, c1, r2, c2 = cellrefs.parse_range(ref)
            want_arr = [[book.value(sheet, r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
            ok = all(same(_fit(got, i, j), want_arr[i][j])
                     for i in range(len(want_arr)) for j in range(len(want_arr[0])))
            return ("reproduced" if ok else "different"), f"{got!r:.120} vs {want_arr!r:.120}"
        got = got[0][0] if h == 1 and w == 1 else got
    ok = same(got, want)
    return ("reproduced" if ok else "different"), f"got {got!r:.80} want {want!r:.80}"


def _fit(got: list[list[Any]], i: int, j: int) -> Any:
    """What a legacy array formula's range shows at (i, j): a single row or column is repeated,
    cells beyond the result are #N/A."""
    h, w = len(got), len(got[0])
    i, j = (0 if h == 1 else i), (0 if w == 1 else j)
    return got[i][j] if i < h and j < w else XlError("#N/A")


def circular(book: Book, cells: list[tuple[str, int, int, str, dict[str, str]]]) -> set[tuple[str, int, int]]:
    """Formula cells on a reference cycle (Excel computes those by iteration, if at all)."""
    from qitxl.dependents import precedents

    by_sheet: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for sheet, r, c, _, _ in cells:
        by_sheet[sheet.upper()].add((r, c))
    names = {sheet.upper(): sheet for sheet, *_ in cells}
    graph: dict[tuple[str, int, int], list[tuple[str, int, int]]] = {}
    for sheet, r, c, text, _ in cells:
        try:
            rects = precedents(book, sheet, cellrefs.tokenize(text))
        except (cellrefs.FormulaSyntaxError, LookupError):
            rects = []
        out = []
        for s, r1, c1, r2, c2 in rects:
            for rr, cc in by_sheet.get(s, ()):
                if r1 <= rr <= r2 and c1 <= cc <= c2:
                    out.append((names[s], rr, cc))
        graph[(sheet, r, c)] = out
    return _on_cycles(graph)


def _on_cycles(graph: dict[Any, list[Any]]) -> set[Any]:
    """Nodes in a strongly connected component with a cycle (iterative Tarjan)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    out: set[Any] = set()
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, k = work.pop()
            if k == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = graph.get(node, [])
            if k < len(succ):
                work.append((node, k + 1))
                nxt = succ[k]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.append(x)
                    if x == node:
                        break
                if len(comp) > 1 or node in graph.get(node, []):
                    out.update(comp)
    return out


def _cells(book: Book) -> Iterator[tuple[str, int, int, str, dict[str, str]]]:
    for info in book.info.sheets:
        if not info.part:
            continue
        try:
            book.sheet(info.name)
        except (InputError, LookupError):
            continue
        for row, col, text, attrs in formula_cells(book, info.name):
            yield info.name, row, col, text, attrs


def run(folder: Path) -> Sweep:
    """Sweep every .xlsx/.xlsm under ``folder``."""
    sweep = Sweep()
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")):
        sweep_file(path, sweep)
    return sweep


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


def report(sweep: Sweep, out: Any = sys.stdout) -> None:
    t = sweep.totals
    total = sum(t.values())
    evaluated = t["reproduced"] + t["different"]
    print(f"formula cells: {total}", file=out)
    for k in ("reproduced", "different", "refused"):
        print(f"  {k:<11} {t[k]:>6}  {_pct(t[k], total)}", file=out)
    print(f"  reproduced among evaluated: {_pct(t['reproduced'], evaluated)} of {evaluated}", file=out)
    print("per function/operator (reproduced / different / refused):", file=out)
    for name, c in sorted(sweep.per_feature.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"  {name:<16} {c['reproduced']:>5} {c['different']:>5} {c['refused']:>5}", file=out)
    print("refusal reasons (most common):", file=out)
    for why, n in sweep.reasons.most_common(15):
        print(f"  {n:>5}  {why}", file=out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--show-different", action="store_true")
    ap.add_argument("--show-refused", action="store_true")
    args = ap.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"corpus_sweep: no folder {args.folder}")
    sweep = run(args.folder)
    report(sweep)
    if args.show_different:
        print("\n".join(["different:", *sweep.different]))
    if args.show_refused:
        print("\n".join(["refused:", *sweep.refused]))


if __name__ == "__main__":
    main()
