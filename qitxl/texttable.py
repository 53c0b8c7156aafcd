"""Plain-text tables for a terminal: columns aligned, CJK characters counted double."""

from __future__ import annotations

import math


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.1f}"
    return str(v)


def format_table(rows: list[dict[str, object]]) -> str:
    """A plain-text table with columns aligned (CJK characters count double)."""
    cols = list(rows[0])
    cells = [[_fmt(r[c]) for c in cols] for r in rows]
    widths = [max(_width(c), *(_width(row[k]) for row in cells)) for k, c in enumerate(cols)]
    num = [all(isinstance(r[c], int | float) for r in rows) for c in cols]

    def line(values: list[str]) -> str:
        out = []
        for k, v in enumerate(values):
            pad = " " * (widths[k] - _width(v))
            out.append(pad + v if num[k] else v + pad)
        return "  ".join(out).rstrip()

    return "\n".join([line(cols), line(["-" * w for w in widths]), *(line(c) for c in cells)])
