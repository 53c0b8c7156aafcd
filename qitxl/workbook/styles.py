"""Shared cell formats and tier colours, created once per workbook."""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from ..model import RANK_DECIMALS

# Fill and font colours per tier level (1 = top); levels beyond the list reuse the last one.
TIER_COLOURS: tuple[tuple[str, str], ...] = (
    ("#1B5E20", "#FFFFFF"),
    ("#66BB6A", "#000000"),
    ("#FFE082", "#000000"),
    ("#E0E0E0", "#000000"),
)
HEADER_FILL = "#1F3864"
INPUT_FILL = "#FFF2CC"
SECTION_FONT = "#1F3864"
# A font every Chinese Excel install has; LibreOffice substitutes Noto Sans CJK for it.
FONTS = {"en": "Calibri", "zh": "Microsoft YaHei"}


def tier_colours(level: int) -> tuple[str, str]:
    """(fill, font) colours for a tier level."""
    return TIER_COLOURS[min(max(level, 1), len(TIER_COLOURS)) - 1]


class Styles:
    """The workbook's formats by name, so sheets share one look (and one format table)."""

    def __init__(self, wb: Workbook, lang: str):
        self.wb = wb
        self.font = FONTS.get(lang, "Calibri")
        base: dict[str, Any] = {"font_name": self.font, "font_size": 10, "valign": "top"}
        self._base = base
        spec: dict[str, dict[str, Any]] = {
            "text": {},
            "wrap": {"text_wrap": True},
            "muted": {"font_color": "#595959", "text_wrap": True},
            "small": {"font_color": "#595959", "font_size": 9},
            "title": {"bold": True, "font_size": 16, "font_color": SECTION_FONT, "valign": "vcenter"},
            "subtitle": {"italic": True, "font_color": "#595959"},
            "section": {"bold": True, "font_size": 12, "font_color": SECTION_FONT},
            "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "text_wrap": True,
                       "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"},
            "rowhead": {"bold": True, "bg_color": "#D9E1F2", "text_wrap": True},
            "cell": {"border": 1, "border_color": "#D9D9D9"},
            "cellwrap": {"border": 1, "border_color": "#D9D9D9", "text_wrap": True},
            "center": {"border": 1, "border_color": "#D9D9D9", "align": "center"},
            "int": {"border": 1, "border_color": "#D9D9D9", "num_format": "0", "align": "center"},
            "score": {"border": 1, "border_color": "#D9D9D9", "num_format": "0.0"},
            "score_bold": {"border": 1, "border_color": "#D9D9D9", "num_format": "0.0", "bold": True},
            "score_ranked": {"border": 1, "border_color": "#D9D9D9", "num_format": "0." + "0" * RANK_DECIMALS,
                             "font_color": "#595959"},
            "value": {"border": 1, "border_color": "#D9D9D9", "num_format": "#,##0.##"},
            "weight": {"border": 1, "border_color": "#D9D9D9", "num_format": "0.000"},
            "input": {"border": 1, "border_color": "#BF9000", "num_format": "0.000", "bg_color": INPUT_FILL,
                      "bold": True, "locked": False},
            "input_text": {"border": 2, "border_color": "#BF9000", "bg_color": INPUT_FILL, "bold": True,
                           "font_size": 12, "locked": False},
            "check": {"italic": True, "font_color": "#375623", "text_wrap": True},
            "link": {"font_color": "#0563C1", "underline": 1},
            "big": {"bold": True, "font_size": 14, "num_format": "0.0", "align": "left"},
            "bigtext": {"bold": True, "font_size": 12, "text_wrap": True},
            "bigint": {"bold": True, "font_size": 14, "num_format": "0", "align": "left"},
            "bullet": {"text_wrap": True},
        }
        self._formats: dict[str, Format] = {name: wb.add_format(base | props) for name, props in spec.items()}
        self._tiers: dict[int, Format] = {}
        self._tier_cf: dict[int, Format] = {}

    def __getitem__(self, name: str) -> Format:
        return self._formats[name]

    def tier(self, level: int) -> Format:
        """A static cell format in the tier's colours (for the legend)."""
        if level not in self._tiers:
            fill, font = tier_colours(level)
            self._tiers[level] = self.wb.add_format(
                self._base | {"bg_color": fill, "font_color": font, "bold": True, "border": 1,
                              "border_color": "#BFBFBF"})
        return self._tiers[level]

    def tier_cf(self, level: int) -> Format:
        """A conditional-format (dxf) format in the tier's colours."""
        if level not in self._tier_cf:
            fill, font = tier_colours(level)
            self._tier_cf[level] = self.wb.add_format({"bg_color": fill, "font_color": font, "bold": True})
        return self._tier_cf[level]
