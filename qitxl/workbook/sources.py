"""Sources sheet: every source with a hyperlink, then the evidence behind each value."""

from __future__ import annotations

from collections import Counter

from .layout import EV_CITES, EV_CONF, EV_IND, EV_KEY, EV_NAME, EV_NOTE, EV_SOURCES, EV_VALUE, Context, key

ID, TITLE, PUBLISHER, DATE, KIND, CONF, VALUES, URL = range(8)
MAX_URL = 2079  # Excel's limit on a hyperlink's length
WIDTHS = (24, 50, 34, 11, 16, 13, 9, 48)


def fit(ws, row: int, cells: dict[int, str]) -> None:
    """Row height for wrapped text (row heights do not grow by themselves when the file is opened)."""
    lines = max(max(1, -(-len(v) // max(1, WIDTHS[c] - 2))) for c, v in cells.items())
    ws.set_row(row, 13 * lines + 2)


def write(ctx: Context) -> None:
    """Write the Sources sheet."""
    L, t, s, ds, lang = ctx.layout, ctx.t, ctx.styles, ctx.ds, ctx.lang
    ws = ctx.sheets["sources"]
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    ws.write(0, 0, t["so.title"], s["title"])
    ws.set_row(0, 24)
    heads = [t["so.id"], t["so.title_col"], t["so.publisher"], t["so.date"], t["so.kind"], t["so.confidence"],
             t["so.values"], t["so.url"]]
    ws.write_row(L.so_header, 0, heads, s["header"])
    ws.set_row(L.so_header, 30)
    used = Counter(sid for o in ds.observations for sid in o.source_ids)
    for n, src in enumerate(ds.sources.values()):
        r = L.so_first + n
        ws.write_string(r, ID, src.source_id, s["cell"])
        ws.write_string(r, TITLE, src.title, s["cellwrap"])
        ws.write_string(r, PUBLISHER, src.publisher, s["cellwrap"])
        ws.write_string(r, DATE, src.date, s["cell"])
        ws.write_string(r, KIND, src.kind, s["cell"])
        ws.write_string(r, CONF, src.confidence, s["cell"])
        ws.write_number(r, VALUES, used.get(src.source_id, 0), s["int"])
        fit(ws, r, {TITLE: src.title, PUBLISHER: src.publisher})
        if src.url.startswith(("http://", "https://")) and len(src.url) <= MAX_URL:
            ws.write_url(r, URL, src.url, s["link"], src.url)
        else:
            ws.write_string(r, URL, src.url, s["cell"])
    ws.autofilter(L.so_header, 0, L.so_last, URL)

    ws.write(L.ev_title, 0, t["so.evidence"], s["section"])
    heads = [t["in.key"], t["so.note"], t["so.citations"], t["in.province"], t["in.indicator"],
             t["so.confidence"], t["in.value"], t["in.sources"]]
    ws.write_row(L.ev_header, 0, heads, s["header"])
    for n, (iso, ind) in enumerate(L.tb_rows):
        r = L.ev_first + n
        o = ctx.observation(iso, ind.id)
        note, cites = ctx.evidence(iso, ind.id)
        ws.write_string(r, EV_KEY, key(iso, ind.id), s["cell"])
        ws.write_string(r, EV_NOTE, note, s["cellwrap"])
        ws.write_string(r, EV_CITES, cites, s["cellwrap"])
        ws.write_string(r, EV_NAME, ctx.name(iso), s["cell"])
        ws.write_string(r, EV_IND, ind.label(lang), s["cellwrap"])
        ws.write_string(r, EV_CONF, o.confidence if o else t["in.missing"], s["cell"])
        if o is not None:
            ws.write_number(r, EV_VALUE, o.value, s["value"])
        ids = ", ".join(o.source_ids) if o else ""
        ws.write_string(r, EV_SOURCES, ids, s["cellwrap"])
        fit(ws, r, {EV_NOTE: note, EV_CITES: cites, EV_IND: ind.label(lang), EV_SOURCES: ids})
    ws.freeze_panes(L.so_header + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, L.ev_last, URL)
