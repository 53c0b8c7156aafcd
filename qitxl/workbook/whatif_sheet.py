"""What if sheet: every province's rank with each pillar, then each indicator, left out (from qitxl.whatif).

Static values computed when the workbook is generated (like the Sensitivity sheet); a colour
rule compares each cell with the nominal rank in column A, green for up, red for down.
"""

from __future__ import annotations

import numpy as np

from .. import whatif
from ..dataset import Dataset
from ..model import Weights
from .layout import Context

RANK, NAME, FIRST = 0, 1, 2
HEADER = 3


def compute(dataset: Dataset, weights: Weights) -> whatif.WhatIf:
    """Run qitxl.whatif for the workbook's dataset and weights."""
    return whatif.run(dataset, weights)


def _table(ctx: Context, r: int, kind: str, title: str) -> int:
    """One block (pillars or indicators left out); returns the row after it."""
    ws, styles, words, w, lang = ctx.sheets["whatif"], ctx.styles, ctx.words, ctx.whatif, ctx.lang
    ds, res = ctx.ds, w.nominal
    scen = [sc for sc in w.scenarios if sc.kind == kind]
    ws.write(r, 0, title, styles["section"])
    r += 1
    heads = [words["wi.nominal"], words["in.province"]] + [
        "- " + (ds.pillar(sc.dropped).label(lang) if kind == "pillar" else ds.indicator(sc.dropped).label(lang))
        for sc in scen]
    ws.write_row(r, 0, heads, styles["header"])
    ws.set_row(r, 58)
    first = r + 1
    for iso in res.order():
        r += 1
        i = res.iso_codes.index(iso)
        ws.write_number(r, RANK, int(res.ranks[i]), styles["int"])
        ws.write_string(r, NAME, ctx.name(iso), styles["cell"])
        for k, sc in enumerate(scen):
            v = sc.ranks[i]
            if np.isnan(v):
                ws.write_blank(r, FIRST + k, None, styles["int"])
            else:
                ws.write_number(r, FIRST + k, int(v), styles["int"])
    last_col = FIRST + len(scen) - 1
    if scen:
        c0 = ctx.layout.col_name(FIRST)
        for op, colour, font in (("<", "#C6EFCE", "#006100"), (">", "#FFC7CE", "#9C0006")):
            ws.conditional_format(first, FIRST, r, last_col, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({c0}{first + 1}),{c0}{first + 1}{op}$A{first + 1})",
                "format": ctx.wb.add_format({"bg_color": colour, "font_color": font})})
    return r + 2


def write(ctx: Context) -> None:
    """Write the What if sheet: a pillars block, then an indicators block."""
    ws, styles, words = ctx.sheets["whatif"], ctx.styles, ctx.words
    w = ctx.whatif
    n_cols = FIRST + max(len(ctx.ds.pillars), len(ctx.ds.indicators))
    ws.hide_gridlines(2)
    ws.set_column(RANK, RANK, 7)
    ws.set_column(NAME, NAME, 14)
    ws.set_column(FIRST, n_cols - 1, 13)
    ws.write(0, 0, words["wi.title"], styles["title"])
    ws.set_row(0, 24)
    ws.merge_range(1, 0, 1, n_cols - 1, words["wi.note"].format(largest=w.largest_shift()), styles["muted"])
    ws.set_row(1, 44)
    r = _table(ctx, HEADER, "pillar", words["wi.pillars"])
    ws.set_h_pagebreaks([r - 1])  # each block on its own page when printed
    r = _table(ctx, r, "indicator", words["wi.indicators"])
    ws.freeze_panes(0, FIRST)
    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, n_cols - 1)
