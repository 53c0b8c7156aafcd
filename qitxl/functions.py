"""The QIT_* Excel functions as plain Python: one implementation that every face calls.

Inputs are what a spreadsheet hands over: scalars (str, float, int, bool, None, an ``XlError`` or
error text such as ``"#REF!"``) or ranges as 2-D lists (1-D lists are accepted too). Every function
that takes a province maps over a range and returns the same shape; spilling functions return 2-D
lists. Errors come back as ``XlError`` values, never raised:

- ``#N/A``: the province (or indicator) is unknown, with the closest names suggested, or it exists
  but is not assessed. ``if_not_found`` replaces these, as in XLOOKUP.
- ``#VALUE!``: an argument of the wrong type or outside its choices (a bad pillar, basis, weights).
- an error handed in (``#REF!`` in the input cell) comes back unchanged; a blank cell gives ``""``.

The dataset: the bundled one, or the workbook or folder named by the environment variable
``QITXL_DATASET`` (or given to ``use_dataset``). Everything a call needs from it is in one
``_State`` of plain dicts, built once per dataset and swapped whole when the dataset changes: the
file's modification time and size are checked at most once a second, so an edited workbook is
picked up without restarting Excel. A dataset that fails validation makes every function return
``#VALUE!`` naming its problems (never the bundled data in its place). ``QIT_INFO()`` says which
dataset is in use.

Speed: each "column" (say, model tiers) memoises raw cell value -> output, so a repeated spelling
costs one dict lookup.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from . import __version__
from .dataset import Dataset, DatasetError, bundled, fingerprint, load_dataset
from .errors import XlError, na, parse_error_text, value_error
from .model import NotAssessed, Results, resolve_weights, results
from .names import Resolver, UnknownProvince, _fold, resolver
from .why import qit_why

__all__ = [
    "EXCEL_FUNCTIONS", "REAL_ERRORS", "qit_indicator", "qit_info", "qit_name", "qit_profile",
    "qit_provinces", "qit_rank", "qit_resolve", "qit_score", "qit_source", "qit_tier", "qit_why", "use_dataset",
    "xlwings_result",
]

Cell = Any  # str | float | int | bool | None | XlError
Arg = Any   # a Cell or a (nested) list of Cells

_MEMO_LIMIT = 100_000   # raw cell values remembered per column
_COLUMN_LIMIT = 512     # columns (function x options) remembered
_NOT_GIVEN = object()

# --------------------------------------------------------------------------- the dataset in use

#: Environment variable naming the dataset the functions use: a workbook (.xlsx) or a folder.
DATASET_ENV = "QITXL_DATASET"
_CHECK_EVERY = 1.0  # seconds between checks that the dataset file has not changed
_LANGS = {
    "en": "en", "english": "en", "zh": "zh", "chinese": "zh", "中文": "zh", "cn": "zh",
    "zh_full": "zh_full", "zh-full": "zh_full", "zhfull": "zh_full", "pinyin": "pinyin",
    "iso": "iso", "code": "iso",
}


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
        self.tier_level = {iso: res.tier(iso, "en").level for iso in res.iso_codes}
        self.order = res.order()

    def _put(self, pillar: str | None, iso: str, score: float, rank: float) -> None:
        if not math.isnan(float(score)):
            self.score[pillar][iso] = float(score)
        if not math.isnan(float(rank)):
            self.rank[pillar][iso] = int(rank)


class _State:
    """Everything the functions need from one dataset, as plain dicts built once.

    The data never change after construction; the dicts of memoised model runs, columns and
    profiles only grow (bounded) and belong to this dataset, so swapping in another dataset's
    state drops them all at once. ``error`` is set (and nothing else) when the dataset in use
    could not be loaded: every function then returns that error.
    """

    __slots__ = ("ds", "key", "label", "error", "resolver", "pillar_ids", "province", "names", "regions",
                 "obs", "indicator_ids", "indicator_keys", "model_year", "default", "models", "columns",
                 "profiles", "_bundled")

    def __init__(self, ds: Dataset | None, key: Hashable = None, label: str = "bundled",
                 error: XlError | None = None):
        self.ds, self.key, self.label, self.error = ds, key, label, error
        if ds is None:
            return
        self._bundled = ds is bundled()
        self.resolver = resolver(None if self._bundled else ds)
        self.pillar_ids = tuple(p.id for p in ds.pillars)
        self.province = {p.iso_code: p for p in ds.provinces}
        self.names = {
            "en": {p.iso_code: p.name_en for p in ds.provinces},
            "zh": {p.iso_code: p.name_zh_short for p in ds.provinces},
            "zh_full": {p.iso_code: p.name_zh for p in ds.provinces},
            "pinyin": {p.iso_code: p.pinyin_tone for p in ds.provinces},
            "iso": {p.iso_code: p.iso_code for p in ds.provinces},
        }
        self.regions = {r.casefold(): r for r in sorted({p.region for p in ds.provinces if p.region})}
        # Observations: (iso, indicator, year) -> observation, and the default year per indicator.
        self.obs = {(o.iso_code, o.indicator, o.year): o for o in ds.observations}
        self.indicator_ids = sorted({o.indicator for o in ds.observations} | {i.id for i in ds.indicators})
        self.indicator_keys = {_fold(i): i for i in self.indicator_ids}
        for ind in ds.indicators:
            self.indicator_keys.setdefault(_fold(ind.label_en), ind.id)
            self.indicator_keys.setdefault(_fold(ind.label_zh), ind.id)
        self.model_year = {i.id: i.year for i in ds.indicators}
        self.default = _Model(self._results(None))
        self.models: dict[tuple[float, ...], _Model] = {}
        self.columns: dict[Hashable, _Column] = {}
        self.profiles: dict[str, list[list[Any]]] = {}

    def _results(self, weights: tuple[float, ...] | None) -> Results:
        w = None if weights is None else list(weights)
        return results(w) if self._bundled else results(w, self.ds)

    def model(self, weights: tuple[float, ...] | None) -> _Model:
        if weights is None:
            return self.default
        m = self.models.get(weights)
        if m is None:
            if len(self.models) >= 256:
                self.models.clear()
            m = self.models[weights] = _Model(self._results(weights))
        return m

    def default_year(self, iso: str, indicator: str) -> int | None:
        """The year the model uses for this indicator (pinned), else the latest year with a value."""
        pinned = self.model_year.get(indicator)
        if pinned is not None:
            return pinned
        years = [y for (c, i, y) in self.obs if c == iso and i == indicator]
        return max(years) if years else None

    def not_assessed(self, iso: str) -> XlError:
        p = self.province[iso]
        return na(str(NotAssessed(iso, p.name_en, p.nbs_statistics)))

    def column(self, key: Hashable, build: Callable[[], tuple[dict[str, Any], Callable[[str], XlError]]],
               if_not_found: Any) -> _Column:
        try:
            full = (key, if_not_found)
            col = self.columns.get(full)
        except TypeError:  # an unhashable if_not_found: build a column just for this call
            return _Column(self.resolver, *build(), if_not_found)
        if col is None:
            if len(self.columns) >= _COLUMN_LIMIT:
                self.columns.clear()
            col = self.columns[full] = _Column(self.resolver, *build(), if_not_found)
        return col


_lock = threading.Lock()
_override: tuple[str, Dataset | str | None] | None = None  # set by use_dataset()
_current: _State | None = None
_next_check = 0.0
_clock = time.monotonic


def use_dataset(dataset: Dataset | str | os.PathLike[str] | None) -> None:
    """Make the functions use this dataset (a Dataset, a workbook or folder path) from now on,
    whatever QITXL_DATASET says; None goes back to the environment variable (else the bundled data).
    A path that fails to load makes every function return the error naming its problems."""
    global _override, _next_check
    with _lock:
        if dataset is None:
            _override = None
        elif isinstance(dataset, Dataset):
            _override = ("dataset", dataset)
        else:
            _override = ("path", os.fspath(dataset))
        _next_check = 0.0


def _state() -> _State:
    """The state for the dataset in use: checked at most once a second, reloaded when the file changes."""
    global _current, _next_check
    now = time.monotonic()
    cur = _current
    if cur is not None and now < _next_check:
        return cur
    with _lock:
        spec = _override or (("path", os.environ[DATASET_ENV]) if os.environ.get(DATASET_ENV, "").strip()
                             else ("bundled", None))
        kind, target = spec
        if kind == "path":
            where = "QITXL_DATASET" if _override is None else "use_dataset"
            key: Hashable = (target, fingerprint(target))
        else:
            where, key = kind, (kind, id(target))
        if _current is None or _current.key != key:
            _current = _load_state(kind, target, key, where)
        _next_check = time.monotonic() + _CHECK_EVERY
        return _current


def _load_state(kind: str, target: Dataset | str | None, key: Hashable, where: str) -> _State:
    if kind == "bundled":
        return _State(bundled(), key)
    if kind == "dataset":
        return _State(target, key, f"{target.origin} (given by use_dataset)")
    try:
        ds = load_dataset(target)
    except DatasetError as exc:
        first = "; ".join(str(p) for p in exc.problems[:3])
        more = f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else ""
        return _State(None, key, target, value_error(f"dataset {target} ({where}) fails validation: {first}{more}"))
    except Exception as exc:  # noqa: BLE001 - nothing may reach Excel
        return _State(None, key, target, value_error(f"dataset {target} ({where}) cannot be loaded: {exc}"))
    return _State(ds, key, f"{target} ({where})")


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


def _province(v: Cell, resolve: Callable[[object], str]) -> tuple[str, str | XlError]:
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
        return "ok", resolve(v)
    except UnknownProvince as exc:
        return "na", na(str(exc))


class _Column:
    """Province cell -> output for one function and one set of options, memoised per raw value.

    ``values`` maps ISO code -> output; a province missing from it gets ``missing(iso)`` (#N/A:
    not assessed, no value). ``if_not_found`` (when given) replaces every #N/A this column makes.
    """

    __slots__ = ("resolve", "values", "missing", "if_not_found", "memo")

    def __init__(self, names: Resolver, values: dict[str, Any], missing: Callable[[str], XlError],
                 if_not_found: Any = _NOT_GIVEN):
        self.resolve = names.resolve
        self.values = values
        self.missing = missing
        self.if_not_found = if_not_found
        self.memo: dict[Hashable, Any] = {}

    def cell(self, v: Cell) -> Any:
        """Slow path for one cell; remembers the answer for text and (non 0/1) numbers."""
        kind, iso = _province(v, self.resolve)
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


def _pillar(st: _State, v: Arg) -> str | None:
    text = _option_text(v, "pillar")
    if text is None or text.casefold() in ("composite", "overall", "total"):
        return None
    found = st.ds.find_pillar(text)
    if found is not None:
        return found
    raise _ArgError(value_error(f'unknown pillar "{text}"; pillars are {", ".join(st.pillar_ids)} (or blank for the '
                                "composite)"))


def _lang(v: Arg) -> str:
    text = _option_text(v, "lang")
    if text is None:
        return "en"
    lang = _LANGS.get(text.casefold())
    if lang is None:
        raise _ArgError(value_error(f'unknown lang "{text}"; use en, zh, zh_full, pinyin or iso'))
    return lang


def _weights(st: _State, v: Arg) -> tuple[float, ...] | None:
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
        raise _ArgError(value_error(f"weights must be a range: {len(st.pillar_ids)} numbers in the order "
                                    f"{', '.join(st.pillar_ids)}, or two columns (pillar, weight)"))
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
                    pid = _pillar(st, name) if isinstance(name, str) else None
                except _ArgError:
                    raise _ArgError(value_error(f'weights: unknown pillar "{name}"; pillars are '
                                                f'{", ".join(st.pillar_ids)}')) from None
                if pid is None:
                    raise _ArgError(value_error(f"weights: {name!r} is not a pillar"))
                if pid in mapping:
                    raise _ArgError(value_error(f"weights: pillar {pid} is given twice"))
                if w is None or w == "":
                    w = 0.0
                if not _is_number(w):
                    raise _ArgError(value_error(f"weights: the weight for {pid} must be a number, not {w!r}"))
                mapping[pid] = float(w)
            resolved = resolve_weights(st.ds, mapping)
        else:
            if len(rows) > 1 and any(len(r) > 1 for r in rows):
                raise _ArgError(value_error("weights must be one row or one column of numbers, or two columns "
                                            "(pillar, weight)"))
            numbers = [c for r in rows for c in r]
            bad = next((c for c in numbers if not _is_number(c)), _NOT_GIVEN)
            if bad is not _NOT_GIVEN:
                raise _ArgError(value_error(f"weights must be numbers, not {bad!r}"))
            resolved = resolve_weights(st.ds, [float(c) for c in numbers])
    except ValueError as exc:
        raise _ArgError(value_error(f"weights: {exc}")) from None
    return tuple(resolved[p] for p in st.pillar_ids)


def _excel_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn argument problems into their XlError and any unexpected exception into #VALUE!."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            st = _current
            if st is None or _clock() >= _next_check:
                st = _state()
            if st.error is not None:
                return st.error
            return fn(st, *args, **kwargs)
        except _ArgError as exc:
            return exc.error
        except Exception as exc:  # noqa: BLE001 - nothing may reach Excel
            return value_error(f"qitxl internal error in {fn.__name__.upper()}: {type(exc).__name__}: {exc}")

    sig = inspect.signature(fn)  # what Excel and the engine see: the arguments after the state
    wrapper.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])
    return wrapper


# --------------------------------------------------------------------------- the functions


@_excel_safe
def qit_tier(st: _State, province: Arg, basis: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_TIER: tier label of a province. basis "model" (default: from the composite score) or
    "reported" (the seed article's tier, "not mentioned" if it names none)."""
    text = _option_text(basis, "basis")
    b = "model" if text is None else text.casefold()
    nf = _if_not_found(if_not_found)
    if b == "model":
        col = st.column(("tier", "model"), lambda: (st.default.tier, st.not_assessed), nf)
    elif b == "reported":
        col = st.column(("tier", "reported"),
                      lambda: ({iso: p.reported("en") for iso, p in st.province.items()}, st.not_assessed), nf)
    else:
        raise _ArgError(value_error(f'basis must be "model" or "reported", not "{text}"'))
    return col.apply(province)


def _score_or_rank(st: _State, what: str, province: Arg, pillar: Arg, weights: Arg, if_not_found: Arg) -> Any:
    pid = _pillar(st, pillar)
    w = _weights(st, weights)
    nf = _if_not_found(if_not_found)

    def build() -> tuple[dict[str, Any], Callable[[str], XlError]]:
        model = st.model(w)
        table = model.score[pid] if what == "score" else model.rank[pid]
        return table, lambda iso: st.not_assessed(iso) if iso not in model.iso_codes else na(
            f"{st.province[iso].name_en} has no {what} for this pillar")

    return st.column((what, pid, w), build, nf).apply(province)


@_excel_safe
def qit_score(st: _State, province: Arg, pillar: Arg = None, weights: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_SCORE: composite score (0-100) of a province, or its score on one pillar; optional weights."""
    return _score_or_rank(st, "score", province, pillar, weights, if_not_found)


@_excel_safe
def qit_rank(st: _State, province: Arg, pillar: Arg = None, weights: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_RANK: rank (1 = top; ties share the best rank, as RANK.EQ) among the assessed provinces."""
    return _score_or_rank(st, "rank", province, pillar, weights, if_not_found)


def _profile_rows(st: _State, iso: str) -> list[list[Any]]:
    p = st.province[iso]
    m = st.default
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
    for pil in st.ds.pillars:
        rows.append([f"Score: {pil.label_en}", m.score[pil.id].get(iso, "not assessed")])
    for pil in st.ds.pillars:
        rows.append([f"Rank: {pil.label_en}", m.rank[pil.id].get(iso, "not assessed")])
    for ind in st.ds.indicators:
        year = st.default_year(iso, ind.id)
        obs = st.obs.get((iso, ind.id, year))
        rows.append([f"{ind.label_en} ({ind.unit}, {year})", obs.value if obs else "no value"])
    rows.append(["Dataset version", st.ds.version])
    return rows




@_excel_safe
def qit_profile(st: _State, province: Arg) -> Any:
    """QIT_PROFILE: a two-column table (field, value) describing one province; spills."""
    v = _scalar(province, "province")
    kind, iso = _province(v, st.resolver.resolve)
    if kind != "ok":
        return iso
    rows = st.profiles.get(iso)
    if rows is None:
        rows = st.profiles[iso] = _profile_rows(st, iso)
    return [list(r) for r in rows]


def _tier_filter(st: _State, v: Arg) -> Callable[[str], bool] | str | None:
    """None for no filter; "unassessed" for the not-assessed list; else a predicate on ISO codes."""
    v = _scalar(v, "tier")
    if v is None or isinstance(v, str) and not v.strip():
        return None
    err = _as_error(v)
    if err is not None:
        raise _ArgError(err)
    if _is_number(v):
        if float(v).is_integer() and any(t.level == int(v) for t in st.ds.tiers):
            level = int(v)
            return lambda iso: st.default.tier_level.get(iso) == level
        raise _ArgError(value_error(f"tier {v!r} does not exist; tiers are 1 to {len(st.ds.tiers)}"))
    if isinstance(v, str):
        key = v.strip().casefold()
        if key in ("not assessed", "unassessed", "未评估"):
            return "unassessed"
        for t in st.ds.tiers:
            if key in (t.label_en.casefold(), t.label_zh.casefold(), str(t.level)):
                level = t.level
                return lambda iso: st.default.tier_level.get(iso) == level
        labels = ", ".join(t.label_en for t in st.ds.tiers)
        raise _ArgError(value_error(f'unknown tier "{v}"; tiers are {labels} (or 1 to {len(st.ds.tiers)}, '
                                    'or "not assessed")'))
    raise _ArgError(value_error(f"tier must be a label or a number, not {v!r}"))


@_excel_safe
def qit_provinces(st: _State, tier: Arg = None, region: Arg = None, lang: Arg = None) -> Any:
    """QIT_PROVINCES: the assessed provinces in rank order, one per row; spills. Optional filters:
    tier (label or level, or "not assessed" for the rest) and region (East, Central, West, Northeast)."""
    which = _tier_filter(st, tier)
    reg_text = _option_text(region, "region")
    names = st.names[_lang(lang)]
    region_name = None
    if reg_text is not None:
        region_name = st.regions.get(reg_text.casefold())
        if region_name is None:
            raise _ArgError(value_error(f'unknown region "{reg_text}"; regions are {", ".join(st.regions.values())}'))
    if which == "unassessed":
        isos = [iso for iso in st.province if iso not in st.default.score[None]]
    else:
        isos = [iso for iso in st.default.order if which is None or which(iso)]
    if region_name is not None:
        isos = [iso for iso in isos if st.province[iso].region == region_name]
    if not isos:
        return XlError("#CALC!", "no province matches these filters")
    return [[names[iso]] for iso in isos]


def _indicator_id(st: _State, v: Arg) -> str:
    text = _option_text(v, "indicator")
    if text is None:
        raise _ArgError(value_error(f"indicator is required; indicators are {', '.join(st.indicator_ids)}"))
    iid = st.indicator_keys.get(_fold(text))
    if iid is None:
        close = difflib.get_close_matches(_fold(text), list(st.indicator_keys), n=1, cutoff=0.5)
        hint = (f"; did you mean {st.indicator_keys[close[0]]}?" if close
                else f"; indicators are {', '.join(st.indicator_ids)}")
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
def qit_indicator(st: _State, province: Arg, indicator: Arg, year: Arg = None) -> Any:
    """QIT_INDICATOR: the value of one indicator (id or label) for a province, for the model's year or
    the year given."""
    iid = _indicator_id(st, indicator)
    yr = _year(year)

    def build() -> tuple[dict[str, Any], Callable[[str], XlError]]:
        values = {}
        for iso in st.province:
            obs = st.obs.get((iso, iid, yr if yr is not None else st.default_year(iso, iid)))
            if obs is not None:
                values[iso] = obs.value
        when = f" in {yr}" if yr is not None else ""
        return values, lambda iso: na(f"no {iid} value for {st.province[iso].name_en}{when}")

    return st.column(("indicator", iid, yr), build, _NOT_GIVEN).apply(province)


def _citations(st: _State, source_ids: list[str]) -> str:
    seen: list[str] = []
    for sid in source_ids:
        if sid not in seen:
            seen.append(sid)
    return "; ".join(st.ds.sources[s].citation() if s in st.ds.sources else s for s in seen)


@_excel_safe
def qit_source(st: _State, province: Arg, indicator: Arg = None) -> Any:
    """QIT_SOURCE: citation text for the sources behind a province's indicator value (or, without an
    indicator, behind all its model values)."""
    text = _option_text(indicator, "indicator")
    iid = None if text is None else _indicator_id(st, text)

    def build() -> tuple[dict[str, Any], Callable[[str], XlError]]:
        values = {}
        ids = [iid] if iid is not None else [i.id for i in st.ds.indicators]
        for iso in st.province:
            sids = []
            for ind in ids:
                obs = st.obs.get((iso, ind, st.default_year(iso, ind)))
                if obs is not None:
                    sids.extend(obs.source_ids)
            if sids:
                values[iso] = _citations(st, sids)
        what = iid or "model"
        return values, lambda iso: na(f"no {what} value, so no source, for {st.province[iso].name_en}")

    return st.column(("source", iid), build, _NOT_GIVEN).apply(province)


@_excel_safe
def qit_resolve(st: _State, text: Arg, if_not_found: Arg = None) -> Any:
    """QIT_RESOLVE: the ISO 3166-2:CN code (CN-AH) for any spelling of a province: English, Chinese,
    pinyin, ISO or GB/T codes. For cleaning a column of names."""
    nf = _if_not_found(if_not_found)
    return st.column(("name", "iso"), lambda: (st.names["iso"], st.not_assessed), nf).apply(text)


@_excel_safe
def qit_name(st: _State, province: Arg, lang: Arg = None, if_not_found: Arg = None) -> Any:
    """QIT_NAME: the standard name of a province: lang "en" (default), "zh" (安徽), "zh_full" (安徽省),
    "pinyin" (Ānhuī) or "iso" (CN-AH)."""
    lg = _lang(lang)
    return st.column(("name", lg), lambda: (st.names[lg], st.not_assessed), _if_not_found(if_not_found)).apply(province)


@_excel_safe
def qit_info(st: _State) -> str:
    """QIT_INFO: the qitxl package version, the dataset in use (bundled, or the workbook or folder named
    by QITXL_DATASET) and its version and date."""
    return (f"qitxl {__version__}; dataset {st.ds.version} ({st.ds.date}), {st.label}; "
            f"{len(st.ds.provinces)} provinces, {len(st.default.iso_codes)} assessed")


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
