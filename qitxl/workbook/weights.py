"""Weights sheet: editable pillar weights, the indicator weights within pillars, tier thresholds."""

from __future__ import annotations

from .layout import (
    TI_LABEL,
    TI_LEVEL,
    TI_MIN,
    WT_ABOUT,
    WT_DEFAULT,
    WT_ID,
    WT_LABEL,
    WT_USED,
    WT_WEIGHT,
    Context,
    area,
    cell,
)


def write(ctx: Context) -> None:
    """Write the Weights sheet; pillar weights are the only inputs the scores depend on."""
    L, t, s, ds, lang = ctx.layout, ctx.t, ctx.styles, ctx.ds, ctx.lang
    ws = ctx.sheets["weights"]
    ws.hide_gridlines(2)
    ws.set_column(WT_ID, WT_ID, 16)
    ws.set_column(WT_LABEL, WT_LABEL, 30)
    ws.set_column(WT_WEIGHT, WT_DEFAULT, 14)
    ws.set_column(WT_ABOUT, WT_ABOUT, 70)
    ws.set_column(WT_ABOUT + 1, WT_ABOUT + 1, 14)
    ws.write(0, 0, t["wt.title"], s["title"])
    ws.set_row(0, 24)
    ws.write(1, 0, t["wt.note"], s["subtitle"])

    heads = [t["wt.id"], t["wt.pillar"], t["wt.weight"], t["wt.used"], t["wt.default"], t["wt.about"]]
    ws.write_row(L.wt_header, 0, heads, s["header"])
    ws.set_row(L.wt_header, 30)
    weights = ctx.res.weights
    inputs = area(L.wt_first, WT_WEIGHT, L.wt_last, WT_WEIGHT)
    total = sum(weights.values())
    for k, p in enumerate(ds.pillars):
        r = L.wt_first + k
        ws.write_string(r, WT_ID, p.id, s["cell"])
        ws.write_string(r, WT_LABEL, p.label(lang), s["cellwrap"])
        ws.write_number(r, WT_WEIGHT, weights[p.id], s["input"])
        # rescaled by the sum, as model.resolve_weights does; 0 (not #DIV/0!) when all are zero
        ws.write_formula(r, WT_USED, f"=IF(SUM({inputs})=0,0,{cell(r, WT_WEIGHT, False)}/SUM({inputs}))",
                         s["weight"], weights[p.id] / total)
        ws.write_number(r, WT_DEFAULT, p.weight, s["weight"])
        about = p.about_zh if lang == "zh" else p.about_en
        ws.write_string(r, WT_ABOUT, about, s["cellwrap"])
        ws.set_row(r, 15 * max(1, -(-len(about) // (40 if lang == "zh" else 80))) + 2)
    ws.data_validation(L.wt_first, WT_WEIGHT, L.wt_last, WT_WEIGHT, {
        "validate": "decimal", "criteria": ">=", "value": 0,
        "input_title": t["wt.val.title"], "input_message": t["wt.val.msg"],
        "error_title": t["wt.val.title"], "error_message": t["wt.val.err"],
    })
    ws.write_string(L.wt_sum, WT_LABEL, t["wt.sum"], s["rowhead"])
    ws.write_formula(L.wt_sum, WT_WEIGHT, f"=SUM({inputs})", s["weight"], total)
    used = area(L.wt_first, WT_USED, L.wt_last, WT_USED)
    ws.write_formula(L.wt_sum, WT_USED, f"=SUM({used})", s["weight"], sum(w / total for w in weights.values()))
    # the check message is built by formula so it follows edits
    ok, zero = t["wt.ok"].replace('"', '""'), t["wt.zero"].replace('"', '""')
    pre, _, post = t["wt.rescaled"].partition("{sum}")
    check = (f'=IF(SUM({inputs})=0,"{zero}",IF(ABS(SUM({inputs})-1)<1E-9,"{ok}",'
             f'"{pre}"&TEXT(SUM({inputs}),"0.000")&"{post}"))')
    cached = t["wt.ok"] if abs(total - 1) < 1e-9 else t["wt.rescaled"].format(sum=f"{total:.3f}")
    ws.merge_range(L.wt_check, WT_ID, L.wt_check, WT_ABOUT, "", s["check"])
    ws.write_formula(L.wt_check, WT_ID, check, s["check"], cached)

    # indicator weights within each pillar (read by the Indicators sheet)
    ws.write(L.wi_title, 0, t["wt.ind"], s["section"])
    ws.write_row(L.wi_header, 0, [t["wt.ind.id"], t["wt.ind.label"], t["wt.ind.weight"], t["wt.ind.direction"],
                                  t["wt.ind.transform"], t["wt.pillar"], t["wt.ind.unit"]], s["header"])
    ws.set_row(L.wi_header, 30)
    for ind in L.indicators:
        r = L.wi_row[ind.id]
        ws.write_string(r, 0, ind.id, s["cell"])
        ws.write_string(r, 1, ind.label(lang), s["cellwrap"])
        ws.write_number(r, L.WI_WEIGHT, ind.weight, s["weight"])
        ws.write_string(r, 3, t["dir.up"] if ind.direction == 1 else t["dir.down"], s["cell"])
        ws.write_string(r, 4, t[f"tr.{ctx.res.transforms[ind.id]}"], s["cell"])
        ws.write_string(r, 5, ds.pillar(ind.pillar).label(lang), s["cell"])
        ws.write_string(r, 6, ind.unit, s["cell"])

    ws.write(L.ti_title, 0, t["wt.tiers"], s["section"])
    ws.write_row(L.ti_header, 0, [t["ov.level"], t["ov.tier"], t["ov.min"]], s["header"])
    for k, tier in enumerate(ds.tiers):
        r = L.ti_first + k
        ws.write_number(r, TI_LEVEL, tier.level, s.tier(tier.level))
        ws.write_string(r, TI_LABEL, tier.label(lang), s.tier(tier.level))
        ws.write_number(r, TI_MIN, tier.min_score, s["score"])
    ws.freeze_panes(L.wt_header + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, L.ti_last, WT_ABOUT)
