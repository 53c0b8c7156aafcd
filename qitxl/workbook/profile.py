"""Profile sheet: pick a province from a drop-down; its card (scores, pillar bars, evidence) follows."""

from __future__ import annotations

import math

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
    Context,
    area,
    cell,
)

LABEL, VALUE, NORM, NOTE, CITES, HELPER = 1, 2, 3, 4, 5, 7
NOTE_CHARS, CITE_CHARS = 62, 44


def _lines(text: str, width: int) -> int:
    return max(1, math.ceil(len(text) / width)) if text else 1


def write(ctx: Context) -> None:
    """Write the Profile sheet; everything below the drop-down is INDEX over the selected position."""
    L, t, s, ds, res, lang = ctx.layout, ctx.t, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ws = ctx.sheets["profile"]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 2)
    ws.set_column(LABEL, LABEL, 28)
    ws.set_column(VALUE, NORM, 12)
    ws.set_column(NOTE, NOTE, 58)
    ws.set_column(CITES, CITES, 42)
    ws.set_column(HELPER, HELPER, 6, None, {"hidden": True})
    ws.write(0, LABEL, t["pf.title"], s["title"])
    ws.set_row(0, 26)

    iso = res.order()[0]
    i = res.iso_codes.index(iso)
    pr, pc = L.pf_pick
    ws.write_string(pr, LABEL, t["pf.pick"], s["rowhead"])
    ws.merge_range(pr, VALUE, pr, NORM, ctx.name(iso), s["input_text"])
    ws.set_row(pr, 22)
    names = L.sc_col(SC_NAME)
    ws.data_validation(pr, pc, pr, pc, {
        "validate": "list", "source": f"={names}", "input_title": t["pf.val.title"],
        "input_message": t["pf.val.msg"], "error_title": t["pf.val.title"], "error_message": t["pf.val.msg"]})
    pos = cell(pr, HELPER)
    ws.write_formula(pr, HELPER, f"=MATCH({cell(pr, pc)},{names},0)", s["small"], i + 1)

    def at(col: int) -> str:
        return f"=INDEX({L.sc_col(col)},{pos})"

    tier = res.tier(iso, lang)
    card = [
        ("pf.iso", at(SC_ISO), iso, s["text"]),
        ("pf.region", at(SC_REGION), ctx.region(ds.province(iso).region), s["text"]),
        ("pf.rank", at(SC_RANK), cached(res.ranks[i]), s["bigint"]),
        ("pf.score", at(SC_SCORE), cached(res.scores[i]), s["big"]),
        ("pf.tier", at(SC_TIER), "" if tier.level is None else tier.label, s["bigtext"]),
        ("pf.reported", at(SC_REPORTED), ctx.reported(iso), s["text"]),
    ]
    r = pr + 2
    for label, formula, value, fmt in card:
        ws.write_string(r, LABEL, t[label], s["rowhead"])
        ws.write_formula(r, VALUE, formula, fmt, value)
        if label == "pf.rank":
            ws.write_string(r, NORM, f"{t['pf.of']} {L.n}", s["muted"])
        if label == "pf.tier":
            ws.write_formula(r, HELPER, at(SC_LEVEL), s["small"], "" if tier.level is None else tier.level)
            for td in ds.tiers:
                ws.conditional_format(r, VALUE, r, NORM, {
                    "type": "formula", "criteria": f"={cell(r, HELPER)}={td.level}", "format": s.tier_cf(td.level)})
            ws.merge_range(r, VALUE, r, NORM, "", fmt)
            ws.write_formula(r, VALUE, formula, fmt, value)
        ws.set_row(r, 20)
        r += 1

    r += 1
    ws.write(r, LABEL, t["pf.pillars"], s["section"])
    r += 1
    first = r
    for k, p in enumerate(ds.pillars):
        ws.write_string(r, LABEL, p.label(lang), s["cell"])
        ws.write_formula(r, VALUE, at(SC_PILLAR0 + k), s["score"], cached(res.pillars[i, res.pillar_ids.index(p.id)]))
        ws.write_string(r, NOTE, p.about_zh if lang == "zh" else p.about_en, s["muted"])
        ws.set_row(r, 26)
        r += 1
    ws.conditional_format(first, VALUE, r - 1, VALUE, {
        "type": "data_bar", "bar_color": "#2E75B6", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 100})

    r += 1
    ws.write(r, LABEL, t["pf.evidence"], s["section"])
    r += 1
    ws.write_row(r, LABEL, [t["in.indicator"], t["pf.raw"], t["pf.norm"], t["pf.note"], t["pf.cites"]], s["header"])
    r += 1
    notes, cites = L.ev_col(EV_NOTE), L.ev_col(EV_CITES)
    keys = L.ev_col(EV_KEY)
    ind_j = {iid: j for j, iid in enumerate(res.indicator_ids)}
    iso_at = f"INDEX({L.sc_col(SC_ISO)},{pos})"
    for ind in L.indicators:
        c = L.ind_col[ind.id]
        raw_col = L.ref("indicators", area(L.raw_first, c, L.raw_first + L.n - 1, c))
        norm_col = L.ref("indicators", area(L.norm_first, c, L.norm_first + L.n - 1, c))
        label = f"{ind.label(lang)} ({ind.unit})" if ind.unit else ind.label(lang)
        ws.write_string(r, LABEL, label, s["cellwrap"])
        ws.write_formula(r, VALUE, f"=INDEX({raw_col},{pos})", s["value"], cached(res.raw[i, ind_j[ind.id]]))
        ws.write_formula(r, NORM, f"=INDEX({norm_col},{pos})", s["score"],
                         cached(res.normalised[i, ind_j[ind.id]]))
        match = f'MATCH({iso_at}&"|{ind.id}",{keys},0)'
        note, cite = ctx.evidence(iso, ind.id)
        ws.write_formula(r, NOTE, f'=INDEX({notes},{match})&""', s["cellwrap"], note)
        ws.write_formula(r, CITES, f'=INDEX({cites},{match})&""', s["cellwrap"], cite)
        # rows cannot grow with a formula's result, so size them for the longest text any province has
        longest = max((_lines(ctx.evidence(o, ind.id)[0], NOTE_CHARS), _lines(ctx.evidence(o, ind.id)[1], CITE_CHARS))
                      for o in L.isos)
        ws.set_row(r, 13.5 * max(max(longest), _lines(label, 30)) + 3)
        r += 1
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, CITES)
