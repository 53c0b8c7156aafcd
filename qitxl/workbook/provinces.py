"""All provinces sheet: the 34 provincial-level divisions, assessed or not, with live scores for the assessed."""

from __future__ import annotations

from ..cellrefs import col_letters
from ..i18n import localised
from .indicators import cached
from .layout import SC_ISO, SC_RANK, SC_SCORE, SC_TIER, Context

ISO, LEGACY, GB, NAME_EN, NAME_ZH, SHORT, PINYIN, TYPE, REGION, CAPITAL, ASSESSED, RANK, SCORE, TIER = range(14)
HEADER, FIRST = 2, 3


def write(ctx: Context) -> None:
    """Write the All provinces sheet."""
    layout, words, styles, ds, res, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ws = ctx.sheets["provinces"]
    for c, w in enumerate((9, 11, 10, 16, 14, 8, 14, 16, 10, 12, 9, 7, 10, 12)):
        ws.set_column(c, c, w)
    ws.write(0, 0, words["ap.title"], styles["title"])
    ws.set_row(0, 24)
    heads = [words[k] for k in ("rk.iso", "ap.legacy", "ap.gb", "rk.name_en", "rk.name_zh", "ap.short", "ap.pinyin",
                                "ap.type", "rk.region", "ap.capital", "ap.assessed", "rk.rank", "rk.score", "rk.tier")]
    ws.write_row(HEADER, 0, heads, styles["header"])
    ws.set_row(HEADER, 32)
    iso_col = layout.sc_col(SC_ISO)
    for n, p in enumerate(ds.provinces):
        r = FIRST + n
        ws.write_row(r, 0, [p.iso_code, p.iso_code_legacy, p.gb_code, p.name_en, p.name_zh, p.name_zh_short,
                            p.pinyin_tone, p.type_zh if lang == "zh" and p.type_zh else p.type,
                            ctx.region(p.region), localised(p, "capital", lang),
                            words["yes"] if p.assessed else words["no"]], styles["cell"])
        if p.iso_code in res.iso_codes:
            i = res.iso_codes.index(p.iso_code)
            me = f"${col_letters(ISO + 1)}{r + 1}"
            tier = res.tier(p.iso_code, lang)
            for col, sc, fmt, value in ((RANK, SC_RANK, styles["int"], cached(res.ranks[i])),
                                        (SCORE, SC_SCORE, styles["score"], cached(res.scores[i])),
                                        (TIER, SC_TIER, styles["cell"], "" if tier.level is None else tier.label)):
                ws.write_formula(r, col, f"=INDEX({layout.sc_col(sc)},MATCH({me},{iso_col},0))", fmt, value)
        else:
            ws.merge_range(r, RANK, r, TIER, words["not_assessed"], styles["muted"])
    last = FIRST + len(ds.provinces) - 1
    ws.autofilter(HEADER, 0, last, TIER)
    ws.freeze_panes(FIRST, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(HEADER)
    ws.print_area(0, 0, last, TIER)
