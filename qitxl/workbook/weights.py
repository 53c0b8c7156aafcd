"""Weights sheet: editable pillar weights, the indicator weights within pillars, tier thresholds."""

from __future__ import annotations

from ..i18n import localised
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
    layout, words, styles, ds, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.lang
    ws = ctx.sheets["weights"]
    ws.hide_gridlines(2)
    ws.set_column(WT_ID, WT_ID, 16)
    ws.set_column(WT_LABEL, WT_LABEL, 30)
    ws.set_column(WT_WEIGHT, WT_DEFAULT, 14)
    ws.set_column(WT_ABOUT, WT_ABOUT, 70)
    ws.set_column(WT_ABOUT + 1, WT_ABOUT + 1, 14)
    ws.write(0, 0, words["wt.title"], styles["title"])
    ws.set_row(0, 24)
    ws.write(1, 0, words["wt.note"], styles["subtitle"])

    heads = [words[k] for k in ("wt.id", "wt.pillar", "wt.weight", "wt.used", "wt.default", "wt.about")]
    ws.write_row(layout.wt_header, 0, heads, styles["header"])
    ws.set_row(layout.wt_header, 30)
    weights = ctx.res.weights
    inputs = area(layout.wt_first, WT_WEIGHT, layout.wt_last, WT_WEIGHT)
    total = sum(weights.values())
    for k, p in enumerate(ds.pillars):
        r = layout.wt_first + k
        ws.write_string(r, WT_ID, p.id, styles["cell"])
        ws.write_string(r, WT_LABEL, p.label(lang), styles["cellwrap"])
        ws.write_number(r, WT_WEIGHT, weights[p.id], styles["input"])
        # rescaled by the sum, as model.resolve_weights does; 0 (not #DIV/0!) when all are zero
        ws.write_formula(r, WT_USED, f"=IF(SUM({inputs})=0,0,{cell(r, WT_WEIGHT, False)}/SUM({inputs}))",
                         styles["weight"], weights[p.id] / total)
        ws.write_number(r, WT_DEFAULT, p.weight, styles["weight"])
        about = localised(p, "about", lang)
        ws.write_string(r, WT_ABOUT, about, styles["cellwrap"])
        ws.set_row(r, 15 * max(1, -(-len(about) // (40 if lang == "zh" else 80))) + 2)
    ws.data_validation(layout.wt_first, WT_WEIGHT, layout.wt_last, WT_WEIGHT, {
        "validate": "decimal", "criteria": ">=", "value": 0,
        "input_title": words["wt.val.title"], "input_message": words["wt.val.msg"],
        "error_title": words["wt.val.title"], "error_message": words["wt.val.err"],
    })
    ws.write_string(layout.wt_sum, WT_LABEL, words["wt.sum"], styles["rowhead"])
    ws.write_formula(layout.wt_sum, WT_WEIGHT, f"=SUM({inputs})", styles["weight"], total)
    used = area(layout.wt_first, WT_USED, layout.wt_last, WT_USED)
    ws.write_formula(layout.wt_sum, WT_USED, f"=SUM({used})", styles["weight"],
                     sum(w / total for w in weights.values()))
    # the check message is built by formula so it follows edits
    ok, zero = words["wt.ok"].replace('"', '""'), words["wt.zero"].replace('"', '""')
    pre, _, post = words["wt.rescaled"].partition("{sum}")
    check = (f'=IF(SUM({inputs})=0,"{zero}",IF(ABS(SUM({inputs})-1)<1E-9,"{ok}",'
             f'"{pre}"&TEXT(SUM({inputs}),"0.000")&"{post}"))')
    cached = words["wt.ok"] if abs(total - 1) < 1e-9 else words["wt.rescaled"].format(sum=f"{total:.3f}")
    ws.merge_range(layout.wt_check, WT_ID, layout.wt_check, WT_ABOUT, "", styles["check"])
    ws.write_formula(layout.wt_check, WT_ID, check, styles["check"], cached)

    # indicator weights within each pillar (read by the Indicators sheet)
    ws.write(layout.wi_title, 0, words["wt.ind"], styles["section"])
    heads = ("wt.ind.id", "wt.ind.label", "wt.ind.weight", "wt.ind.direction", "wt.ind.transform", "wt.pillar",
             "wt.ind.unit")
    ws.write_row(layout.wi_header, 0, [words[k] for k in heads], styles["header"])
    ws.set_row(layout.wi_header, 30)
    for ind in layout.indicators:
        r = layout.wi_row[ind.id]
        ws.write_string(r, 0, ind.id, styles["cell"])
        ws.write_string(r, 1, ind.label(lang), styles["cellwrap"])
        ws.write_number(r, layout.WI_WEIGHT, ind.weight, styles["weight"])
        ws.write_string(r, 3, words["dir.up"] if ind.direction == 1 else words["dir.down"], styles["cell"])
        ws.write_string(r, 4, words[f"tr.{ctx.res.transforms[ind.id]}"], styles["cell"])
        ws.write_string(r, 5, ds.pillar(ind.pillar).label(lang), styles["cell"])
        ws.write_string(r, 6, ind.unit, styles["cell"])

    ws.write(layout.ti_title, 0, words["wt.tiers"], styles["section"])
    ws.write_row(layout.ti_header, 0, [words["ov.level"], words["ov.tier"], words["ov.min"]], styles["header"])
    for k, tier in enumerate(ds.tiers):
        r = layout.ti_first + k
        ws.write_number(r, TI_LEVEL, tier.level, styles.tier(tier.level))
        ws.write_string(r, TI_LABEL, tier.label(lang), styles.tier(tier.level))
        ws.write_number(r, TI_MIN, tier.min_score, styles["score"])
    ws.freeze_panes(layout.wt_header + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, layout.ti_last, WT_ABOUT)
