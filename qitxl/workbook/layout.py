"""Where everything sits: one object that every sheet module asks for cell addresses.

Sheets refer to each other by formula (Rankings looks scores up on Indicators, which reads
weights from Weights, ...). Keeping every row and column number here means a sheet never guesses
another sheet's layout, and the tests can find the cells they check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..sensitivity import SensitivityResult

from dataclasses import dataclass, field
from typing import Any

from ..cellrefs import col_letters
from ..dataset import Dataset, Indicator
from ..model import Results
from .text import SHEETS, text

# Indicators sheet: column positions inside each block
IN_ISO, IN_NAME = 0, 1
# SC_RANKED: the score rounded as model.rank_basis rounds it; rank and tier read this column
SC_ISO, SC_NAME, SC_REGION, SC_REPORTED, SC_SCORE, SC_RANKED, SC_RANK, SC_LEVEL, SC_TIER, SC_PILLAR0 = range(10)
TB_ISO, TB_NAME, TB_IND, TB_PILLAR, TB_VALUE, TB_UNIT, TB_YEAR, TB_CONF, TB_SOURCES, TB_KEY = range(10)
# Weights sheet
WT_ID, WT_LABEL, WT_WEIGHT, WT_USED, WT_DEFAULT, WT_ABOUT = range(6)
TI_LEVEL, TI_LABEL, TI_MIN = range(3)
# Sources sheet: evidence table
EV_KEY, EV_NOTE, EV_CITES, EV_NAME, EV_IND, EV_CONF, EV_VALUE, EV_SOURCES = range(8)


def cell(row: int, col: int, absolute: bool = True) -> str:
    """A1 address, absolute ($A$1) unless asked otherwise."""
    dollar = "$" if absolute else ""
    return f"{dollar}{col_letters(col + 1)}{dollar}{row + 1}"


def area(r1: int, c1: int, r2: int, c2: int) -> str:
    """Absolute A1 range."""
    return f"{cell(r1, c1)}:{cell(r2, c2)}"


def key(iso: str, indicator_id: str) -> str:
    """The lookup key of one value in the raw-value and evidence tables."""
    return f"{iso}|{indicator_id}"


@dataclass
class Layout:
    """Row/column bookkeeping for the whole workbook (built once from dataset and results)."""

    ds: Dataset
    res: Results
    lang: str
    names: dict[str, str] = field(init=False)
    indicators: tuple[Indicator, ...] = field(init=False)

    WI_WEIGHT = 2  # column of an indicator's weight within its pillar, Weights sheet

    def __post_init__(self) -> None:
        words = text(self.lang)
        self.names = {sheet: words[f"sheet.{sheet}"] for sheet in SHEETS}
        ds, n = self.ds, len(self.res.iso_codes)
        # indicators in pillar order, so each pillar's columns are contiguous for SUMPRODUCT
        by_id = {i.id: i for i in ds.indicators}
        self.indicators = tuple(by_id[i] for p in ds.pillars for i in p.indicators)
        self.isos = self.res.iso_codes
        self.n = n
        self.pillar_cols: dict[str, tuple[int, int]] = {}
        c = 2
        for p in ds.pillars:
            self.pillar_cols[p.id] = (c, c + len(p.indicators) - 1)
            c += len(p.indicators)
        self.ind_col = {ind.id: 2 + j for j, ind in enumerate(self.indicators)}

        # --- Indicators sheet, top to bottom
        r = 3
        self.norm_title = r
        self.norm_pillar_row = r + 1
        self.norm_weight_row = r + 2
        self.norm_header = r + 3
        self.norm_first = r + 4
        r = self.norm_first + n + 1
        self.sc_title = r
        self.sc_weight_row = r + 1
        self.sc_header = r + 2
        self.sc_first = r + 3
        r = self.sc_first + n + 1
        self.raw_title = r
        self.raw_header = r + 1
        self.raw_year = r + 2  # the year of each column's values
        self.raw_first = r + 3
        r = self.raw_first + n + 1
        self.tb_title = r
        self.tb_header = r + 1
        self.tb_first = r + 2
        self.tb_rows = [(iso, ind) for ind in self.indicators for iso in self.isos]
        self.tb_last = self.tb_first + len(self.tb_rows) - 1

        # --- Weights sheet
        self.wt_header = 3
        self.wt_first = 4
        self.wt_last = self.wt_first + len(ds.pillars) - 1
        self.wt_sum = self.wt_last + 1
        self.wt_check = self.wt_last + 2
        self.wi_title = self.wt_check + 2
        self.wi_header = self.wi_title + 1
        self.wi_first = self.wi_header + 1
        self.wi_row = {ind.id: self.wi_first + j for j, ind in enumerate(self.indicators)}
        self.ti_title = self.wi_first + len(self.indicators) + 1
        self.ti_header = self.ti_title + 1
        self.ti_first = self.ti_header + 1
        self.ti_last = self.ti_first + len(ds.tiers) - 1

        # --- Sources sheet
        self.so_header = 2
        self.so_first = 3
        self.so_last = self.so_first + len(ds.sources) - 1
        self.ev_title = self.so_last + 2
        self.ev_header = self.ev_title + 1
        self.ev_first = self.ev_header + 1
        self.ev_last = self.ev_first + len(self.tb_rows) - 1

        # --- Profile sheet
        self.pf_pick = (3, 2)

    # ------------------------------------------------------------------ references

    def ref(self, sheet: str, address: str) -> str:
        """A cross-sheet reference like 'Indicators'!$A$1 (always quoted: names may be Chinese)."""
        name = self.names[sheet].replace("'", "''")
        return f"'{name}'!{address}"

    def sc_col(self, col: int) -> str:
        """Absolute range of one column of the scores block (all assessed provinces)."""
        return self.ref("indicators", area(self.sc_first, col, self.sc_first + self.n - 1, col))

    def raw_col(self, ind_id: str) -> str:
        c = self.ind_col[ind_id]
        return area(self.raw_first, c, self.raw_first + self.n - 1, c)

    def tb_col(self, col: int) -> str:
        return self.ref("indicators", area(self.tb_first, col, self.tb_last, col))

    def ev_col(self, col: int) -> str:
        return self.ref("sources", area(self.ev_first, col, self.ev_last, col))

    def weight_used(self, pillar_id: str) -> str:
        k = [p.id for p in self.ds.pillars].index(pillar_id)
        return self.ref("weights", cell(self.wt_first + k, WT_USED))

    def weight_input(self, pillar_id: str) -> tuple[int, int]:
        """(row, col) of a pillar's editable weight on the Weights sheet."""
        k = [p.id for p in self.ds.pillars].index(pillar_id)
        return self.wt_first + k, WT_WEIGHT

    def tier_mins(self) -> str:
        return self.ref("weights", area(self.ti_first, TI_MIN, self.ti_last, TI_MIN))

    def tier_labels(self) -> str:
        return self.ref("weights", area(self.ti_first, TI_LABEL, self.ti_last, TI_LABEL))

    def col_name(self, col: int) -> str:
        return col_letters(col + 1)


@dataclass
class Context:
    """What every sheet writer gets: the workbook, formats, data, results and layout."""

    wb: Any
    styles: Any
    ds: Dataset
    res: Results
    lang: str
    words: dict[str, str]
    layout: Layout
    title: str
    ranking_isos: tuple[str, ...]
    sensitivity: SensitivityResult | None = None
    whatif: Any = None    # qitxl.whatif.WhatIf, for the What if sheet
    indices: Any = None   # qitxl.indices.RankIndices, for the Sensitivity sheet
    sheets: dict[str, Any] = field(default_factory=dict)
    # sheet key -> (first data row, last data row, name column, score column) for charts
    chart_refs: dict[str, Any] = field(default_factory=dict)
    _obs: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def name(self, iso: str) -> str:
        """Province display name in the workbook's language."""
        return self.ds.province(iso).name(self.lang)

    def observation(self, iso: str, indicator_id: str) -> Any:
        """The observation the model uses (pinned year, else latest), memoised: the dataset scans."""
        k = (iso, indicator_id)
        if k not in self._obs:
            self._obs[k] = self.ds.observation(iso, indicator_id, self.ds.indicator(indicator_id).year)
        return self._obs[k]

    def evidence(self, iso: str, indicator_id: str) -> tuple[str, str]:
        """(evidence note, citations) behind one value; empty strings when there is none."""
        o = self.observation(iso, indicator_id)
        if o is None:
            return "", ""
        cites = "; ".join(self.ds.sources[sid].citation() for sid in o.source_ids if sid in self.ds.sources)
        return o.note, cites

    def region(self, region: str) -> str:
        return self.words.get(f"region.{region}", region)

    def reported(self, iso: str) -> str:
        p = self.ds.province(iso)
        if p.reported_tier is None:
            return self.words["not_mentioned"]
        return p.reported(self.lang)
