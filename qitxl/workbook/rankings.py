"""Rankings sheet: one row per assessed province (or the ones asked for), all scores looked up live."""

from __future__ import annotations

from ..cellrefs import col_letters
from .indicators import cached, tier_cf
from .layout import SC_ISO, SC_LEVEL, SC_PILLAR0, SC_RANK, SC_SCORE, SC_TIER, Context

RANK, ISO, NAME_EN, NAME_ZH, REGION, LEVEL, TIER, REPORTED, SCORE, PILLAR0 = range(10)
HEADER, FIRST = 3, 4


def lookup(ctx: Context, col: int, iso_cell: str) -> str:
    """INDEX/MATCH of one column of the Indicators scores block by ISO code (robust to re-sorting)."""
    layout = ctx.layout
    return f"=INDEX({layout.sc_col(col)},MATCH({iso_cell},{layout.sc_col(SC_ISO)},0))"


def write(ctx: Context) -> None:
    """Write the Rankings sheet in the model's rank order at generation time."""
    words, styles, ds, res, lang = ctx.words, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ws = ctx.sheets["rankings"]
    P = len(ds.pillars)
    last_col = PILLAR0 + P - 1
    ws.set_column(RANK, RANK, 7)
    ws.set_column(ISO, ISO, 9)
    ws.set_column(NAME_EN, NAME_ZH, 12)
    ws.set_column(REGION, REGION, 10)
    ws.set_column(LEVEL, LEVEL, 7)
    ws.set_column(TIER, TIER, 12)
    ws.set_column(REPORTED, REPORTED, 17)
    ws.set_column(SCORE, SCORE, 11)
    ws.set_column(PILLAR0, last_col, 12)
    ws.write(0, 0, words["rk.title"], styles["title"])
    ws.set_row(0, 24)
    ws.merge_range(1, 0, 1, last_col, words["rk.note"], styles["subtitle"])
    heads = [words[k] for k in ("rk.rank", "rk.iso", "rk.name_en", "rk.name_zh", "rk.region", "rk.level", "rk.tier",
                                "rk.reported", "rk.score")] + [p.label(lang) for p in ds.pillars]
    ws.write_row(HEADER, 0, heads, styles["header"])
    ws.set_row(HEADER, 48)
    isos = ctx.ranking_isos
    for n, iso in enumerate(isos):
        r = FIRST + n
        i = res.iso_codes.index(iso)
        p = ds.province(iso)
        iso_cell = f"${col_letters(ISO + 1)}{r + 1}"
        tier = res.tier(iso, lang)
        ws.write_formula(r, RANK, lookup(ctx, SC_RANK, iso_cell), styles["int"], cached(res.ranks[i]))
        ws.write_string(r, ISO, iso, styles["cell"])
        ws.write_string(r, NAME_EN, p.name_en, styles["cell"])
        ws.write_string(r, NAME_ZH, p.name_zh_short, styles["cell"])
        ws.write_string(r, REGION, ctx.region(p.region), styles["cell"])
        ws.write_formula(r, LEVEL, lookup(ctx, SC_LEVEL, iso_cell), styles["int"],
                         "" if tier.level is None else tier.level)
        ws.write_formula(r, TIER, lookup(ctx, SC_TIER, iso_cell), styles["cell"],
                         "" if tier.level is None else tier.label)
        ws.write_string(r, REPORTED, ctx.reported(iso), styles["cell"])
        ws.write_formula(r, SCORE, lookup(ctx, SC_SCORE, iso_cell), styles["score_bold"], cached(res.scores[i]))
        for k, pil in enumerate(ds.pillars):
            ws.write_formula(r, PILLAR0 + k, lookup(ctx, SC_PILLAR0 + k, iso_cell), styles["score"],
                             cached(res.pillars[i, res.pillar_ids.index(pil.id)]))
    last = FIRST + len(isos) - 1
    if isos:
        tier_cf(ctx, ws, FIRST, last, LEVEL, TIER, LEVEL)
        ws.conditional_format(FIRST, SCORE, last, SCORE, {
            "type": "data_bar", "bar_color": "#9DC3E6", "bar_solid": True,
            "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 100})
        ws.autofilter(HEADER, 0, last, last_col)
    ctx.chart_refs["rankings"] = (FIRST, last, NAME_ZH if lang == "zh" else NAME_EN, SCORE)
    ws.freeze_panes(FIRST, NAME_ZH + 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER)
    ws.print_area(0, 0, max(last, HEADER), last_col)
