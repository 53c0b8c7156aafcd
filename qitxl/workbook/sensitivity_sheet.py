"""Sensitivity sheet: rank intervals under varied weights and methods, from qitxl.sensitivity (static)."""

from __future__ import annotations

import numpy as np

from .. import sensitivity
from ..dataset import Dataset
from ..i18n import localised
from ..indices import RankIndices, rank_indices
from ..model import Weights
from ..sensitivity import SensitivityResult
from .layout import Context

NAME, NOMINAL, MEDIAN, P05, P95, BEST, WORST, SPAN = range(8)
HEADER = 3
WORKBOOK_SAMPLES = 2048  # N x 6 model runs; rough estimates are greyed (ROUGH_SE)
ROUGH_SE = 0.1  # indices of a province whose largest standard error is above this are shown in grey
IDX_COLS = 8  # S1 and ST for four input groups, right of the name column
CHART_COL = IDX_COLS + 2


def compute(dataset: Dataset, weights: Weights) -> SensitivityResult:
    """Run qitxl.sensitivity with its defaults for the workbook's dataset and weights."""
    return sensitivity.run(dataset, weights)


def compute_indices(dataset: Dataset, weights: Weights) -> RankIndices:
    """Variance-based indices of every rank (qitxl.indices) with the workbook's sample size."""
    return rank_indices(dataset, weights, samples=WORKBOOK_SAMPLES)


def write(ctx: Context) -> None:
    """Write the Sensitivity sheet: a table in nominal rank order and an interval chart."""
    layout, words, styles, lang = ctx.layout, ctx.words, ctx.styles, ctx.lang
    ws = ctx.sheets["sensitivity"]
    ws.hide_gridlines(2)
    ws.set_column(NAME, NAME, 14)
    ws.set_column(NOMINAL, IDX_COLS, 11)
    ws.set_column(IDX_COLS + 1, IDX_COLS + 1, 3)
    ws.write(0, 0, words["se.title"], styles["title"])
    ws.set_row(0, 24)
    sens = ctx.sensitivity
    st = sens.settings
    ws.merge_range(1, 0, 1, SPAN, words["se.note"].format(draws=st["draws"], pert=round(100 * st["perturbation"]),
                                                     seed=st["seed"]), styles["muted"])
    ws.set_row(1, 30)
    heads = [words[k] for k in ("in.province", "se.nominal", "se.median", "se.p05", "se.p95", "se.best", "se.worst",
                                "se.span")]
    ws.write_row(HEADER, 0, heads, styles["header"])
    ws.set_row(HEADER, 32)
    rows = [dict(r) for r in sens.rows]
    for n, row in enumerate(rows):
        r = HEADER + 1 + n
        ws.write_string(r, NAME, localised(row, "name", lang), styles["cell"])
        ws.write_number(r, NOMINAL, int(row["nominal_rank"]), styles["int"])
        ws.write_number(r, MEDIAN, float(row["median_rank"]), styles["score"])
        for col, k in ((P05, "p05"), (P95, "p95"), (BEST, "best"), (WORST, "worst")):
            ws.write_number(r, col, int(row[k]), styles["int"])
        ws.write_number(r, SPAN, int(row["p95"]) - int(row["p05"]), styles["int"])
    first, last = HEADER + 1, HEADER + len(rows)
    ws.conditional_format(first, SPAN, last, SPAN, {
        "type": "data_bar", "bar_color": "#F4B183", "bar_solid": True, "min_type": "num", "min_value": 0})

    r = indices_table(ctx, last + 2) if ctx.indices is not None else last + 2
    # settings below the tables
    ws.write_row(r, 0, [words["se.setting"], words["se.value"]], styles["header"])
    ws.merge_range(r, 1, r, SPAN, words["se.value"], styles["header"])
    for k in ("draws", "seed", "perturbation", "weight_rule", "combinations", "combination_rule", "dataset_version"):
        if k not in st:
            continue
        r += 1
        v = st[k]
        ws.write_string(r, 0, k, styles["cell"])
        value = ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
        ws.merge_range(r, 1, r, SPAN, value, styles["cellwrap"])
        ws.set_row(r, 15 * max(1, -(-len(value) // 95)) + 2)

    settings_end = r  # the chart data below are left out of the print area
    # chart data: bars from p05 - 0.4 to p95 + 0.4, so an interval of one rank still shows
    r += 2
    ws.write(r, 0, words["se.chartdata"], styles["small"])
    r += 1
    ws.write_row(r, 0, [words["in.province"], words["se.start"], words["se.length"]], styles["header"])
    c_first = r + 1
    for row in rows:
        r += 1
        ws.write_string(r, 0, localised(row, "name", lang), styles["cell"])
        ws.write_number(r, 1, int(row["p05"]) - 0.4, styles["score"])
        ws.write_number(r, 2, int(row["p95"]) - int(row["p05"]) + 0.8, styles["score"])
    c_last = r

    # floating bars: an invisible p05 bar, then the p05-p95 span stacked on it; median as markers
    sheet = layout.names["sensitivity"]
    chart = ctx.wb.add_chart({"type": "bar", "subtype": "stacked"})
    chart.add_series({"name": words["se.start"], "categories": [sheet, c_first, 0, c_last, 0],
                      "values": [sheet, c_first, 1, c_last, 1], "fill": {"none": True}, "border": {"none": True}})
    chart.add_series({"name": words["se.length"], "categories": [sheet, c_first, 0, c_last, 0],
                      "values": [sheet, c_first, 2, c_last, 2], "fill": {"color": "#9DC3E6"},
                      "border": {"color": "#2E75B6"}, "gap": 50})
    chart.set_title({"name": words["se.chart"], "name_font": {"size": 11, "name": styles.font}})
    chart.set_x_axis({"min": 0, "max": len(rows) + 1, "major_unit": 1 if len(rows) <= 15 else 5,
                      "num_font": {"size": 8, "name": styles.font},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9, "name": styles.font}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 520, "height": max(260, 24 * len(rows) + 90)})
    ws.insert_chart(HEADER, CHART_COL, chart, {"object_position": 2})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)  # one page wide; with many provinces the tables run on to a second page
    ws.print_area(0, 0, max(settings_end, HEADER + (24 * len(rows) + 90) // 20), CHART_COL + 8)


def indices_table(ctx: Context, r: int) -> int:
    """The variance-based indices (qitxl.indices): S1 and ST per input group; returns the next free row."""
    ws, words, styles, lang = ctx.sheets["sensitivity"], ctx.words, ctx.styles, ctx.lang
    idx = ctx.indices
    st = idx.settings
    ws.merge_range(r, 0, r, IDX_COLS, words["se.idx.title"], styles["section"])
    r += 1
    ws.merge_range(r, 0, r, IDX_COLS, words["se.idx.note"].format(
        samples=st["samples"], runs=st["model_runs"], seed=st["seed"], se=f"{st['max_standard_error']:.2f}",
        rough=f"{ROUGH_SE:g}"),
        styles["muted"])
    ws.set_row(r, 44)
    r += 1
    g = len(idx.groups)
    base = {"font_name": styles.font, "font_size": 10, "valign": "top", "border": 1, "border_color": "#D9D9D9",
            "num_format": "0.00"}
    fmt = ctx.wb.add_format(base)
    rough = ctx.wb.add_format(base | {"font_color": "#8C8C8C", "italic": True})
    province_se = idx.province_se()
    ws.merge_range(r, 0, r + 1, 0, words["in.province"], styles["header"])
    ws.merge_range(r, 1, r, g, words["se.idx.s1"], styles["header"])
    ws.merge_range(r, g + 1, r, 2 * g, words["se.idx.st"], styles["header"])
    r += 1
    names = [words[f"se.idx.{name}"] for name in idx.groups]
    ws.write_row(r, 1, names + names, styles["header"])
    ws.set_row(r, 30)
    first = r + 1
    for c, iso in enumerate(idx.iso_codes):
        r += 1
        ws.write_string(r, 0, ctx.ds.province(iso).name(lang), styles["cell"])
        for k in range(g):
            for col, m in ((1 + k, idx.indices.first), (1 + g + k, idx.indices.total)):
                v = float(m[k, c])
                if np.isfinite(v):
                    ws.write_number(r, col, v, rough if province_se[c] > ROUGH_SE else fmt)
                else:
                    ws.write_string(r, col, words["se.idx.never"], styles["center"])
    ws.conditional_format(first, 1, r, 2 * g, {
        "type": "2_color_scale", "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1,
        "min_color": "#FFFFFF", "max_color": "#F4B183"})
    return r + 2
