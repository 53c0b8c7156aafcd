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
    layout, words, styles, ds, lang = ctx.layout, ctx.words, ctx.styles, ctx.ds, ctx.lang
    ws = ctx.sheets["sources"]
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    ws.write(0, 0, words["so.title"], styles["title"])
    ws.set_row(0, 24)
    heads = [words[k] for k in ("so.id", "so.title_col", "so.publisher", "so.date", "so.kind", "so.confidence",
                                "so.values", "so.url")]
    ws.write_row(layout.so_header, 0, heads, styles["header"])
    ws.set_row(layout.so_header, 30)
    used = Counter(sid for o in ds.observations for sid in o.source_ids)
    for n, src in enumerate(ds.sources.values()):
        r = layout.so_first + n
        ws.write_string(r, ID, src.source_id, styles["cell"])
        ws.write_string(r, TITLE, src.title, styles["cellwrap"])
        ws.write_string(r, PUBLISHER, src.publisher, styles["cellwrap"])
        ws.write_string(r, DATE, src.date, styles["cell"])
        ws.write_string(r, KIND, src.kind, styles["cell"])
        ws.write_string(r, CONF, src.confidence, styles["cell"])
        ws.write_number(r, VALUES, used.get(src.source_id, 0), styles["int"])
        fit(ws, r, {TITLE: src.title, PUBLISHER: src.publisher})
        if src.url.startswith(("http://", "https://")) and len(src.url) <= MAX_URL:
            ws.write_url(r, URL, src.url, styles["link"], src.url)
        else:
            ws.write_string(r, URL, src.url, styles["cell"])
    ws.autofilter(layout.so_header, 0, layout.so_last, URL)

    ws.write(layout.ev_title, 0, words["so.evidence"], styles["section"])
    heads = [words["in.key"], words["so.note"], words["so.citations"], words["in.province"], words["in.indicator"],
             words["so.confidence"], words["in.value"], words["in.sources"]]
    ws.write_row(layout.ev_header, 0, heads, styles["header"])
    for n, (iso, ind) in enumerate(layout.tb_rows):
        r = layout.ev_first + n
        o = ctx.observation(iso, ind.id)
        note, cites = ctx.evidence(iso, ind.id)
        ws.write_string(r, EV_KEY, key(iso, ind.id), styles["cell"])
        ws.write_string(r, EV_NOTE, note, styles["cellwrap"])
        ws.write_string(r, EV_CITES, cites, styles["cellwrap"])
        ws.write_string(r, EV_NAME, ctx.name(iso), styles["cell"])
        ws.write_string(r, EV_IND, ind.label(lang), styles["cellwrap"])
        ws.write_string(r, EV_CONF, o.confidence if o else words["in.missing"], styles["cell"])
        if o is not None:
            ws.write_number(r, EV_VALUE, o.value, styles["value"])
        ids = ", ".join(o.source_ids) if o else ""
        ws.write_string(r, EV_SOURCES, ids, styles["cellwrap"])
        fit(ws, r, {EV_NOTE: note, EV_CITES: cites, EV_IND: ind.label(lang), EV_SOURCES: ids})
    ws.freeze_panes(layout.so_header + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, layout.ev_last, URL)
