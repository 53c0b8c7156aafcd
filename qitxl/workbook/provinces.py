"""All provinces sheet: the 34 provincial-level divisions, assessed or not, with live scores for the assessed."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from .indicators import cached
from .layout import SC_ISO, SC_RANK, SC_SCORE, SC_TIER, Context

ISO, LEGACY, GB, NAME_EN, NAME_ZH, SHORT, PINYIN, TYPE, REGION, CAPITAL, ASSESSED, RANK, SCORE, TIER = range(14)
HEADER, FIRST = 2, 3


def write(ctx: Context) -> None:
    """Write the All provinces sheet."""
    L, t, s, ds, res, lang = ctx.layout, ctx.t, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ws = ctx.sheets["provinces"]
    for c, w in enumerate((9, 11, 10, 16, 14, 8, 14, 16, 10, 12, 9, 7, 10, 12)):
        ws.set_column(c, c, w)
    ws.write(0, 0, t["ap.title"], s["title"])
    ws.set_row(0, 24)
    heads = [t["rk.iso"], t["ap.legacy"], t["ap.gb"], t["rk.name_en"], t["rk.name_zh"], t["ap.short"],
             t["ap.pinyin"], t["ap.type"], t["rk.region"], t["ap.capital"], t["ap.assessed"], t["rk.rank"],
             t["rk.score"], t["rk.tier"]]
    ws.write_row(HEADER, 0, heads, s["header"])
    ws.set_row(HEADER, 32)
    iso_col = L.sc_col(SC_ISO)
    for n, p in enumerate(ds.provinces):
        r = FIRST + n
        ws.write_row(r, 0, [p.iso_code, p.iso_code_legacy, p.gb_code, p.name_en, p.name_zh, p.name_zh_short,
                            p.pinyin_tone, p.type_zh if lang == "zh" and p.type_zh else p.type,
                            ctx.region(p.region), p.capital_zh if lang == "zh" else p.capital_en,
                            t["yes"] if p.assessed else t["no"]], s["cell"])
        if p.iso_code in res.iso_codes:
            i = res.iso_codes.index(p.iso_code)
            me = f"${xl_col_to_name(ISO)}{r + 1}"
            tier = res.tier(p.iso_code, lang)
            for col, sc, fmt, value in ((RANK, SC_RANK, s["int"], cached(res.ranks[i])),
                                        (SCORE, SC_SCORE, s["score"], cached(res.scores[i])),
                                        (TIER, SC_TIER, s["cell"], "" if tier.level is None else tier.label)):
                ws.write_formula(r, col, f"=INDEX({L.sc_col(sc)},MATCH({me},{iso_col},0))", fmt, value)
        else:
            ws.merge_range(r, RANK, r, TIER, t["not_assessed"], s["muted"])
    last = FIRST + len(ds.provinces) - 1
    ws.autofilter(HEADER, 0, last, TIER)
    ws.freeze_panes(FIRST, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER)
    ws.print_area(0, 0, last, TIER)
