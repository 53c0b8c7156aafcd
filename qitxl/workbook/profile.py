"""Profile sheet: pick a province from a drop-down; its card follows by formula.

Top to bottom: the card (rank, score, tier, the strength/weakness margin and the lists of
strengths and weaknesses), the pillars with their ranks, the R&D trend table and chart, then
every indicator with its value, year, rank and evidence. Everything that depends on the chosen
province is INDEX/MATCH over the selected position, so it stays right when the user picks
another province or edits weights; the rule for strengths and weaknesses is qitxl.profiles'
(ranks as RANK.EQ, margin in an editable cell). The R&D series of every assessed province sit in
hidden columns to the right, which the trend table looks up. Cached values come from the core.
"""

from __future__ import annotations

import math

from .. import profiles
from ..i18n import localised
from .indicators import cached
from .layout import (
    EV_CITES,
    EV_KEY,
    EV_NOTE,
    SC_ISO,
    SC_LEVEL,
    SC_NAME,
    SC_PILLAR0,
    SC_RANK,
    SC_REGION,
    SC_REPORTED,
    SC_SCORE,
    SC_TIER,
    TB_KEY,
    TB_YEAR,
    Context,
    area,
    cell,
)

LABEL, VALUE, YEAR, NORM, RANK, GAP, VERDICT, NOTE, CITES, HELPER, WORST = range(1, 12)
DATA0 = 12  # first hidden column of the R&D series block
NOTE_CHARS, CITE_CHARS = 62, 44
GOOD, BAD = "#C6EFCE", "#FFC7CE"


def _lines(text: str, width: int) -> int:
    return max(1, math.ceil(len(text) / width)) if text else 1


class _Sheet:
    """State shared by the sections of one Profile sheet (selected position, rows of components)."""

    def __init__(self, ctx: Context):
        self.ctx, self.layout, self.words, self.styles = ctx, ctx.layout, ctx.words, ctx.styles
        self.ws = ctx.sheets["profile"]
        self.iso = ctx.res.order()[0]
        self.i = ctx.res.iso_codes.index(self.iso)
        pr, pc = self.layout.pf_pick
        self.pick = cell(pr, pc)
        self.pos = cell(pr, HELPER)
        self.margin = profiles.default_margin(self.layout.n)
        self.comps = {(c.kind, c.id): c for c in profiles.components(ctx.res, self.iso, ctx.lang, self.margin)}
        self.verdict_rows: list[tuple[int, str, str]] = []  # (row, label shown, core verdict) per component
        self.rank_cell = self.margin_cell = ""
        self.lists_row = 0
        base = {"font_name": self.styles.font, "font_size": 10, "valign": "top"}
        add = ctx.wb.add_format
        self.f = {
            "margin": add(base | {"border": 2, "border_color": "#BF9000", "bg_color": "#FFF2CC", "bold": True,
                                  "num_format": "0", "align": "center", "locked": False}),
            "gap": add(base | {"border": 1, "border_color": "#D9D9D9", "num_format": "+0;-0;0", "align": "center"}),
            "pct": add(base | {"border": 1, "border_color": "#D9D9D9", "num_format": "+0.0%;-0.0%", "bold": True}),
            # series: one fixed number of decimals per column, so the years line up
            "big": add(base | {"border": 1, "border_color": "#D9D9D9", "num_format": "#,##0.0"}),
            "small": add(base | {"border": 1, "border_color": "#D9D9D9", "num_format": "0.00"}),
            GOOD: add({"bg_color": GOOD, "font_color": "#006100"}),
            BAD: add({"bg_color": BAD, "font_color": "#9C0006"}),
        }

    def at(self, col: int) -> str:
        return f"=INDEX({self.layout.sc_col(col)},{self.pos})"


def write(ctx: Context) -> None:
    """Write the Profile sheet."""
    p = _Sheet(ctx)
    ws, words, styles = p.ws, p.words, p.styles
    ws.hide_gridlines(2)
    for col, width in ((0, 2), (LABEL, 30), (VALUE, 12), (YEAR, 10), (NORM, 11), (RANK, 7), (GAP, 9),
                       (VERDICT, 13), (NOTE, 56), (CITES, 42)):
        ws.set_column(col, col, width)
    ws.set_column(HELPER, WORST, 6, None, {"hidden": True})
    ws.write(0, LABEL, words["pf.title"], styles["title"])
    ws.set_row(0, 26)
    r = _card(p)
    r = _pillars(p, r + 1)
    r = _trends(p, r + 1)
    r = _indicators(p, r + 1)
    _lists(p)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, CITES)


def _card(p: _Sheet) -> int:
    """Drop-down, key figures and the margin; returns the next free row."""
    ws, words, styles, layout, ctx, iso, i = p.ws, p.words, p.styles, p.layout, p.ctx, p.iso, p.i
    res = ctx.res
    pr, pc = layout.pf_pick
    ws.write_string(pr, LABEL, words["pf.pick"], styles["rowhead"])
    ws.merge_range(pr, VALUE, pr, NORM, ctx.name(iso), styles["input_text"])
    ws.set_row(pr, 22)
    names = layout.sc_col(SC_NAME)
    ws.data_validation(pr, pc, pr, pc, {
        "validate": "list", "source": f"={names}", "input_title": words["pf.val.title"],
        "input_message": words["pf.val.msg"], "error_title": words["pf.val.title"],
        "error_message": words["pf.val.msg"]})
    ws.write_formula(pr, HELPER, f"=MATCH({p.pick},{names},0)", styles["small"], i + 1)
    tier = res.tier(iso, ctx.lang)
    card = [
        ("pf.iso", p.at(SC_ISO), iso, styles["text"]),
        ("pf.region", p.at(SC_REGION), ctx.region(ctx.ds.province(iso).region), styles["text"]),
        ("pf.rank", p.at(SC_RANK), cached(res.ranks[i]), styles["bigint"]),
        ("pf.score", p.at(SC_SCORE), cached(res.scores[i]), styles["big"]),
        ("pf.tier", p.at(SC_TIER), "" if tier.level is None else tier.label, styles["bigtext"]),
        ("pf.reported", p.at(SC_REPORTED), ctx.reported(iso), styles["text"]),
    ]
    r = pr + 2
    for label, formula, value, fmt in card:
        ws.write_string(r, LABEL, words[label], styles["rowhead"])
        ws.write_formula(r, VALUE, formula, fmt, value)
        if label == "pf.rank":
            ws.write_string(r, YEAR, f"{words['pf.of']} {layout.n}", styles["muted"])
            p.rank_cell = cell(r, VALUE)
        if label == "pf.tier":
            ws.write_formula(r, HELPER, p.at(SC_LEVEL), styles["small"], "" if tier.level is None else tier.level)
            for td in ctx.ds.tiers:
                ws.conditional_format(r, VALUE, r, NORM, {
                    "type": "formula", "criteria": f"={cell(r, HELPER)}={td.level}",
                    "format": styles.tier_cf(td.level)})
            ws.merge_range(r, VALUE, r, NORM, "", fmt)
            ws.write_formula(r, VALUE, formula, fmt, value)
        ws.set_row(r, 20)
        r += 1
    ws.write_string(r, LABEL, words["pf.margin"], styles["rowhead"])
    ws.write_number(r, VALUE, p.margin, p.f["margin"])
    ws.data_validation(r, VALUE, r, VALUE, {"validate": "integer", "criteria": ">=", "value": 1,
                                            "error_message": words["pf.margin.note"]})
    ws.merge_range(r, YEAR, r, NOTE, words["pf.margin.note"], styles["muted"])
    ws.set_row(r, 28)
    p.margin_cell = cell(r, VALUE)
    p.lists_row = r + 1  # strengths, then weaknesses: written by _lists once every component row is known
    return r + 3


def _rank_cells(p: _Sheet, r: int, score: str, column: str, comp: profiles.Component, label: str) -> None:
    """Places, clear gap to the overall rank and verdict of one component row (score in cell ``score``).

    Hidden helper cells hold the best place (RANK.EQ) and the worst place of a tie (the count of
    values at least as good); the gap counts only places that hold however ties are broken.
    """
    ws, styles, words = p.ws, p.styles, p.words
    best, worst, gap = cell(r, HELPER), cell(r, WORST), cell(r, GAP)
    ws.write_formula(r, HELPER, f'=IF(ISNUMBER({score}),_xlfn.RANK.EQ({score},{column}),"")', styles["small"],
                     "" if comp.rank is None else comp.rank)
    below = f'SUMPRODUCT(({column}<>"")*({column}<{score}))'
    ws.write_formula(r, WORST, f'=IF(ISNUMBER({score}),COUNT({column})-{below},"")',
                     styles["small"], "" if comp.rank_worst is None else comp.rank_worst)
    shown: int | str = comp.place if comp.rank != comp.rank_worst else comp.rank
    ws.write_formula(r, RANK, f'=IF(ISNUMBER({best}),IF({best}={worst},{best},{best}&"-"&{worst}),"")', styles["int"],
                     "" if comp.rank is None else shown)
    overall = p.rank_cell
    ws.write_formula(r, GAP, f'=IF(ISNUMBER({best}),IF({worst}<{overall},{overall}-{worst},'
                             f'IF({best}>{overall},{overall}-{best},0)),"")', p.f["gap"],
                     "" if comp.gap is None else comp.gap)
    good, bad = words["pf.strength"], words["pf.weakness"]
    ws.write_formula(r, VERDICT, f'=IF(ISNUMBER({gap}),IF({gap}>={p.margin_cell},"{good}",'
                                 f'IF(-{gap}>={p.margin_cell},"{bad}","")),"")', styles["cell"],
                     {"strength": good, "weakness": bad}.get(comp.verdict, ""))
    p.verdict_rows.append((r, label, comp.verdict))


def _verdict_colours(p: _Sheet, first: int, last: int) -> None:
    for text, colour in ((p.words["pf.strength"], GOOD), (p.words["pf.weakness"], BAD)):
        p.ws.conditional_format(first, VERDICT, last, VERDICT, {
            "type": "cell", "criteria": "==", "value": f'"{text}"', "format": p.f[colour]})


def _pillars(p: _Sheet, r: int) -> int:
    """The pillar table: score, rank, gap, verdict; returns the next free row."""
    ws, words, styles, ctx = p.ws, p.words, p.styles, p.ctx
    ws.write(r, LABEL, words["pf.pillars"], styles["section"])
    r += 1
    ws.write_row(r, LABEL, [words["wt.pillar"], "", "", "",
                            *(words[k] for k in ("pf.crank", "pf.gap", "pf.verdict", "pf.about"))], styles["header"])
    ws.merge_range(r, VALUE, r, NORM, words["pf.score_col"], styles["header"])
    ws.set_row(r, 30)
    first = r + 1
    for k, pil in enumerate(ctx.ds.pillars):
        r += 1
        comp = p.comps[("pillar", pil.id)]
        ws.write_string(r, LABEL, pil.label(ctx.lang), styles["cell"])
        ws.merge_range(r, VALUE, r, NORM, "", styles["score"])
        ws.write_formula(r, VALUE, p.at(SC_PILLAR0 + k), styles["score"], cached(comp.score))
        _rank_cells(p, r, cell(r, VALUE), p.layout.sc_col(SC_PILLAR0 + k), comp, pil.label(ctx.lang))
        ws.write_string(r, NOTE, localised(pil, "about", ctx.lang), styles["muted"])
        ws.set_row(r, 26)
    ws.conditional_format(first, VALUE, r, VALUE, {
        "type": "data_bar", "bar_color": "#2E75B6", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 100})
    _verdict_colours(p, first, r)
    return r + 1


def _indicators(p: _Sheet, r: int) -> int:
    """Every indicator: value, year, normalised, rank, gap, verdict, evidence; returns the last row."""
    ws, words, styles, layout, ctx = p.ws, p.words, p.styles, p.layout, p.ctx
    ws.write(r, LABEL, words["pf.evidence"], styles["section"])
    r += 1
    heads = ("in.indicator", "pf.raw", "pf.year", "pf.norm", "pf.crank", "pf.gap", "pf.verdict", "pf.note", "pf.cites")
    ws.write_row(r, LABEL, [words[k] for k in heads], styles["header"])
    ws.set_row(r, 30)
    notes, cites, keys = layout.ev_col(EV_NOTE), layout.ev_col(EV_CITES), layout.ev_col(EV_KEY)
    iso_at = f"INDEX({layout.sc_col(SC_ISO)},{p.pos})"
    first = r + 1
    for ind in layout.indicators:
        r += 1
        comp = p.comps[("indicator", ind.id)]
        c = layout.ind_col[ind.id]
        raw_col = layout.ref("indicators", area(layout.raw_first, c, layout.raw_first + layout.n - 1, c))
        norm_col = layout.ref("indicators", area(layout.norm_first, c, layout.norm_first + layout.n - 1, c))
        label = f"{ind.label(ctx.lang)} ({ind.unit})" if ind.unit else ind.label(ctx.lang)
        ws.write_string(r, LABEL, label, styles["cellwrap"])
        ws.write_formula(r, VALUE, f"=INDEX({raw_col},{p.pos})", styles["value"], cached(comp.value))
        v = cell(r, VALUE)
        year_at = f'INDEX({layout.tb_col(TB_YEAR)},MATCH({iso_at}&"|{ind.id}",{layout.tb_col(TB_KEY)},0))'
        ws.write_formula(r, YEAR, f'=IF(ISNUMBER({v}),{year_at},"")', styles["int"],
                         "" if comp.year is None else comp.year)
        ws.write_formula(r, NORM, f"=INDEX({norm_col},{p.pos})", styles["score"], cached(comp.score))
        _rank_cells(p, r, cell(r, NORM), norm_col, comp, label)
        match = f'MATCH({iso_at}&"|{ind.id}",{keys},0)'
        note, cite = ctx.evidence(p.iso, ind.id)
        ws.write_formula(r, NOTE, f'=INDEX({notes},{match})&""', styles["cellwrap"], note)
        ws.write_formula(r, CITES, f'=INDEX({cites},{match})&""', styles["cellwrap"], cite)
        # rows cannot grow with a formula's result, so size them for the longest text any province has
        longest = max((_lines(ctx.evidence(o, ind.id)[0], NOTE_CHARS), _lines(ctx.evidence(o, ind.id)[1], CITE_CHARS))
                      for o in layout.isos)
        ws.set_row(r, 13.5 * max(max(longest), _lines(label, 32)) + 3)
    _verdict_colours(p, first, r)
    return r


def _lists(p: _Sheet) -> None:
    """The strengths and weaknesses lines of the card: the labels of every marked row, joined by formula."""
    ws, words, styles = p.ws, p.words, p.styles
    sep = words["pf.list_sep"]
    for n, (key, verdict) in enumerate((("pf.strengths", "strength"), ("pf.weaknesses", "weakness"))):
        r = p.lists_row + n
        mark = words[f"pf.{verdict}"]
        parts = "&".join(f'IF({cell(row, VERDICT)}="{mark}","{sep}"&{cell(row, LABEL)},"")'
                         for row, _, _ in p.verdict_rows)
        labels = [label for _, label, v in p.verdict_rows if v == verdict]
        ws.write_string(r, LABEL, words[key], styles["rowhead"])
        ws.merge_range(r, VALUE, r, NOTE, "", styles["wrap"])
        ws.write_formula(r, VALUE, f"=MID({parts},{len(sep) + 1},4000)", styles["wrap"], sep.join(labels))
        ws.set_row(r, 30)


def _trends(p: _Sheet, r: int) -> int:
    """The R&D series of the selected province (table, growth rate, chart); returns the next free row."""
    ws, words, styles, ctx = p.ws, p.words, p.styles, p.ctx
    years = profiles.trend_years(ctx.ds)
    series = profiles.trends(ctx.ds, p.iso, ctx.lang)
    if not years or not series:
        return r
    block, largest = _trend_data(p, years, series)
    ws.write(r, LABEL, words["pf.trends"], styles["section"])
    r += 1
    head = r
    ws.write_row(r, LABEL, [words["pf.year"]] + [f"{tr.label} ({tr.unit})" for tr in series], styles["header"])
    ws.set_row(r, 56)
    for k, y in enumerate(years):
        r += 1
        ws.write_number(r, LABEL, y, styles["center"])
        for m, tr in enumerate(series):
            look = f"INDEX({block[m]},{p.pos},{k + 1})"
            fmt = p.f["big"] if largest[m] >= 100 else p.f["small"]
            ws.write_formula(r, VALUE + m, f'=IF(ISNUMBER({look}),{look},"")', fmt, cached(tr.values[k]))
    r += 1
    span = years[-1] - years[0]
    ws.write_string(r, LABEL, words["pf.cagr"].format(first=years[0], last=years[-1]), styles["rowhead"])
    for m, tr in enumerate(series):
        if span <= 0:
            break
        a, b = cell(head + 1, VALUE + m), cell(head + len(years), VALUE + m)
        growth = f'IF({a}>0,IF({b}>=0,({b}/{a})^(1/{span})-1,""),"")'
        ws.write_formula(r, VALUE + m, f'=IF(ISNUMBER({a}),IF(ISNUMBER({b}),{growth},""),"")', p.f["pct"],
                         "" if tr.cagr is None else tr.cagr)
    _trend_chart(p, head, len(years), series)
    return max(r, head + 16) + 1


def _trend_data(p: _Sheet, years: tuple[int, ...], series: list[profiles.Trend]) -> tuple[list[str], list[float]]:
    """Hidden block: one row per assessed province, the years of each series side by side.

    Returns each series' block address and its largest absolute value (to choose its decimals).
    """
    ws, layout, ctx = p.ws, p.layout, p.ctx
    first = layout.pf_pick[0] + 2
    ws.write_string(first - 2, DATA0, ctx.words["pf.trenddata"], p.styles["small"])
    ws.write_string(first - 1, DATA0, ctx.words["rk.iso"], p.styles["small"])
    blocks, largest = [], []
    for m, tr in enumerate(series):
        c0 = DATA0 + 1 + m * len(years)
        table = profiles.series_table(ctx.ds, tr.indicator, years)
        largest.append(max((abs(v) for iso in layout.isos for v in table.get(iso, []) if v is not None), default=0.0))
        for k, y in enumerate(years):
            ws.write_string(first - 1, c0 + k, f"{tr.indicator} {y}", p.styles["small"])
        for i, iso in enumerate(layout.isos):
            for k, v in enumerate(table.get(iso, [None] * len(years))):
                if v is not None:
                    ws.write_number(first + i, c0 + k, v)
        blocks.append(area(first, c0, first + layout.n - 1, c0 + len(years) - 1))
    for i, iso in enumerate(layout.isos):
        ws.write_string(first + i, DATA0, iso)
    ws.set_column(DATA0, DATA0 + len(series) * len(years), 9, None, {"hidden": True})
    return blocks, largest


def _trend_chart(p: _Sheet, head: int, n_years: int, series: list[profiles.Trend]) -> None:
    """Expenditure as columns, intensity as a line on the secondary axis; follows the trend table."""
    sheet, styles = p.layout.names["profile"], p.styles
    cats = [sheet, head + 1, LABEL, head + n_years, LABEL]
    chart = p.ctx.wb.add_chart({"type": "column"})
    chart.add_series({"name": [sheet, head, VALUE], "categories": cats,
                      "values": [sheet, head + 1, VALUE, head + n_years, VALUE],
                      "fill": {"color": "#9DC3E6"}, "border": {"color": "#2E75B6"}, "gap": 60})
    font = {"size": 8, "name": styles.font}
    if len(series) > 1:
        line = p.ctx.wb.add_chart({"type": "line"})
        line.add_series({"name": [sheet, head, VALUE + 1], "categories": cats,
                         "values": [sheet, head + 1, VALUE + 1, head + n_years, VALUE + 1], "y2_axis": True,
                         "line": {"color": "#C55A11", "width": 2.25},
                         "marker": {"type": "circle", "size": 4, "fill": {"color": "#C55A11"},
                                    "border": {"color": "#C55A11"}}})
        chart.combine(line)
        line.set_y2_axis({"num_font": font, "name": series[1].unit, "name_font": font})
    chart.set_title({"name": p.words["pf.trend.chart"], "name_font": {"size": 10, "name": styles.font}})
    chart.set_x_axis({"num_font": font})
    chart.set_y_axis({"num_font": font, "name": series[0].unit, "name_font": font,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_size({"width": 620, "height": 300})
    p.ws.insert_chart(head, RANK, chart, {"x_offset": 8, "y_offset": 4, "object_position": 1})
