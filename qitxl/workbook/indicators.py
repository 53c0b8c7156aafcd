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
    L, t, s, ds, res, lang = ctx.layout, ctx.t, ctx.styles, ctx.ds, ctx.res, ctx.lang
    check_supported(res.normalisation, res.aggregation)
    ws = ctx.sheets["indicators"]
    for c, w in enumerate(COL_WIDTHS):
        ws.set_column(c, c, w)
    last_col = max(SC_PILLAR0 + len(ds.pillars), 2 + len(L.indicators), TB_KEY + 1) - 1
    if last_col >= len(COL_WIDTHS):
        ws.set_column(len(COL_WIDTHS), last_col, 13)
    ws.write(0, 0, t["in.title"], s["title"])
    ws.set_row(0, 24)
    ws.merge_range(1, 0, 1, 9, t["in.note"], s["muted"])
    ws.set_row(1, 42)
    ind_j = {iid: j for j, iid in enumerate(res.indicator_ids)}
    pil_k = {pid: k for k, pid in enumerate(res.pillar_ids)}
    method_label = {"minmax": "min-max", "goalposts": "goalposts", "rank": "percentile rank"}[res.normalisation]

    # ---- block 1: normalised values
    ws.write(L.norm_title, 0, t["in.norm"].format(method=method_label), s["section"])
    ws.write(L.norm_pillar_row, IN_NAME, t["in.pillar_row"], s["rowhead"])
    ws.write(L.norm_weight_row, IN_NAME, t["in.weight_row"], s["rowhead"])
    for p in ds.pillars:
        c1, c2 = L.pillar_cols[p.id]
        if c1 == c2:
            ws.write_string(L.norm_pillar_row, c1, p.label(lang), s["rowhead"])
        else:
            ws.merge_range(L.norm_pillar_row, c1, L.norm_pillar_row, c2, p.label(lang), s["rowhead"])
    ws.set_row(L.norm_pillar_row, 30)
    heads = [t["rk.iso"], t["in.province"]] + [_ind_head(ind, lang) for ind in L.indicators]
    ws.write_row(L.norm_header, 0, heads, s["header"])
    ws.set_row(L.norm_header, 54)
    for ind in L.indicators:
        c = L.ind_col[ind.id]
        wref = L.ref("weights", cell(L.wi_row[ind.id], L.WI_WEIGHT))
        ws.write_formula(L.norm_weight_row, c, f"={wref}", s["weight"], ind.weight)
    for i, iso in enumerate(L.isos):
        r = L.norm_first + i
        ws.write_string(r, IN_ISO, iso, s["cell"])
        ws.write_string(r, IN_NAME, ctx.name(iso), s["cell"])
        for ind in L.indicators:
            c = L.ind_col[ind.id]
            x = cell(L.raw_first + i, c)
            ws.write_formula(r, c, norm_formula(ctx, ind, x, L.raw_col(ind.id)), s["score"],
                             cached(res.normalised[i, ind_j[ind.id]]))

    # ---- block 2: pillar scores, composite, rank, tier
    ws.write(L.sc_title, 0, t["in.scores"], s["section"])
    ws.write(L.sc_weight_row, SC_PILLAR0 - 1, t["in.pweight_row"], s["rowhead"])
    heads = [t["rk.iso"], t["in.province"], t["rk.region"], t["rk.reported"], t["rk.score"],
             t["in.ranked"].format(decimals=RANK_DECIMALS), t["rk.rank"], t["rk.level"], t["rk.tier"]]
    heads += [p.label(lang) for p in ds.pillars]
    ws.write_row(L.sc_header, 0, heads, s["header"])
    ws.set_row(L.sc_header, 42)
    P = len(ds.pillars)
    pw = area(L.sc_weight_row, SC_PILLAR0, L.sc_weight_row, SC_PILLAR0 + P - 1)
    for k, p in enumerate(ds.pillars):
        ws.write_formula(L.sc_weight_row, SC_PILLAR0 + k, f"={L.weight_used(p.id)}", s["weight"], res.weights[p.id])
    ranked_col = area(L.sc_first, SC_RANKED, L.sc_first + L.n - 1, SC_RANKED)
    for i, iso in enumerate(L.isos):
        r = L.sc_first + i
        prov = ds.province(iso)
        ws.write_string(r, SC_ISO, iso, s["cell"])
        ws.write_string(r, SC_NAME, ctx.name(iso), s["cell"])
        ws.write_string(r, SC_REGION, ctx.region(prov.region), s["cell"])
        ws.write_string(r, SC_REPORTED, ctx.reported(iso), s["cell"])
        for k, p in enumerate(ds.pillars):
            c1, c2 = L.pillar_cols[p.id]
            f = weighted_mean_formula(area(L.norm_weight_row, c1, L.norm_weight_row, c2),
                                      area(L.norm_first + i, c1, L.norm_first + i, c2))
            ws.write_formula(r, SC_PILLAR0 + k, f, s["score"], cached(res.pillars[i, pil_k[p.id]]))
        pillars = area(r, SC_PILLAR0, r, SC_PILLAR0 + P - 1)
        ws.write_formula(r, SC_SCORE, weighted_mean_formula(pw, pillars), s["score_bold"], cached(res.scores[i]))
        ws.write_formula(r, SC_RANKED, ranked_formula(cell(r, SC_SCORE)), s["score_ranked"],
                         cached(float(rank_basis(res.scores[i]))))
        B = cell(r, SC_RANKED)
        ws.write_formula(r, SC_RANK, f'=IF(ISNUMBER({B}),_xlfn.RANK.EQ({B},{ranked_col}),"")', s["int"],
                         cached(res.ranks[i]))
        tier = res.tier(iso, lang)
        ws.write_formula(r, SC_LEVEL, f'=IF(ISNUMBER({B}),SUMPRODUCT(({L.tier_mins()}>{B})*1)+1,"")', s["int"],
                         "" if tier.level is None else tier.level)
        G = cell(r, SC_LEVEL)
        ws.write_formula(r, SC_TIER, f'=IF(ISNUMBER({G}),INDEX({L.tier_labels()},{G}),"")', s["cell"],
                         "" if tier.level is None else tier.label)
    tier_cf(ctx, ws, L.sc_first, L.sc_first + L.n - 1, SC_LEVEL, SC_TIER, SC_LEVEL)

    # ---- block 3: raw values used, looked up by key from the table
    ws.write(L.raw_title, 0, t["in.raw"], s["section"])
    heads = [t["rk.iso"], t["in.province"]] + [_ind_head(ind, lang, unit=True) for ind in L.indicators]
    ws.write_row(L.raw_header, 0, heads, s["header"])
    ws.set_row(L.raw_header, 54)
    ws.write_string(L.raw_year, IN_NAME, t["in.year"], s["rowhead"])
    for ind in L.indicators:
        ws.write_string(L.raw_year, L.ind_col[ind.id], year_label(res, ind.id), s["rowhead"])
    values = area(L.tb_first, TB_VALUE, L.tb_last, TB_VALUE)
    keys = area(L.tb_first, TB_KEY, L.tb_last, TB_KEY)
    for i, iso in enumerate(L.isos):
        r = L.raw_first + i
        ws.write_string(r, IN_ISO, iso, s["cell"])
        ws.write_string(r, IN_NAME, ctx.name(iso), s["cell"])
        for ind in L.indicators:
            look = f'INDEX({values},MATCH("{key(iso, ind.id)}",{keys},0))'
            ws.write_formula(r, L.ind_col[ind.id], f'=IF(ISNUMBER({look}),{look},"")', s["value"],
                             cached(res.raw[i, ind_j[ind.id]]))

    # ---- block 4: the raw values as an Excel table
    ws.write(L.tb_title, 0, t["in.table"], s["section"])
    rows = []
    for iso, ind in L.tb_rows:
        o = ctx.observation(iso, ind.id)
        i = L.isos.index(iso)
        v = res.raw[i, ind_j[ind.id]]
        rows.append([
            iso, ctx.name(iso), ind.label(lang), ds.pillar(ind.pillar).label(lang),
            None if math.isnan(v) else float(v), ind.unit,
            o.year if o is not None and not math.isnan(v) else ind.year,
            o.confidence if o is not None and not math.isnan(v) else t["in.missing"],
            ", ".join(o.source_ids) if o is not None and not math.isnan(v) else "",
            key(iso, ind.id),
        ])
    cols = [t["rk.iso"], t["in.province"], t["in.indicator"], t["wt.pillar"], t["in.value"], t["in.unit"],
            t["in.year"], t["in.confidence"], t["in.sources"], t["in.key"]]
    fmts = {TB_VALUE: s["value"], TB_YEAR: s["int"]}
    ws.add_table(L.tb_header, 0, L.tb_last, TB_KEY, {
        "name": "QIT_RawValues", "style": "Table Style Light 9", "data": rows,
        "columns": [{"header": h, **({"format": fmts[c]} if c in fmts else {})} for c, h in enumerate(cols)],
    })
    ws.freeze_panes(L.norm_header + 1, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_columns(0, 1)
    ws.print_area(0, 0, L.tb_last, last_col)


def _ind_head(ind: Indicator, lang: str, unit: bool = False) -> str:
    return f"{ind.label(lang)} ({ind.unit})" if unit and ind.unit else ind.label(lang)


def tier_cf(ctx: Context, ws, r1: int, r2: int, c1: int, c2: int, level_col: int) -> None:
    """Colour cells c1..c2 of rows r1..r2 by the tier level held in ``level_col`` (same row)."""
    from xlsxwriter.utility import xl_col_to_name

    col = xl_col_to_name(level_col)
    for tier in ctx.ds.tiers:
        ws.conditional_format(r1, c1, r2, c2, {
            "type": "formula", "criteria": f"=${col}{r1 + 1}={tier.level}", "format": ctx.styles.tier_cf(tier.level)})

