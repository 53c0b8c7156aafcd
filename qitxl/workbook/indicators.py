"""Indicators sheet: normalised values and scores as formulas, then the raw values they read.

Blocks, top to bottom (rows in layout.Layout):

1. normalised values, one row per assessed province, one column per indicator (pillar order);
2. pillar scores, composite, rank and tier for every assessed province: what Rankings, Profile,
   All provinces and the Overview chart look up;
3. the raw values the model uses, looked up by key from block 4 (so sorting the table is safe);
4. the raw values as an Excel table with year, unit, source ids and confidence.

Every formula mirrors one step of qitxl.model and carries the model's result as cached value.
"""

from __future__ import annotations

import math

from ..cellrefs import col_letters
from ..dataset import Indicator
from ..model import RANK_DECIMALS, rank_basis
from ..profiles import year_label
from .layout import (
    IN_ISO,
    IN_NAME,
    SC_ISO,
    SC_LEVEL,
    SC_NAME,
    SC_PILLAR0,
    SC_RANK,
    SC_RANKED,
    SC_REGION,
    SC_REPORTED,
    SC_SCORE,
    SC_TIER,
    TB_KEY,
    TB_VALUE,
    TB_YEAR,
    Context,
    area,
    cell,
    key,
)

SUPPORTED_NORMALISATIONS = ("minmax", "goalposts", "rank")
SUPPORTED_AGGREGATIONS = ("arithmetic",)
COL_WIDTHS = (10, 14, 26, 22, 12, 15, 9, 13, 24, 22)


def check_supported(ctx_norm: str, ctx_agg: str) -> None:
    """The workbook's formulas implement these method choices; anything else is refused."""
    if ctx_norm not in SUPPORTED_NORMALISATIONS:
        raise ValueError(f"the workbook's formulas implement {', '.join(SUPPORTED_NORMALISATIONS)} "
                         f"normalisation, not {ctx_norm!r}")
    if ctx_agg not in SUPPORTED_AGGREGATIONS:
        raise ValueError(f"the workbook's formulas implement arithmetic aggregation, not {ctx_agg!r}")


def num(x: float) -> str:
    """A number as formula text, exactly (repr round-trips a double)."""
    return repr(int(x)) if float(x).is_integer() else repr(float(x))


def cached(x: float) -> float | str:
    """Model value as a cell's cached value: NaN (missing) becomes the empty string the formula gives."""
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def goalposts(ctx: Context, ind: Indicator) -> tuple[float, float]:
    """The goalposts the model uses for ``ind`` in goalposts mode (before any log transform)."""
    if ind.goalposts is not None:
        return ind.goalposts
    allv = list(ctx.ds.model_values()[ind.id].values())
    return (min(allv), max(allv))


def norm_formula(ctx: Context, ind: Indicator, x: str, col: str) -> str:
    """Formula normalising raw cell ``x`` against its column ``col`` exactly as model.normalise does."""
    method = ctx.res.normalisation
    log = ctx.res.transforms[ind.id] == "log"

    def tr(v: str) -> str:
        return f"LN(1+{v})" if log else v

    if method == "minmax":
        lo, hi = tr(f"MIN({col})"), tr(f"MAX({col})")
        inner = f"({tr(x)}-{lo})/({hi}-{lo})*100"
        flat = f"MAX({col})=MIN({col})"
    elif method == "goalposts":
        g0, g1 = goalposts(ctx, ind)
        lo, hi = tr(num(g0)), tr(num(g1))
        inner = f"MIN(1,MAX(0,({tr(x)}-{lo})/({hi}-{lo})))*100"
        flat = "TRUE" if g0 == g1 else "FALSE"
    else:  # rank: percentile with ties averaged (a log transform does not change ranks)
        # ({col}<>"") leaves out the missing values; ISNUMBER(range) is not array-evaluated by Gnumeric
        below = f'SUMPRODUCT(({col}<>"")*({col}<{x}))'
        same = f'SUMPRODUCT(({col}<>"")*({col}={x}))'
        inner = f"({below}+({same}-1)/2)/(COUNT({col})-1)*100"
        flat = f"COUNT({col})=1"
    if ind.direction == -1:
        inner = f"100-({inner})"
    return f'=IF(ISNUMBER({x}),IF({flat},50,{inner}),"")'


def weighted_mean_formula(weights: str, values: str) -> str:
    """Weighted mean over the non-blank values, weights rescaled over those present (model.weighted_mean).

    Missing values are "" (never a number), so the weight present is the product with a comparison:
    Excel, LibreOffice, Gnumeric and the ``formulas`` package all compute that, whereas
    ``--ISNUMBER(range)`` gives #VALUE! in Gnumeric and 0 in ``formulas``.
    """
    present = f'SUMPRODUCT({weights}*({values}<>""))'
    return f'=IF({present}=0,"",SUMPRODUCT({weights},{values})/{present})'


def ranked_formula(score: str) -> str:
    """The score as ranked and tiered: ROUND to model.RANK_DECIMALS (model.rank_basis), "" stays ""."""
    return f'=IF(ISNUMBER({score}),ROUND({score},{RANK_DECIMALS}),"")'


def write(ctx: Context) -> None:
    """Write the Indicators sheet (the calculation backbone of the workbook)."""
    layout, text, styles, ds, res = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.res
    check_supported(res.normalisation, res.aggregation)
    ws = ctx.sheets["indicators"]
    for c, w in enumerate(COL_WIDTHS):
        ws.set_column(c, c, w)
    last_col = max(SC_PILLAR0 + len(ds.pillars), 2 + len(layout.indicators), TB_KEY + 1) - 1
    if last_col >= len(COL_WIDTHS):
        ws.set_column(len(COL_WIDTHS), last_col, 13)
    ws.write(0, 0, text["in.title"], styles["title"])
    ws.set_row(0, 24)
    ws.merge_range(1, 0, 1, 9, text["in.note"], styles["muted"])
    ws.set_row(1, 42)
    _write_normalised(ctx, ws)
    _write_scores(ctx, ws)
    _write_raw(ctx, ws)
    _write_table(ctx, ws)
    ws.freeze_panes(layout.norm_header + 1, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_columns(0, 1)
    ws.print_area(0, 0, layout.tb_last, last_col)


def _indicator_index(res) -> dict[str, int]:
    return {iid: j for j, iid in enumerate(res.indicator_ids)}


def _write_normalised(ctx: Context, ws) -> None:
    """Block 1: each indicator's normalised value, by formula from the raw values of block 3."""
    layout, text, styles, ds, res, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ind_j = _indicator_index(res)
    method_label = {"minmax": "min-max", "goalposts": "goalposts", "rank": "percentile rank"}[res.normalisation]
    ws.write(layout.norm_title, 0, text["in.norm"].format(method=method_label), styles["section"])
    ws.write(layout.norm_pillar_row, IN_NAME, text["in.pillar_row"], styles["rowhead"])
    ws.write(layout.norm_weight_row, IN_NAME, text["in.weight_row"], styles["rowhead"])
    for p in ds.pillars:
        c1, c2 = layout.pillar_cols[p.id]
        if c1 == c2:
            ws.write_string(layout.norm_pillar_row, c1, p.label(lang), styles["rowhead"])
        else:
            ws.merge_range(layout.norm_pillar_row, c1, layout.norm_pillar_row, c2, p.label(lang), styles["rowhead"])
    ws.set_row(layout.norm_pillar_row, 30)
    heads = [text["rk.iso"], text["in.province"]] + [_ind_head(ind, lang) for ind in layout.indicators]
    ws.write_row(layout.norm_header, 0, heads, styles["header"])
    ws.set_row(layout.norm_header, 54)
    for ind in layout.indicators:
        c = layout.ind_col[ind.id]
        wref = layout.ref("weights", cell(layout.wi_row[ind.id], layout.WI_WEIGHT))
        ws.write_formula(layout.norm_weight_row, c, f"={wref}", styles["weight"], ind.weight)
    for i, iso in enumerate(layout.isos):
        r = layout.norm_first + i
        ws.write_string(r, IN_ISO, iso, styles["cell"])
        ws.write_string(r, IN_NAME, ctx.name(iso), styles["cell"])
        for ind in layout.indicators:
            c = layout.ind_col[ind.id]
            x = cell(layout.raw_first + i, c)
            ws.write_formula(r, c, norm_formula(ctx, ind, x, layout.raw_col(ind.id)), styles["score"],
                             cached(res.normalised[i, ind_j[ind.id]]))


def _write_scores(ctx: Context, ws) -> None:
    """Block 2: pillar scores, composite, rank, tier."""
    layout, text, styles, ds, res, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ws.write(layout.sc_title, 0, text["in.scores"], styles["section"])
    ws.write(layout.sc_weight_row, SC_PILLAR0 - 1, text["in.pweight_row"], styles["rowhead"])
    heads = [text["rk.iso"], text["in.province"], text["rk.region"], text["rk.reported"], text["rk.score"],
             text["in.ranked"].format(decimals=RANK_DECIMALS), text["rk.rank"], text["rk.level"], text["rk.tier"]]
    heads += [p.label(lang) for p in ds.pillars]
    ws.write_row(layout.sc_header, 0, heads, styles["header"])
    ws.set_row(layout.sc_header, 42)
    for k, p in enumerate(ds.pillars):
        ws.write_formula(layout.sc_weight_row, SC_PILLAR0 + k, f"={layout.weight_used(p.id)}", styles["weight"],
                         res.weights[p.id])
    for i, iso in enumerate(layout.isos):
        _write_score_row(ctx, ws, i, iso)
    tier_cf(ctx, ws, layout.sc_first, layout.sc_first + layout.n - 1, SC_LEVEL, SC_TIER, SC_LEVEL)


def _write_score_row(ctx: Context, ws, i: int, iso: str) -> None:
    """One province's row of block 2."""
    layout, styles, ds, res = ctx.layout, ctx.styles, ctx.ds, ctx.res
    n_pillars = len(ds.pillars)
    pil_k = {pid: k for k, pid in enumerate(res.pillar_ids)}
    pillar_weights = area(layout.sc_weight_row, SC_PILLAR0, layout.sc_weight_row, SC_PILLAR0 + n_pillars - 1)
    ranked_col = area(layout.sc_first, SC_RANKED, layout.sc_first + layout.n - 1, SC_RANKED)
    r = layout.sc_first + i
    prov = ds.province(iso)
    ws.write_string(r, SC_ISO, iso, styles["cell"])
    ws.write_string(r, SC_NAME, ctx.name(iso), styles["cell"])
    ws.write_string(r, SC_REGION, ctx.region(prov.region), styles["cell"])
    ws.write_string(r, SC_REPORTED, ctx.reported(iso), styles["cell"])
    for k, p in enumerate(ds.pillars):
        c1, c2 = layout.pillar_cols[p.id]
        f = weighted_mean_formula(area(layout.norm_weight_row, c1, layout.norm_weight_row, c2),
                                  area(layout.norm_first + i, c1, layout.norm_first + i, c2))
        ws.write_formula(r, SC_PILLAR0 + k, f, styles["score"], cached(res.pillars[i, pil_k[p.id]]))
    pillars = area(r, SC_PILLAR0, r, SC_PILLAR0 + n_pillars - 1)
    ws.write_formula(r, SC_SCORE, weighted_mean_formula(pillar_weights, pillars), styles["score_bold"],
                     cached(res.scores[i]))
    ws.write_formula(r, SC_RANKED, ranked_formula(cell(r, SC_SCORE)), styles["score_ranked"],
                     cached(float(rank_basis(res.scores[i]))))
    ranked = cell(r, SC_RANKED)
    ws.write_formula(r, SC_RANK, f'=IF(ISNUMBER({ranked}),_xlfn.RANK.EQ({ranked},{ranked_col}),"")', styles["int"],
                     cached(res.ranks[i]))
    tier = res.tier(iso, ctx.lang)
    ws.write_formula(r, SC_LEVEL, f'=IF(ISNUMBER({ranked}),SUMPRODUCT(({layout.tier_mins()}>{ranked})*1)+1,"")',
                     styles["int"], "" if tier.level is None else tier.level)
    level = cell(r, SC_LEVEL)
    ws.write_formula(r, SC_TIER, f'=IF(ISNUMBER({level}),INDEX({layout.tier_labels()},{level}),"")', styles["cell"],
                     "" if tier.level is None else tier.label)


def _write_raw(ctx: Context, ws) -> None:
    """Block 3: the raw values used, looked up by key from the table of block 4."""
    layout, text, styles, res, lang = ctx.layout, ctx.words, ctx.styles, ctx.res, ctx.lang
    ind_j = _indicator_index(res)
    ws.write(layout.raw_title, 0, text["in.raw"], styles["section"])
    heads = [text["rk.iso"], text["in.province"]] + [_ind_head(ind, lang, unit=True) for ind in layout.indicators]
    ws.write_row(layout.raw_header, 0, heads, styles["header"])
    ws.set_row(layout.raw_header, 54)
    ws.write_string(layout.raw_year, IN_NAME, text["in.year"], styles["rowhead"])
    for ind in layout.indicators:
        ws.write_string(layout.raw_year, layout.ind_col[ind.id], year_label(res, ind.id), styles["rowhead"])
    values = area(layout.tb_first, TB_VALUE, layout.tb_last, TB_VALUE)
    keys = area(layout.tb_first, TB_KEY, layout.tb_last, TB_KEY)
    for i, iso in enumerate(layout.isos):
        r = layout.raw_first + i
        ws.write_string(r, IN_ISO, iso, styles["cell"])
        ws.write_string(r, IN_NAME, ctx.name(iso), styles["cell"])
        for ind in layout.indicators:
            look = f'INDEX({values},MATCH("{key(iso, ind.id)}",{keys},0))'
            ws.write_formula(r, layout.ind_col[ind.id], f'=IF(ISNUMBER({look}),{look},"")', styles["value"],
                             cached(res.raw[i, ind_j[ind.id]]))


def _write_table(ctx: Context, ws) -> None:
    """Block 4: the raw values as an Excel table."""
    layout, text, styles, ds, res, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ind_j = _indicator_index(res)
    ws.write(layout.tb_title, 0, text["in.table"], styles["section"])
    rows = []
    for iso, ind in layout.tb_rows:
        o = ctx.observation(iso, ind.id)
        i = layout.isos.index(iso)
        v = res.raw[i, ind_j[ind.id]]
        known = o is not None and not math.isnan(v)
        rows.append([
            iso, ctx.name(iso), ind.label(lang), ds.pillar(ind.pillar).label(lang),
            None if math.isnan(v) else float(v), ind.unit,
            o.year if known else ind.year,
            o.confidence if known else text["in.missing"],
            ", ".join(o.source_ids) if known else "",
            key(iso, ind.id),
        ])
    cols = [text["rk.iso"], text["in.province"], text["in.indicator"], text["wt.pillar"], text["in.value"],
            text["in.unit"], text["in.year"], text["in.confidence"], text["in.sources"], text["in.key"]]
    fmts = {TB_VALUE: styles["value"], TB_YEAR: styles["int"]}
    ws.add_table(layout.tb_header, 0, layout.tb_last, TB_KEY, {
        "name": "QIT_RawValues", "style": "Table Style Light 9", "data": rows,
        "columns": [{"header": h, **({"format": fmts[c]} if c in fmts else {})} for c, h in enumerate(cols)],
    })


def _ind_head(ind: Indicator, lang: str, unit: bool = False) -> str:
    return f"{ind.label(lang)} ({ind.unit})" if unit and ind.unit else ind.label(lang)


def tier_cf(ctx: Context, ws, r1: int, r2: int, c1: int, c2: int, level_col: int) -> None:
    """Colour cells c1..c2 of rows r1..r2 by the tier level held in ``level_col`` (same row)."""
    col = col_letters(level_col + 1)
    for tier in ctx.ds.tiers:
        ws.conditional_format(r1, c1, r2, c2, {
            "type": "formula", "criteria": f"=${col}{r1 + 1}={tier.level}", "format": ctx.styles.tier_cf(tier.level)})

