"""Overview sheet: what the workbook is, how to read it, the tier legend, a chart and the caveats."""

from __future__ import annotations

import math

from .. import __version__
from .layout import Context

TEXT_COLS = (1, 7)  # text is merged across columns B:H
CHARS_PER_LINE = {"en": 110, "zh": 68}


def _para(ctx: Context, ws, row: int, text: str, fmt_name: str = "bullet", prefix: str = "") -> int:
    """A wrapped paragraph merged across the text columns, with a row height that fits it."""
    c1, c2 = TEXT_COLS
    body = prefix + text
    lines = max(1, math.ceil(len(body) / CHARS_PER_LINE[ctx.lang]))
    ws.merge_range(row, c1, row, c2, body, ctx.styles[fmt_name])
    ws.set_row(row, 15 * lines + 3)
    return row + 1


def write(ctx: Context) -> None:
    """Write the Overview sheet (first sheet, active when the file opens)."""
    layout, words, styles, ds, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.lang
    ws = ctx.sheets["overview"]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, 9)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 14)
    ws.set_column(4, 7, 16)
    ws.set_column(8, 8, 2)
    ws.set_column(9, 16, 9)
    ws.merge_range(0, 1, 0, 7, ctx.title, styles["title"])
    ws.set_row(0, 30)
    ws.merge_range(1, 1, 1, 7, words["ov.version"].format(version=ds.version, date=ds.date, package=__version__),
                   styles["subtitle"])
    r = 3
    ws.write(r, 1, words["ov.read"], styles["section"])
    r += 1
    for n in range(1, 6):
        r = _para(ctx, ws, r, words[f"ov.read.{n}"], prefix="• ")
    r += 1
    r = _para(ctx, ws, r, words["ov.assessed"].format(assessed=len(ds.assessed), total=len(ds.provinces)), "muted")
    r += 1
    ws.write(r, 1, words["ov.legend"], styles["section"])
    r += 1
    ws.write_row(r, 1, [words["ov.level"], words["ov.tier"], words["ov.min"]], styles["header"])
    r += 1
    for tier in ds.tiers:
        ws.write_number(r, 1, tier.level, styles.tier(tier.level))
        ws.write_string(r, 2, tier.label(lang), styles.tier(tier.level))
        ws.write_number(r, 3, tier.min_score, styles["score"])
        r += 1
    r += 1
    ws.write(r, 1, words["ov.caveats"], styles["section"])
    r += 1
    for n in range(1, 6):
        r = _para(ctx, ws, r, words[f"ov.caveat.{n}"], prefix="• ")
    last_text = r

    first, last, name_col, score_col = ctx.chart_refs["rankings"]
    sheet = layout.names["rankings"]
    n = last - first + 1
    chart = ctx.wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": words["ov.chart"],
        "categories": [sheet, first, name_col, last, name_col],
        "values": [sheet, first, score_col, last, score_col],
        "fill": {"color": "#2E75B6"}, "gap": 60,
        "data_labels": {"value": True, "num_format": "0.0", "font": {"size": 8, "name": styles.font}},
    })
    chart.set_title({"name": words["ov.chart"], "name_font": {"size": 11, "name": styles.font}})
    chart.set_x_axis({"min": 0, "max": 100, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                      "num_font": {"size": 8, "name": styles.font}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9, "name": styles.font}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": max(260, 26 * n + 90)})
    ws.insert_chart(3, 9, chart, {"x_offset": 4, "y_offset": 0, "object_position": 2})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.print_area(0, 0, max(last_text, 3 + (26 * n + 90) // 20), 16)
    ws.activate()
