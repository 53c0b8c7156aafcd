"""``qitxl dataset export``: the whole dataset as one editable Excel workbook.

One sheet per table (provinces, indicators in long form, sources, reported tiers, the coding
record when there is one, methodology as ``table, id, key, value`` rows) and a README sheet. Every
header cell carries a note saying what the column holds; codes, indicators, confidence levels and
source ids have drop-down lists; headers are frozen and filterable; widths fit the contents.
``qitxl.dataset_xlsx`` reads the workbook back: export then load gives an equal Dataset.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from .atomic import write_atomic
from .dataset import (
    CONFIDENCE_LEVELS,
    REGIONS,
    REQUIRED,
    TYPES,
    Dataset,
    RawDataset,
    Table,
    build,
    read_raw,
)

#: Sheet name for each table, in the order the workbook shows them.
SHEETS = {"provinces.csv": "provinces", "indicators.csv": "indicators", "sources.csv": "sources",
          "reported_tiers.csv": "reported_tiers", "coding.csv": "coding"}
#: Optional columns every export carries (empty where the source lacks them), so users can fill them.
OPTIONAL = {
    "provinces.csv": ("name_iso", "pinyin", "aliases_en", "abbr_zh", "type_zh", "capital_en", "capital_zh",
                      "nbs_statistics"),
    "indicators.csv": ("note",),
    "sources.csv": ("accessed",),
    "reported_tiers.csv": ("reported_label_zh",),
    "coding.csv": (),
}
README_WIDTH = 100
NUMERIC = {"value", "year", "reported_tier", "coder_a", "coder_b", "final"}
NOTES = {
    "iso_code": "ISO 3166-2:CN code of the province, e.g. CN-AH. Pick from the list (the provinces sheet).",
    "iso_code_legacy": "Pre-2017 numeric ISO code, e.g. CN-34.",
    "gb_code": "GB/T 2260 six-digit code, e.g. 340000.",
    "name_en": "English name.", "name_zh": "Full Chinese name, e.g. 安徽省.", "name_zh_short": "Short Chinese name.",
    "name_iso": "ISO romanisation.", "pinyin_tone": "Pinyin with tones.", "pinyin": "Pinyin without tones.",
    "aliases_en": "Other English spellings, separated by |.", "abbr_zh": "简称 abbreviations, separated by |.",
    "type": "Province, Municipality, Autonomous region or Special administrative region.",
    "region": "NBS region: East, Central, West, Northeast (blank outside them).",
    "nbs_statistics": "yes if NBS publishes statistics for it, else no.",
    "indicator": "Indicator id (see the methodology sheet). qit_* are the coded 0-5 QIT ratings.",
    "value": "The number. A qit_* rating is a whole number 0-5.",
    "year": "The year the value describes.",
    "unit": "Unit; must match the indicator's unit in the methodology sheet.",
    "source_id": "Source id(s) from the sources sheet; several separated by |.",
    "confidence": "official, institutional, peer_reviewed, major_outlet, secondary, thin or review.",
    "note": "What the evidence is, in your own words.",
    "title": "Title of the source.", "publisher": "Who published it.", "date": "Publication date (text or a date).",
    "url": "Where it is.", "kind": "What kind of source it is.", "accessed": "When the URL was accessed.",
    "reported_tier": "The seed article's tier, 1 = top.", "reported_label": "Its label, as reported.",
    "coder_a": "First coder's rating, 0-5.", "coder_b": "Second coder's rating, 0-5.",
    "final": "Reconciled rating. A different value on the indicators sheet is a rating revised since "
             "(qitxl audit lists those).",
    "resolution": "How the final rating was reached where the coders differ.",
}
README = [
    ("qitxl dataset workbook", None),
    ("This workbook is a complete qitxl dataset. Edit it in Excel, then use it with any qitxl command "
     "(qitxl rank --dataset FILE, qitxl generate --dataset FILE, ...) or with the Excel functions "
     "(set the environment variable QITXL_DATASET to the file's path).", None),
    ("Check it with: qitxl validate FILE (every problem is listed with its sheet, row and column).", None),
    ("", None),
    ("Sheets", "bold"),
    ("provinces: the 34 provincial-level divisions, their codes and names.", None),
    ("indicators: one row per province, indicator and year (long form). qit_* rows are the coded 0-5 QIT "
     "ratings; the rest are official statistics.", None),
    ("sources: every source once; every value names its source(s) in source_id.", None),
    ("reported_tiers: the seed article's tiers, as reported.", None),
    ("coding: both coders' ratings of each QIT cell and the reconciled rating (optional).", None),
    ("methodology: pillars, indicators, weights, method choices and tiers, one value per row "
     "(table, id, key, value). Change a pillar's weight here; weights must sum to 1.", None),
    ("", None),
    ("Rules", "bold"),
    ("The first row of each sheet is its header; keep the column names (order does not matter, extra "
     "columns are kept). Do not merge cells.", None),
    ("Sheets are found by name (English or Chinese) or, if renamed, by their header. Other sheets are ignored. "
     "A table the workbook lacks is taken from the bundled dataset.", None),
    ("Numbers typed as text and dates are fine. A formula is read by the value Excel saved with it.", None),
]


def export_bytes(raw: RawDataset, ds: Dataset) -> bytes:
    """The dataset workbook for a validated raw dataset, as bytes."""
    import xlsxwriter  # here, not at the top: the command line imports this module to list its arguments

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{ds.title_en} (dataset {ds.version})", "author": "qitxl",
                       "created": _created(ds.date)})
    fmt = {"head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": False}),
           "bold": wb.add_format({"bold": True, "font_size": 12}), "wrap": wb.add_format({"text_wrap": True,
                                                                                          "valign": "top"})}
    _write_readme(wb, fmt, ds)
    lists = _lists_sheet(wb, raw, ds)
    for name, sheet in SHEETS.items():
        table = raw.tables.get(name)
        if table is not None:
            _write_table(wb, fmt, sheet, _columns(table, name), table, lists)
    _write_methodology(wb, fmt, raw.meta or {})
    wb.worksheets()[0].activate()
    wb.close()
    return buf.getvalue()


def _created(date: str):  # noqa: ANN202 - a datetime
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(date)
    except ValueError:
        return dt.datetime(2000, 1, 1)


def _columns(table: Table, name: str) -> list[str]:
    cols = list(table.header) or list(REQUIRED[name])
    return cols + [c for c in (*REQUIRED[name], *OPTIONAL[name]) if c not in cols]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_readme(wb, fmt: Mapping, ds: Dataset) -> None:  # noqa: ANN001 - an xlsxwriter Workbook
    ws = wb.add_worksheet("README")
    ws.set_column(0, 0, README_WIDTH)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.write_string(0, 0, f"{ds.title_en} / {ds.title_zh}", fmt["bold"])
    ws.write_string(1, 0, f"dataset {ds.version} ({ds.date}); {len(ds.provinces)} provinces, "
                          f"{len(ds.observations)} values, {len(ds.sources)} sources")
    for n, (text, style) in enumerate(README, start=3):
        ws.write_string(n, 0, text, fmt[style or "wrap"])
        lines = -(-_width(text) // README_WIDTH)  # wrapped lines: rows get their height set, not guessed
        if lines > 1:
            ws.set_row(n, 15 * lines)


def _lists_sheet(wb, raw: RawDataset, ds: Dataset) -> dict[str, str]:  # noqa: ANN001
    """A hidden sheet holding the indicator ids; returns the list source for each list column."""
    ws = wb.add_worksheet("_lists")
    ids = sorted({i.id for i in ds.indicators} | {o.indicator for o in ds.observations})
    ws.write_string(0, 0, "indicator ids (for drop-down lists)")
    for n, iid in enumerate(ids, start=1):
        ws.write_string(n, 0, iid)
    ws.hide()
    iso_col = _letter(_columns(raw.tables["provinces.csv"], "provinces.csv").index("iso_code"))
    src_col = _letter(_columns(raw.tables["sources.csv"], "sources.csv").index("source_id"))
    return {
        "iso_code": f"='provinces'!${iso_col}$2:${iso_col}$1000",
        "source_id": f"='sources'!${src_col}$2:${src_col}$20000",
        "indicator": f"='_lists'!$A$2:$A${len(ids) + 200}",
    }


def _letter(index: int) -> str:
    from .cellrefs import col_letters

    return col_letters(index + 1)


def _validations(ws, col: int, name: str, last: int, lists: Mapping[str, str]) -> None:  # noqa: ANN001
    """Drop-down lists: closed lists stop bad input; open ones (new codes may be added) only warn."""
    closed = {"confidence": list(CONFIDENCE_LEVELS), "type": list(TYPES), "region": [r for r in REGIONS if r]}
    if name in closed:
        opts = {"validate": "list", "source": closed[name], "error_type": "stop",
                "error_message": f"{name} must be one of: {', '.join(closed[name])}"}
    elif name in lists and not (name == "iso_code" and ws.name == "provinces") \
            and not (name == "source_id" and ws.name == "sources"):
        opts = {"validate": "list", "source": lists[name], "error_type": "warning",
                "error_message": f"not a known {name}; add it to its own sheet first"}
    else:
        return
    opts["ignore_blank"] = True
    ws.data_validation(1, col, max(last, 1) + 500, col, opts)


def _write_table(wb, fmt: Mapping, sheet: str, cols: list[str], table: Table,  # noqa: ANN001
                 lists: Mapping[str, str]) -> None:
    ws = wb.add_worksheet(sheet)
    widths = [_width(c) + 2 for c in cols]
    for c, name in enumerate(cols):
        ws.write_string(0, c, name, fmt["head"])
        if name in NOTES:
            ws.write_comment(0, c, NOTES[name], {"x_scale": 2, "y_scale": 1.2})
    for r, row in enumerate(table.rows, start=1):
        for c, name in enumerate(cols):
            text = row.get(name, "")
            if not text:
                continue
            widths[c] = max(widths[c], _width(text) + 1)
            number = _exact_number(text) if name in NUMERIC else None
            if number is not None:
                ws.write_number(r, c, number)
            else:
                ws.write_string(r, c, text)
    for c, name in enumerate(cols):
        _validations(ws, c, name, len(table.rows), lists)
        ws.set_column(c, c, min(max(widths[c], 8), 60))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table.rows), 1), len(cols) - 1)
    ws.ignore_errors({"number_stored_as_text": f"A1:{_letter(len(cols) - 1)}{len(table.rows) + 1}"})


def _exact_number(text: str) -> float | None:
    """The number a text holds, if Excel's 16-digit storage gives it back exactly; else None (kept as text)."""
    try:
        x = float(text)
    except ValueError:
        return None
    if x != x or x in (float("inf"), float("-inf")) or float(f"{x:.16g}") != x:
        return None
    return x


def flatten(meta: Mapping) -> list[tuple[str, str, str, object]]:
    """methodology.toml's dict as (table, id, key, value) rows (``dataset_xlsx.unflatten`` reverses it)."""
    rows: list[tuple[str, str, str, object]] = []
    for section in ("dataset", "method"):
        rows += [(section, "", k, v) for k, v in meta.get(section, {}).items()]
    for p in meta.get("pillars", []):
        rows += [("pillar", str(p.get("id", "")), k, v) for k, v in p.items() if k != "id"]
    for iid, spec in meta.get("indicators", {}).items():
        rows += [("indicator", iid, k, v) for k, v in spec.items()]
    for t in meta.get("tiers", []):
        rows += [("tier", str(t.get("level", "")), k, v) for k, v in t.items() if k != "level"]
    return rows


def _write_methodology(wb, fmt: Mapping, meta: Mapping) -> None:  # noqa: ANN001
    ws = wb.add_worksheet("methodology")
    cols = ("table", "id", "key", "value")
    notes = ("dataset, method, pillar, indicator or tier", "the pillar id, indicator id or tier level",
             "the setting", "its value (numbers as numbers; goalposts as low, high)")
    for c, (name, note) in enumerate(zip(cols, notes, strict=True)):
        ws.write_string(0, c, name, fmt["head"])
        ws.write_comment(0, c, note, {"x_scale": 2})
    widths = [12, 16, 16, 40]
    for r, (table, ident, key, value) in enumerate(flatten(meta), start=1):
        ws.write_string(r, 0, table)
        ws.write_string(r, 1, ident)
        ws.write_string(r, 2, key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, 3, value)
        elif isinstance(value, list):
            ws.write_string(r, 3, ", ".join(str(v) for v in value))
        else:
            ws.write_string(r, 3, str(value))
        widths[3] = max(widths[3], min(_width(str(value)) + 1, 100))
    ws.data_validation(1, 0, 2000, 0, {"validate": "list", "error_type": "stop",
                                       "source": ["dataset", "method", "pillar", "indicator", "tier"]})
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)


def export(out: str | Path, source: str | Path | None = None, *, force: bool = False) -> Path:
    """Validate the dataset (bundled, a folder or a workbook) and write it as a workbook to ``out``.

    DatasetError if it does not validate; FileExistsError if ``out`` exists and not ``force``.
    """
    raw = read_raw(source)
    ds = build(raw)
    out = Path(out)
    data = export_bytes(raw, ds)
    write_atomic(out, data, replace=force)
    return out
