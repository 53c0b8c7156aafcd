"""The QIT_* Excel functions as plain Python: one implementation that every face calls.

Inputs are what a spreadsheet hands over: scalars (str, float, int, bool, None, an ``XlError`` or
error text such as ``"#REF!"``) or ranges as 2-D lists (1-D lists are accepted too). Every function
that takes a province maps over a range and returns the same shape; spilling functions return 2-D
lists. Errors come back as ``XlError`` values, never raised:

- ``#N/A``: the province (or indicator) is unknown, with the closest names suggested, or it exists
  but is not assessed. ``if_not_found`` replaces these, as in XLOOKUP.
- ``#VALUE!``: an argument of the wrong type or outside its choices (a bad pillar, basis, weights).
- an error handed in (``#REF!`` in the input cell) comes back unchanged; a blank cell gives ``""``.

Speed: everything a call needs is in plain dicts built once, and each "column" (say, model tiers)
memoises raw cell value -> output, so a repeated spelling costs one dict lookup.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import sys
from collections.abc import Callable, Hashable
from typing import Any

from . import __version__
from .dataset import Dataset, bundled
from .errors import XlError, na, parse_error_text, value_error
from .model import NotAssessed, Results, resolve_weights, results
from .names import UnknownProvince, _fold, resolver
from .why import qit_why

__all__ = [
    "EXCEL_FUNCTIONS", "REAL_ERRORS", "qit_indicator", "qit_info", "qit_name", "qit_profile",
    "qit_provinces", "qit_rank", "qit_resolve", "qit_score", "qit_source", "qit_tier", "qit_why", "xlwings_result",
]

Cell = Any  # str | float | int | bool | None | XlError
Arg = Any   # a Cell or a (nested) list of Cells

_MEMO_LIMIT = 100_000   # raw cell values remembered per column
_COLUMN_LIMIT = 512     # columns (function x options) remembered
_NOT_GIVEN = object()

# --------------------------------------------------------------------------- data built once

_DS: Dataset = bundled()
_RESOLVER = resolver()
_PILLAR_IDS: tuple[str, ...] = tuple(p.id for p in _DS.pillars)
_PROVINCE = {p.iso_code: p for p in _DS.provinces}
_LANGS = {
    "en": "en", "english": "en", "zh": "zh", "chinese": "zh", "中文": "zh", "cn": "zh",
    "zh_full": "zh_full", "zh-full": "zh_full", "zhfull": "zh_full", "pinyin": "pinyin",
    "iso": "iso", "code": "iso",
}
_NAMES: dict[str, dict[str, str]] = {
    "en": {p.iso_code: p.name_en for p in _DS.provinces},
    "zh": {p.iso_code: p.name_zh_short for p in _DS.provinces},
    "zh_full": {p.iso_code: p.name_zh for p in _DS.provinces},
    "pinyin": {p.iso_code: p.pinyin_tone for p in _DS.provinces},
    "iso": {p.iso_code: p.iso_code for p in _DS.provinces},
}
_REGIONS = {r.casefold(): r for r in sorted({p.region for p in _DS.provinces if p.region})}

# Observations: (iso, indicator, year) -> observation, and the default year per indicator.
_OBS = {(o.iso_code, o.indicator, o.year): o for o in _DS.observations}
_INDICATOR_IDS = sorted({o.indicator for o in _DS.observations} | {i.id for i in _DS.indicators})
_INDICATOR_KEYS: dict[str, str] = {}
for _iid in _INDICATOR_IDS:
    _INDICATOR_KEYS[_fold(_iid)] = _iid
for _ind in _DS.indicators:
    _INDICATOR_KEYS.setdefault(_fold(_ind.label_en), _ind.id)
    _INDICATOR_KEYS.setdefault(_fold(_ind.label_zh), _ind.id)
_MODEL_YEAR = {i.id: i.year for i in _DS.indicators}


def _default_year(iso: str, indicator: str) -> int | None:
    """The year the model uses for this indicator (pinned), else the latest year with a value."""
    pinned = _MODEL_YEAR.get(indicator)
    if pinned is not None:
        return pinned
    years = [y for (c, i, y) in _OBS if c == iso and i == indicator]
    return max(years) if years else None


class _Model:
    """One model run (one weight vector) as plain dicts keyed by ISO code."""

    def __init__(self, res: Results):
        self.iso_codes = res.iso_codes
        self.score: dict[str | None, dict[str, float]] = {None: {}}
        self.rank: dict[str | None, dict[str, int]] = {None: {}}
        for pid in res.pillar_ids:
            self.score[pid] = {}
            self.rank[pid] = {}
        for i, iso in enumerate(res.iso_codes):
            self._put(None, iso, res.scores[i], res.ranks[i])
            for j, pid in enumerate(res.pillar_ids):
                self._put(pid, iso, res.pillars[i, j], res.pillar_ranks[i, j])
        self.tier = {iso: res.tier(iso, "en").label for iso in res.iso_codes}
        self.tier_zh = {iso: res.tier(iso, "zh").label for iso in res.iso_codes}
        self.tier_level = {iso: res.tier(iso, "en").level for iso in res.iso_codes}
        self.order = res.order()

    def _put(self, pillar: str | None, iso: str, score: float, rank: float) -> None:
        if not math.isnan(float(score)):
            self.score[pillar][iso] = float(score)
        if not math.isnan(float(rank)):
            self.rank[pillar][iso] = int(rank)


_DEFAULT = _Model(results())
_MODELS: dict[tuple[float, ...], _Model] = {}


def _model(weights: tuple[float, ...] | None) -> _Model:
    if weights is None:
        return _DEFAULT
    m = _MODELS.get(weights)
    if m is None:
        if len(_MODELS) >= 256:
            _MODELS.clear()
        m = _MODELS[weights] = _Model(results(list(weights)))
    return m


# --------------------------------------------------------------------------- cells and columns


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _as_error(v: object) -> XlError | None:
    """An error handed in: an XlError, or text such as "#REF!" (xlwings' err_to_str)."""
    if isinstance(v, XlError):
        return v
    if isinstance(v, str) and v[:1] == "#":
        return parse_error_text(v)
    return None


def _province(v: Cell) -> tuple[str, str | XlError]:
    """Classify one province cell: ("ok", iso), ("empty", ""), ("error", passed-through error),
    ("na", #N/A unknown province) or ("type", #VALUE!)."""
    if v is None or v == "" and isinstance(v, str):
        return "empty", ""
    err = _as_error(v)
    if err is not None:
        return "error", err
    if isinstance(v, bool):
        return "type", value_error(f"{'TRUE' if v else 'FALSE'} is not a province")
    if isinstance(v, str) and not v.strip():
        return "empty", ""
    if not isinstance(v, str | int | float):
        return "type", value_error(f"a province must be text or a code, not {type(v).__name__}")
    try:
        return "ok", _RESOLVER.resolve(v)
    except UnknownProvince as exc:
        return "na", na(str(exc))


class _Column:
    """Province cell -> output for one function and one set of options, memoised per raw value.

    ``values`` maps ISO code -> output; a province missing from it gets ``missing(iso)`` (#N/A:
    not assessed, no value). ``if_not_found`` (when given) replaces every #N/A this column makes.
    """

    __slots__ = ("values", "missing", "if_not_found", "memo")

    def __init__(self, values: dict[str, Any], missing: Callable[[str], XlError], if_not_found: Any = _NOT_GIVEN):
        self.values = values
        self.missing = missing
        self.if_not_found = if_not_found
        self.memo: dict[Hashable, Any] = {}

    def cell(self, v: Cell) -> Any:
        """Slow path for one cell; remembers the answer for text and (non 0/1) numbers."""
        kind, iso = _province(v)
        if kind == "ok":
            out = self.values.get(iso, _NOT_GIVEN)
            if out is _NOT_GIVEN:
                out = self.missing(iso)
                if self.if_not_found is not _NOT_GIVEN and out.code == "#N/A":
                    out = self.if_not_found
        elif kind == "na":
            out = iso if self.if_not_found is _NOT_GIVEN else self.if_not_found
        else:
            out = iso
        # True == 1 == 1.0 in a dict: never remember 0 or 1, so a boolean never hits a number's answer.
        if (isinstance(v, str) or _is_number(v) and v not in (0, 1)) and len(self.memo) < _MEMO_LIMIT:
            self.memo[v] = out
        return out

    def apply(self, arg: Arg) -> Any:
        """Map over a scalar, a 1-D list or a 2-D list, keeping the shape."""
        memo = self.memo
        cell = self.cell
        if type(arg) is not list:
            if hasattr(arg, "tolist") and not isinstance(arg, str | XlError):
                return self.apply(arg.tolist())
            if isinstance(arg, tuple):
                return self.apply(list(arg))
            try:
                return memo[arg] if arg in memo else cell(arg)
            except TypeError:  # unhashable
                return cell(arg)
        if not arg:
            return []
        try:
            if all(type(row) is list or type(row) is tuple for row in arg):
                return [[memo[c] if c in memo else cell(c) for c in row] for row in arg]
            return [memo[c] if c in memo else cell(c) for c in arg]
        except TypeError:  # an unhashable or nested cell somewhere: do it the slow way
            return [self.apply(row) if isinstance(row, list | tuple) else cell(row) for row in arg]


_COLUMNS: dict[Hashable, _Column] = {}


def _column(key: Hashable, build: Callable[[], tuple[dict[str, Any], Callable[[str], XlError]]],
            if_not_found: Any) -> _Column:
    try:
        full = (key, if_not_found)
        col = _COLUMNS.get(full)
    except TypeError:  # an unhashable if_not_found: build a column just for this call
        return _Column(*build(), if_not_found)
    if col is None:
        if len(_COLUMNS) >= _COLUMN_LIMIT:
            _COLUMNS.clear()
        col = _COLUMNS[full] = _Column(*build(), if_not_found)
    return col


def _not_assessed(iso: str) -> XlError:
    return na(str(NotAssessed(iso, _PROVINCE[iso].name_en, _PROVINCE[iso].nbs_statistics)))


# --------------------------------------------------------------------------- option arguments


class _ArgError(Exception):
    """An option argument is wrong; carries the XlError the function returns."""

    def __init__(self, error: XlError):
        self.error = error
        super().__init__(str(error))


def _scalar(v: Arg, name: str) -> Cell:
    """One value from an option argument (a 1x1 range counts as one value)."""
    if hasattr(v, "tolist") and not isinstance(v, str):
        v = v.tolist()
    while isinstance(v, list | tuple):
        if len(v) != 1:
            raise _ArgError(value_error(f"{name} must be one value, not a range"))
        v = v[0]
    return v


def _option_text(v: Arg, name: str) -> str | None:
    """A text option: None for blank; an error handed in is returned as that error."""
    v = _scalar(v, name)
    if v is None or isinstance(v, str) and not v.strip():
        return None
    err = _as_error(v)
    if err is not None:
        raise _ArgError(err)
    if not isinstance(v, str):
        raise _ArgError(value_error(f"{name} must be text, not {v!r}"))
    return v.strip()


def _if_not_found(v: Arg) -> Any:
    if v is None:
        return _NOT_GIVEN
    v = _scalar(v, "if_not_found")
    if v is None:
        return _NOT_GIVEN
    err = _as_error(v)
    return err if err is not None else v


def _pillar(v: Arg) -> str | None:
    text = _option_text(v, "pillar")
    if text is None or text.casefold() in ("composite", "overall", "total"):
        return None
    key = text.casefold()
    for p in _DS.pillars:
        if key in (p.id.casefold(), p.label_en.casefold(), p.label_zh.casefold()):
            return p.id
    raise _ArgError(value_error(f'unknown pillar "{text}"; pillars are {", ".join(_PILLAR_IDS)} (or blank for the '
                                "composite)"))


def _lang(v: Arg) -> str:
    text = _option_text(v, "lang")
    if text is None:
        return "en"
    lang = _LANGS.get(text.casefold())
    if lang is None:
        raise _ArgError(value_error(f'unknown lang "{text}"; use en, zh, zh_full, pinyin or iso'))
    return lang


def _weights(v: Arg) -> tuple[float, ...] | None:
    """Weights from a two-column range (pillar, weight) or a row/column of numbers in pillar order.

    Returns the normalised weight vector (sum 1, pillar order), or None for the default weights.
    """
    if hasattr(v, "tolist") and not isinstance(v, str):
        v = v.tolist()
    if v is None:
        return None
    if not isinstance(v, list | tuple):
        if isinstance(v, str) and not v.strip():
            return None
        err = _as_error(v)
        if err is not None:
            raise _ArgError(err)
        raise _ArgError(value_error(f"weights must be a range: {len(_PILLAR_IDS)} numbers in the order "
                                    f"{', '.join(_PILLAR_IDS)}, or two columns (pillar, weight)"))
    rows = [list(r) if isinstance(r, list | tuple) else [r] for r in v]
    if rows and len(rows) == len(v) and not any(isinstance(r, list | tuple) for r in v):
        rows = [list(v)]  # a 1-D list is one row of numbers
    blank = [all(c is None or isinstance(c, str) and not c.strip() for c in r) for r in rows]
    rows = [r for r, b in zip(rows, blank, strict=True) if not b]
    if not rows:
        return None
    for r in rows:
        for c in r:
            err = _as_error(c)
            if err is not None:
                raise _ArgError(err)
    two_cols = all(len(r) == 2 for r in rows) and any(isinstance(r[0], str) for r in rows)
    try:
        if two_cols:
            mapping: dict[str, float] = {}
            for n, (name, w) in enumerate(rows):
                if n == 0 and isinstance(w, str):  # a header row such as (pillar, weight)
                    continue
                try:
                    pid = _pillar(name) if isinstance(name, str) else None
                except _ArgError:
                    raise _ArgError(value_error(f'weights: unknown pillar "{name}"; pillars are '
                                                f'{", ".join(_PILLAR_IDS)}')) from None
                if pid is None:
                    raise _ArgError(value_error(f"weights: {name!r} is not a pillar"))
                if pid in mapping:
                    raise _ArgError(value_error(f"weights: pillar {pid} is given twice"))
                if w is None or w == "":
                    w = 0.0
                if not _is_number(w):
                    raise _ArgError(value_error(f"weights: the weight for {pid} must be a number, not {w!r}"))
                mapping[pid] = float(w)
            resolved = resolve_weights(_DS, mapping)
        else:
            if len(rows) > 1 and any(len(r) > 1 for r in rows):
                raise _ArgError(value_error("weights must be one row or one column of numbers, or two columns "
                                            "(pillar, weight)"))
            numbers = [c for r in rows for c in r]
            bad = next((c for c in numbers if not _is_number(c)), _NOT_GIVEN)
            if bad is not _NOT_GIVEN:
                raise _ArgError(value_error(f"weights must be numbers, not {bad!r}"))
            resolved = resolve_weights(_DS, [float(c) for c in numbers])
    except ValueError as exc:
        raise _ArgError(value_error(f"weights: {exc}")) from None
    return tuple(resolved[p] for p in _PILLAR_IDS)


def _excel_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn argument problems into their XlError and any unexpected exception into #VALUE!."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _ArgError as exc:
            return exc.error
        except Exception as exc:  # noqa: BLE001 - nothing may reach Excel
            return value_error(f"qitxl internal error in {fn.__name__.upper()}: {type(exc).__name__}: {exc}")

    return wrapper


# --------------------------------------------------------------------------- the functions


@_excel_safe
def qit_tier(province: Arg, basis: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_TIER: tier label of a province. basis "model" (default: from the composite score) or
    "reported" (the seed article's tier, "not mentioned" if it names none)."""
    text = _option_text(basis, "basis")
    b = "model" if text is None else text.casefold()
    nf = _if_not_found(if_not_found)
    if b == "model":
        col = _column(("tier", "model"), lambda: (_DEFAULT.tier, _not_assessed), nf)
    elif b == "reported":
        col = _column(("tier", "reported"),
                      lambda: ({iso: p.reported("en") for iso, p in _PROVINCE.items()}, _not_assessed), nf)
    else:
        raise _ArgError(value_error(f'basis must be "model" or "reported", not "{text}"'))
    return col.apply(province)


def _score_or_rank(what: str, province: Arg, pillar: Arg, weights: Arg, if_not_found: Arg) -> Any:
    pid = _pillar(pillar)
    w = _weights(weights)
    nf = _if_not_found(if_not_found)

    def build() -> tuple[dict[str, Any], Callable[[str], XlError]]:
        model = _model(w)
        table = model.score[pid] if what == "score" else model.rank[pid]
        return table, lambda iso: _not_assessed(iso) if iso not in model.iso_codes else na(
            f"{_PROVINCE[iso].name_en} has no {what} for this pillar")

    return _column((what, pid, w), build, nf).apply(province)


@_excel_safe
def qit_score(province: Arg, pillar: Arg = None, weights: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_SCORE: composite score (0-100) of a province, or its score on one pillar; optional weights."""
    return _score_or_rank("score", province, pillar, weights, if_not_found)


@_excel_safe
def qit_rank(province: Arg, pillar: Arg = None, weights: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_RANK: rank (1 = top; ties share the best rank, as RANK.EQ) among the assessed provinces."""
    return _score_or_rank("rank", province, pillar, weights, if_not_found)


def _profile_rows(iso: str) -> list[list[Any]]:
    p = _PROVINCE[iso]
    m = _DEFAULT
    assessed = iso in m.score[None]
    n = len(m.iso_codes)
    rows: list[list[Any]] = [
        ["Province", p.name_en], ["Chinese name", p.name_zh], ["Pinyin", p.pinyin_tone],
        ["ISO code", p.iso_code], ["GB/T 2260 code", p.gb_code], ["Type", p.type],
        ["Region", p.region or "(not in an NBS region)"], ["Capital", p.capital_en],
        ["Assessed", "yes" if assessed else "no"],
        ["Score", m.score[None][iso] if assessed else "not assessed"],
        ["Rank", m.rank[None][iso] if assessed else "not assessed"],
        ["Of", n],
        ["Tier (model)", m.tier[iso] if assessed else "not assessed"],
        ["Tier (reported)", p.reported("en")],
    ]
    for pil in _DS.pillars:
        rows.append([f"Score: {pil.label_en}", m.score[pil.id].get(iso, "not assessed")])
    for pil in _DS.pillars:
        rows.append([f"Rank: {pil.label_en}", m.rank[pil.id].get(iso, "not assessed")])
    for ind in _DS.indicators:
        year = _default_year(iso, ind.id)
        obs = _OBS.get((iso, ind.id, year))
        rows.append([f"{ind.label_en} ({ind.unit}, {year})", obs.value if obs else "no value"])
    rows.append(["Dataset version", _DS.version])
    return rows


_PROFILES = {iso: _profile_rows(iso) for iso in _PROVINCE}


@_excel_safe
def qit_profile(province: Arg) -> Any:
    """QIT_PROFILE: a two-column table (field, value) describing one province; spills."""
    v = _scalar(province, "province")
    kind, iso = _province(v)
    if kind != "ok":
        return iso
    return [list(r) for r in _PROFILES[iso]]


def _tier_filter(v: Arg) -> Callable[[str], bool] | str | None:
    """None for no filter; "unassessed" for the not-assessed list; else a predicate on ISO codes."""
    v = _scalar(v, "tier")
    if v is None or isinstance(v, str) and not v.strip():
        return None
    err = _as_error(v)
    if err is not None:
        raise _ArgError(err)
    if _is_number(v):
        if float(v).is_integer() and any(t.level == int(v) for t in _DS.tiers):
            level = int(v)
            return lambda iso: _DEFAULT.tier_level.get(iso) == level
        raise _ArgError(value_error(f"tier {v!r} does not exist; tiers are 1 to {len(_DS.tiers)}"))
    if isinstance(v, str):
        key = v.strip().casefold()
        if key in ("not assessed", "unassessed", "未评估"):
            return "unassessed"
        for t in _DS.tiers:
            if key in (t.label_en.casefold(), t.label_zh.casefold(), str(t.level)):
                level = t.level
                return lambda iso: _DEFAULT.tier_level.get(iso) == level
        labels = ", ".join(t.label_en for t in _DS.tiers)
        raise _ArgError(value_error(f'unknown tier "{v}"; tiers are {labels} (or 1 to {len(_DS.tiers)}, '
                                    'or "not assessed")'))
    raise _ArgError(value_error(f"tier must be a label or a number, not {v!r}"))


@_excel_safe
def qit_provinces(tier: Arg = None, region: Arg = None, lang: Arg = None) -> Any:
    """QIT_PROVINCES: the assessed provinces in rank order, one per row; spills. Optional filters:
    tier (label or level, or "not assessed" for the rest) and region (East, Central, West, Northeast)."""
    which = _tier_filter(tier)
    reg_text = _option_text(region, "region")
    names = _NAMES[_lang(lang)]
    region_name = None
    if reg_text is not None:
        region_name = _REGIONS.get(reg_text.casefold())
        if region_name is None:
            raise _ArgError(value_error(f'unknown region "{reg_text}"; regions are {", ".join(_REGIONS.values())}'))
    if which == "unassessed":
        isos = [iso for iso in _PROVINCE if iso not in _DEFAULT.score[None]]
    else:
        isos = [iso for iso in _DEFAULT.order if which is None or which(iso)]
    if region_name is not None:
        isos = [iso for iso in isos if _PROVINCE[iso].region == region_name]
    if not isos:
        return XlError("#CALC!", "no province matches these filters")
    return [[names[iso]] for iso in isos]


def _indicator_id(v: Arg) -> str:
    text = _option_text(v, "indicator")
    if text is None:
        raise _ArgError(value_error(f"indicator is required; indicators are {', '.join(_INDICATOR_IDS)}"))
    iid = _INDICATOR_KEYS.get(_fold(text))
    if iid is None:
        close = difflib.get_close_matches(_fold(text), list(_INDICATOR_KEYS), n=1, cutoff=0.5)
        hint = (f"; did you mean {_INDICATOR_KEYS[close[0]]}?" if close
                else f"; indicators are {', '.join(_INDICATOR_IDS)}")
        raise _ArgError(na(f'unknown indicator "{text}"{hint}'))
    return iid


def _year(v: Arg) -> int | None:
    v = _scalar(v, "year")
    if v is None or isinstance(v, str) and not v.strip():
        return None
    err = _as_error(v)
    if err is not None:
        raise _ArgError(err)
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v.strip())
    if not _is_number(v) or not float(v).is_integer():
        raise _ArgError(value_error(f"year must be a whole number such as 2023, not {v!r}"))
    return int(v)


@_excel_safe
def qit_indicator(province: Arg, indicator: Arg, year: Arg = None) -> Any:
    """QIT_INDICATOR: the value of one indicator (id or label) for a province, for the model's year or
    the year given."""
    iid = _indicator_id(indicator)
    yr = _year(year)

    def build() -> tuple[dict[str, Any], Callable[[str], XlError]]:
        values = {}
        for iso in _PROVINCE:
            obs = _OBS.get((iso, iid, yr if yr is not None else _default_year(iso, iid)))
            if obs is not None:
                values[iso] = obs.value
        when = f" in {yr}" if yr is not None else ""
        return values, lambda iso: na(f"no {iid} value for {_PROVINCE[iso].name_en}{when}")

    return _column(("indicator", iid, yr), build, _NOT_GIVEN).apply(province)


def _citations(source_ids: list[str]) -> str:
    seen: list[str] = []
    for sid in source_ids:
        if sid not in seen:
            seen.append(sid)
    return "; ".join(_DS.sources[s].citation() if s in _DS.sources else s for s in seen)


@_excel_safe
def qit_source(province: Arg, indicator: Arg = None) -> Any:
    """QIT_SOURCE: citation text for the sources behind a province's indicator value (or, without an
    indicator, behind all its model values)."""
    text = _option_text(indicator, "indicator")
    iid = None if text is None else _indicator_id(text)

    def build() -> tuple[dict[str, Any], Callable[[str], XlError]]:
        values = {}
        ids = [iid] if iid is not None else [i.id for i in _DS.indicators]
        for iso in _PROVINCE:
            sids = []
            for ind in ids:
                obs = _OBS.get((iso, ind, _default_year(iso, ind)))
                if obs is not None:
                    sids.extend(obs.source_ids)
            if sids:
                values[iso] = _citations(sids)
        what = iid or "model"
        return values, lambda iso: na(f"no {what} value, so no source, for {_PROVINCE[iso].name_en}")

    return _column(("source", iid), build, _NOT_GIVEN).apply(province)


@_excel_safe
def qit_resolve(text: Arg, if_not_found: Arg = None) -> Any:
    """QIT_RESOLVE: the ISO 3166-2:CN code (CN-AH) for any spelling of a province: English, Chinese,
    pinyin, ISO or GB/T codes. For cleaning a column of names."""
    return _column(("name", "iso"), lambda: (_NAMES["iso"], _not_assessed), _if_not_found(if_not_found)).apply(text)


@_excel_safe
def qit_name(province: Arg, lang: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_NAME: the standard name of a province: lang "en" (default), "zh" (安徽), "zh_full" (安徽省),
    "pinyin" (Ānhuī) or "iso" (CN-AH)."""
    lg = _lang(lang)
    return _column(("name", lg), lambda: (_NAMES[lg], _not_assessed), _if_not_found(if_not_found)).apply(province)


@_excel_safe
def qit_info() -> str:
    """QIT_INFO: the qitxl package version and the dataset version and date."""
    return (f"qitxl {__version__}; dataset {_DS.version} ({_DS.date}); {len(_DS.provinces)} provinces, "
            f"{len(_DEFAULT.iso_codes)} assessed")


EXCEL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "QIT_TIER": qit_tier,
    "QIT_SCORE": qit_score,
    "QIT_RANK": qit_rank,
    "QIT_PROFILE": qit_profile,
    "QIT_PROVINCES": qit_provinces,
    "QIT_INDICATOR": qit_indicator,
    "QIT_SOURCE": qit_source,
    "QIT_RESOLVE": qit_resolve,
    "QIT_NAME": qit_name,
    "QIT_INFO": qit_info,
    "QIT_WHY": qit_why,
}


# --------------------------------------------------------------------------- for the xlwings face

# xlwings Server and xlwings Lite run custom functions through Office.js, which turns a returned
# string that is exactly an error code ("#N/A") into a real error. Classic VBA-wrapped UDFs cannot
# return a real error at all (xlwings issue 776), so there the code leads a text with the reason.
REAL_ERRORS = os.environ.get("XLWINGS_ON_SERVER") == "true" or sys.platform == "emscripten"


def _render(value: Any, real_errors: bool) -> Any:
    if isinstance(value, XlError):
        return value.code if real_errors else str(value)
    if isinstance(value, list):
        return [_render(v, real_errors) for v in value]
    return "" if value is None else value


def xlwings_result(fn: Callable[..., Any], *args: Any, real_errors: bool | None = None) -> Any:
    """Call a QIT_* function on behalf of an xlwings UDF and make the result showable. Never raises.

    Errors become ``#N/A: unknown province "Anhiu"; did you mean Anhui?`` in classic UDFs, or
    the bare code (a real error) where the runtime supports it (``REAL_ERRORS``).
    """
    real = REAL_ERRORS if real_errors is None else real_errors
    try:
        return _render(fn(*args), real)
    except Exception as exc:  # noqa: BLE001 - nothing may reach Excel
        return "#VALUE!" if real else f"#VALUE!: qitxl internal error: {type(exc).__name__}: {exc}"
