"""Load and validate a qitxl dataset (the bundled one, a user's folder or workbook) into one immutable object.

A dataset is a folder of four tables and one methodology file:

- ``provinces.csv``: the 34 provincial-level divisions, their codes and names;
- ``indicators.csv``: long table ``iso_code, indicator, value, year, unit, source_id, confidence, note``;
- ``sources.csv``: every source once;
- ``reported_tiers.csv``: the seed article's tiers, shipped "as reported";
- ``coding.csv`` (optional): both coders' ratings of every coded QIT cell before reconciliation, the
  final rating and the reason for any change (docs/codebook.md);
- ``methodology.toml``: pillars, indicators, method choices, weights, tiers, version.

A user's folder may hold any subset: missing files are taken from the bundled dataset. Every
problem found is reported together, as file, row, column and what is wrong.

A dataset can also be one Excel workbook with the same tables as sheets (``qitxl dataset export``
writes one; ``qitxl.dataset_xlsx`` reads it). Both kinds are read into a ``RawDataset`` (the tables
as text, with the row number of every row in its file or sheet) and validated by the same code,
so a workbook's problems name the sheet, row and column.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from .exceptions import QitxlError
from .i18n import localised, word

TABLES = ("provinces.csv", "indicators.csv", "sources.csv", "reported_tiers.csv")
CONFIDENCE_LEVELS = ("official", "institutional", "peer_reviewed", "major_outlet", "secondary", "thin", "review")
RATING_RANGE = range(6)
NORMALISATIONS = ("minmax", "zscore", "rank", "goalposts")
AGGREGATIONS = ("arithmetic", "geometric")
SKEW_TREATMENTS = ("auto", "winsorise", "none")
WEIGHTINGS = ("default", "equal")
MISSING_RULES = ("reweight",)
REGIONS = ("East", "Central", "West", "Northeast", "")
TYPES = ("Province", "Municipality", "Autonomous region", "Special administrative region")
MAX_TABLE_BYTES = 20_000_000
QIT_PREFIX = "qit_"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: The columns each table must have (others are allowed and kept).
REQUIRED: dict[str, tuple[str, ...]] = {
    "provinces.csv": ("iso_code", "iso_code_legacy", "gb_code", "name_en", "name_zh", "name_zh_short",
                      "pinyin_tone", "type", "region"),
    "indicators.csv": ("iso_code", "indicator", "value", "year", "unit", "source_id", "confidence"),
    "sources.csv": ("source_id", "title", "publisher", "date", "url", "kind", "confidence"),
    "reported_tiers.csv": ("iso_code", "reported_tier", "reported_label", "source_id"),
    "coding.csv": ("iso_code", "indicator", "coder_a", "coder_b", "final", "resolution"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset: where it is and what is wrong."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class DatasetError(QitxlError, ValueError):
    """A dataset failed validation; ``problems`` lists everything found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"dataset has {len(self.problems)} problem(s):\n{lines}{more}")


@dataclass(frozen=True)
class Province:
    """One provincial-level division with every code and name it is known by."""

    iso_code: str
    iso_code_legacy: str
    gb_code: str
    name_en: str
    name_zh: str
    name_zh_short: str
    name_iso: str
    pinyin_tone: str
    pinyin: str
    aliases_en: tuple[str, ...]
    abbr_zh: tuple[str, ...]
    type: str
    type_zh: str
    region: str
    capital_en: str
    capital_zh: str
    nbs_statistics: bool
    assessed: bool
    reported_tier: int | None
    reported_label: str | None
    reported_label_zh: str | None = None

    def name(self, lang: str = "en") -> str:
        """Display name: English, or the short Chinese name for ``lang="zh"``."""
        return self.name_zh_short if lang == "zh" else self.name_en

    def reported(self, lang: str = "en") -> str:
        """The seed article's tier label, or 'not mentioned'."""
        if self.reported_tier is None:
            return word("not_mentioned", lang)
        return (self.reported_label_zh or self.reported_label or "") if lang == "zh" else (self.reported_label or "")


@dataclass(frozen=True)
class Observation:
    """One sourced value: an indicator for a province in a year."""

    iso_code: str
    indicator: str
    value: float
    year: int
    unit: str
    source_ids: tuple[str, ...]
    confidence: str
    note: str


@dataclass(frozen=True)
class Source:
    source_id: str
    title: str
    publisher: str
    date: str
    url: str
    kind: str
    confidence: str
    accessed: str = ""

    def citation(self) -> str:
        """A one-line citation: publisher, title, date, URL (and when it was accessed)."""
        parts = [self.publisher, self.title, self.date]
        text = ". ".join(p for p in parts if p and p != "unknown")
        text = f"{text}. {self.url}" if self.url else text
        return f"{text} (accessed {self.accessed})" if self.url and self.accessed else text


@dataclass(frozen=True)
class CodedCell:
    """One province x QIT indicator as two coders rated it, and the reconciled rating."""

    iso_code: str
    indicator: str
    coder_a: int
    coder_b: int
    final: int
    resolution: str


@dataclass(frozen=True)
class Pillar:
    id: str
    label_en: str
    label_zh: str
    weight: float
    about_en: str
    about_zh: str
    indicators: tuple[str, ...]

    def label(self, lang: str = "en") -> str:
        return localised(self, "label", lang)


@dataclass(frozen=True)
class Indicator:
    id: str
    pillar: str
    label_en: str
    label_zh: str
    unit: str
    direction: int
    weight: float
    goalposts: tuple[float, float] | None
    year: int | None

    def label(self, lang: str = "en") -> str:
        return localised(self, "label", lang)


@dataclass(frozen=True)
class TierDef:
    level: int
    min_score: float
    label_en: str
    label_zh: str

    def label(self, lang: str = "en") -> str:
        return localised(self, "label", lang)


@dataclass(frozen=True)
class Method:
    normalisation: str = "minmax"
    aggregation: str = "arithmetic"
    weighting: str = "default"
    missing: str = "reweight"
    skew_transform: str = "auto"
    skew_limit: float = 2.0
    kurtosis_limit: float = 3.5
    geometric_floor: float = 1.0


@dataclass(frozen=True)
class Dataset:
    """Everything the model needs, immutable once loaded."""

    version: str
    date: str
    title_en: str
    title_zh: str
    provinces: tuple[Province, ...]
    pillars: tuple[Pillar, ...]
    indicators: tuple[Indicator, ...]
    tiers: tuple[TierDef, ...]
    method: Method
    observations: tuple[Observation, ...]
    sources: Mapping[str, Source]
    origin: str = "bundled"
    coding: tuple[CodedCell, ...] = ()
    _by_iso: Mapping[str, Province] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_iso", MappingProxyType({p.iso_code: p for p in self.provinces}))

    def province(self, iso_code: str) -> Province:
        """The province with this ISO code (KeyError if none)."""
        return self._by_iso[iso_code]

    @property
    def assessed(self) -> tuple[Province, ...]:
        return tuple(p for p in self.provinces if p.assessed)

    def pillar(self, pillar_id: str) -> Pillar:
        for p in self.pillars:
            if p.id == pillar_id:
                return p
        raise KeyError(pillar_id)

    def find_pillar(self, text: str) -> str | None:
        """The id of the pillar ``text`` names (its id, English or Chinese label, in any case); None if none."""
        key = text.strip().casefold()
        for p in self.pillars:
            if key in (p.id.casefold(), p.label_en.casefold(), p.label_zh.casefold()):
                return p.id
        return None

    def indicator(self, indicator_id: str) -> Indicator:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise KeyError(indicator_id)

    @property
    def default_weights(self) -> dict[str, float]:
        return {p.id: p.weight for p in self.pillars}

    def model_values(self) -> dict[str, dict[str, float]]:
        """Indicator -> {iso_code: value} for the year the model uses (latest unless pinned)."""
        out: dict[str, dict[str, tuple[int, float]]] = {i.id: {} for i in self.indicators}
        pinned = {i.id: i.year for i in self.indicators}
        for o in self.observations:
            if o.indicator not in out:
                continue
            if pinned[o.indicator] is not None and o.year != pinned[o.indicator]:
                continue
            cur = out[o.indicator].get(o.iso_code)
            if cur is None or o.year > cur[0]:
                out[o.indicator][o.iso_code] = (o.year, o.value)
        return {k: {iso: yv[1] for iso, yv in v.items()} for k, v in out.items()}

    def observation(self, iso_code: str, indicator: str, year: int | None = None) -> Observation | None:
        """The observation for that province and indicator: the given year, else the model's year."""
        if year is None:
            ind = next((i for i in self.indicators if i.id == indicator), None)
            year = ind.year if ind is not None else None
        best = None
        for o in self.observations:
            if o.iso_code == iso_code and o.indicator == indicator:
                if year is not None and o.year == year:
                    return o
                if year is None and (best is None or o.year > best.year):
                    best = o
        return best


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    """One table as text: its header, its rows, and the row number of each in its file or sheet."""

    name: str
    header: tuple[str, ...] = ()
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def numbered(self) -> Iterable[tuple[int, dict[str, str]]]:
        return zip(self.lines, self.rows, strict=True)


@dataclass
class RawDataset:
    """A dataset as read, before validation: methodology, tables, and where each came from.

    ``own`` names the tables (and ``methodology.toml``) the user's source supplied; the rest came
    from the bundled dataset. ``locate`` rewrites a problem found in one of them so that it names
    the place the user can fix (a sheet and cell of a workbook); folders leave problems as they are.
    """

    meta: dict | None
    tables: dict[str, Table]
    origin: str = "bundled"
    own: frozenset[str] = frozenset()
    problems: list[Problem] = field(default_factory=list)
    locate: Callable[[Problem], Problem] = lambda p: p


def _bundled_dir() -> Path:
    return Path(str(resources.files("qitxl") / "data"))


def _read_csv(path: Path, name: str, required: tuple[str, ...], problems: list[Problem]) -> Table:
    table = Table(name)
    try:
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            problems.append(Problem(name, None, None, f"file is {size} bytes; the limit is {MAX_TABLE_BYTES}"))
            return table
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                problems.append(Problem(name, 1, ", ".join(missing), "missing column(s)"))
                return table
            table.header = tuple(header)
            for n, row in enumerate(reader, start=2):
                if None in row:
                    problems.append(Problem(name, reader.line_num, None, "more fields than the header has"))
                    continue
                table.rows.append({k: (v or "").strip() for k, v in row.items()})
                table.lines.append(n)
            return table
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, None, f"not UTF-8 text ({exc.reason})"))
    except csv.Error as exc:
        problems.append(Problem(name, None, None, f"not a readable CSV file ({exc})"))
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read ({exc.strerror})"))
    return Table(name)


def bundled_table(name: str, problems: list[Problem]) -> Table:
    """One table of the bundled dataset (for a user's source that lacks it)."""
    return _read_csv(_bundled_dir() / name, name, REQUIRED[name], problems)


def bundled_methodology(problems: list[Problem]) -> dict | None:
    """The bundled methodology.toml as a dict."""
    return _load_methodology(_bundled_dir() / "methodology.toml", problems)


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split("|") if s.strip())


def _finite(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _load_methodology(path: Path, problems: list[Problem]) -> dict | None:
    name = path.name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(name, None, None, f"not valid TOML ({exc})"))
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read ({exc.strerror})"))
    return None


class _Checker:
    """Typed reads from methodology.toml tables, each failure recorded as a Problem."""

    FILE = "methodology.toml"

    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.FILE, None, where, message))

    def need(self, table: Mapping, key: str, kind, where: str):
        """``table[key]`` if present and of type ``kind`` (an int passes as a float), else None."""
        if key not in table:
            self.problem(f"{where}.{key}", "missing")
            return None
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            self.problem(f"{where}.{key}", f"must be {kind.__name__}, not {value!r}")
            return None
        return value


def _parse_methodology(meta: dict, problems: list[Problem]):
    check = _Checker(problems)
    ds = meta.get("dataset", {})
    version = check.need(ds, "version", str, "dataset") or "?"
    date = check.need(ds, "date", str, "dataset") or "?"
    title_en = ds.get("title_en", "qitxl dataset")
    title_zh = ds.get("title_zh", title_en)
    method = _parse_method(meta.get("method", {}), check)
    indicators = _parse_indicators(meta.get("indicators", {}), check)
    pillars = _parse_pillars(meta.get("pillars", []), indicators, check)
    tiers = _parse_tiers(meta.get("tiers", []), check)
    return (version, date, title_en, title_zh), method, tuple(pillars), tuple(indicators), tuple(tiers)


def _parse_method(m: Mapping, check: _Checker) -> Method:
    method_kwargs = {}
    for key, allowed in (("normalisation", NORMALISATIONS), ("aggregation", AGGREGATIONS),
                         ("weighting", WEIGHTINGS), ("missing", MISSING_RULES),
                         ("skew_transform", SKEW_TREATMENTS)):
        if key in m:
            if m[key] not in allowed:
                check.problem(f"method.{key}", f"{m[key]!r} is not one of {', '.join(allowed)}")
            else:
                method_kwargs[key] = m[key]
    for key in ("skew_limit", "kurtosis_limit", "geometric_floor"):
        if key in m:
            v = m[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
                check.problem(f"method.{key}", f"must be a positive number, not {v!r}")
            else:
                method_kwargs[key] = float(v)
    return Method(**method_kwargs)


def _parse_indicators(raw_inds: Mapping, check: _Checker) -> list[Indicator]:
    return [_parse_indicator(iid, spec, check) for iid, spec in raw_inds.items()]


def _parse_indicator(iid: str, spec: Mapping, check: _Checker) -> Indicator:
    where = f"indicators.{iid}"
    pillar = check.need(spec, "pillar", str, where)
    direction = spec.get("direction", 1)
    if direction not in (1, -1):
        check.problem(f"{where}.direction", f"must be 1 or -1, not {direction!r}")
        direction = 1
    weight = spec.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0 or not math.isfinite(weight):
        check.problem(f"{where}.weight", f"must be a non-negative number, not {weight!r}")
        weight = 1.0
    gp = spec.get("goalposts")
    goalposts = None
    if gp is not None:
        if (not isinstance(gp, list) or len(gp) != 2
                or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in gp)
                or not gp[0] < gp[1]):
            check.problem(f"{where}.goalposts", "must be [low, high] with low < high")
        else:
            goalposts = (float(gp[0]), float(gp[1]))
    year = spec.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        check.problem(f"{where}.year", f"must be a whole year, not {year!r}")
        year = None
    return Indicator(
        id=iid, pillar=pillar or "", label_en=spec.get("label_en", iid),
        label_zh=spec.get("label_zh", spec.get("label_en", iid)), unit=spec.get("unit", ""),
        direction=int(direction), weight=float(weight), goalposts=goalposts, year=year,
    )


def _parse_pillars(specs: list, indicators: list[Indicator], check: _Checker) -> list[Pillar]:
    pillars: list[Pillar] = []
    seen: set[str] = set()
    for n, spec in enumerate(specs, start=1):
        where = f"pillars[{n}]"
        pid = check.need(spec, "id", str, where)
        weight = check.need(spec, "weight", float, where)
        if pid is None:
            continue
        if pid in seen:
            check.problem(f"{where}.id", f"duplicate pillar {pid!r}")
        seen.add(pid)
        if weight is not None and (weight < 0 or not math.isfinite(weight)):
            check.problem(f"{where}.weight", f"must be >= 0, not {weight}")
        members = tuple(i.id for i in indicators if i.pillar == pid)
        if not members:
            check.problem(f"{where}", f"pillar {pid!r} has no indicators")
        pillars.append(Pillar(
            id=pid, label_en=spec.get("label_en", pid), label_zh=spec.get("label_zh", pid),
            weight=float(weight or 0.0), about_en=spec.get("about_en", ""),
            about_zh=spec.get("about_zh", ""), indicators=members,
        ))
    if not pillars:
        check.problem("pillars", "no pillars defined")
    for i in indicators:
        if i.pillar and i.pillar not in seen:
            check.problem(f"indicators.{i.id}.pillar", f"unknown pillar {i.pillar!r}")
    total = sum(p.weight for p in pillars)
    if pillars and not math.isclose(total, 1.0, abs_tol=1e-9):
        check.problem("pillars.weight", f"weights sum to {total:g}, not 1")
    return pillars


def _parse_tiers(specs: list, check: _Checker) -> list[TierDef]:
    tiers: list[TierDef] = []
    for n, spec in enumerate(specs, start=1):
        where = f"tiers[{n}]"
        level = check.need(spec, "level", int, where)
        lo = check.need(spec, "min_score", float, where)
        if level is None or lo is None:
            continue
        tiers.append(TierDef(level, lo, spec.get("label_en", f"Tier {level}"),
                             spec.get("label_zh", spec.get("label_en", f"Tier {level}"))))
    tiers.sort(key=lambda t: t.level)
    if not tiers:
        check.problem("tiers", "no tiers defined")
    elif [t.level for t in tiers] != list(range(1, len(tiers) + 1)):
        check.problem("tiers.level", "levels must run 1, 2, 3, ... without gaps")
    elif any(a.min_score <= b.min_score for a, b in zip(tiers, tiers[1:], strict=False)):
        check.problem("tiers.min_score", "must fall strictly from level 1 down")
    elif tiers[-1].min_score > 0:
        check.problem("tiers.min_score", "the last tier must start at 0")
    return tiers


def load_dataset(source: str | Path | None = None) -> Dataset:
    """Load and validate a dataset: a folder (files it lacks come from the bundled dataset), an
    Excel workbook with the same tables as sheets, or None for the bundled dataset.

    Raises DatasetError listing every problem found (file or sheet, row, column, what is wrong).
    """
    return build(read_raw(source))


def fingerprint(source: str | Path) -> tuple:
    """What changes when the dataset at ``source`` changes: modification time and size of the
    workbook, or of each table in the folder. For caches that must notice an edited dataset."""
    p = Path(source)
    try:
        if p.is_dir():
            return tuple((c.name, c.stat().st_mtime_ns, c.stat().st_size) for c in sorted(p.iterdir())
                         if c.name in REQUIRED or c.name == "methodology.toml")
        st = p.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return ()


def read_raw(source: str | Path | None = None) -> RawDataset:
    """The tables of a dataset folder or workbook as text, not yet validated."""
    if source is not None and Path(source).suffix.lower() in WORKBOOK_SUFFIXES:
        from .dataset_xlsx import read_workbook

        return read_workbook(Path(source))
    return _read_folder(Path(source) if source is not None else None)


def _read_folder(user: Path | None) -> RawDataset:
    bundled_dir = _bundled_dir()
    problems: list[Problem] = []
    if user is not None and not user.is_dir():
        what = "not a folder or an .xlsx/.xlsm workbook" + ("" if user.exists() else " (no such path)")
        if user.suffix.lower() in (".xls", ".ods", ".numbers"):
            what += f"; save the {user.suffix} file as an Excel workbook (.xlsx) first"
        raise DatasetError([Problem(str(user), None, None, what)])

    def pick(name: str) -> Path:
        if user is not None and (user / name).is_file():
            return user / name
        return bundled_dir / name

    own = frozenset(n for n in (*REQUIRED, "methodology.toml") if user is None or (user / n).is_file())
    meta = _load_methodology(pick("methodology.toml"), problems)
    tables = {name: _read_csv(pick(name), name, cols, problems) for name, cols in REQUIRED.items()
              if name != "coding.csv" or pick(name).is_file()}
    return RawDataset(meta, tables, "bundled" if user is None else str(user), own, problems)


def build(raw: RawDataset) -> Dataset:
    """Validate a raw dataset into a Dataset; DatasetError lists every problem found."""
    try:
        return _build(raw)
    except DatasetError as exc:
        raise DatasetError([raw.locate(p) for p in exc.problems]) from None


def _build(raw: RawDataset) -> Dataset:
    problems = list(raw.problems)
    if raw.meta is None:
        raise DatasetError(problems)
    head, method, pillars, indicators, tiers = _parse_methodology(raw.meta, problems)
    empty = Table("")
    sources = _check_sources(raw.tables.get("sources.csv", empty), problems)
    prov_raw = _check_provinces(raw.tables.get("provinces.csv", empty), problems)
    reported = _check_reported(raw.tables.get("reported_tiers.csv", empty), prov_raw, sources, problems)
    known = {i.id: i for i in indicators}
    observations = _check_observations(raw.tables.get("indicators.csv", empty), prov_raw, known, sources, problems)
    has_evidence = {o.iso_code for o in observations if o.indicator.startswith(QIT_PREFIX) and o.indicator in known}
    provinces = [_province(iso, r, has_evidence, reported.get(iso)) for iso, r in sorted(prov_raw.items())]
    coding = _check_coding(raw.tables.get("coding.csv"), "coding.csv" in raw.own,
                           set(prov_raw), known, observations, problems)
    if not has_evidence and not problems:
        problems.append(Problem("indicators.csv", None, "indicator",
                                "no province has coded QIT evidence (qit_* rows), so none can be ranked"))
    if problems:
        raise DatasetError(problems)
    version, date, title_en, title_zh = head
    return Dataset(
        version=version, date=date, title_en=title_en, title_zh=title_zh,
        provinces=tuple(provinces), pillars=pillars, indicators=indicators, tiers=tiers,
        method=method, observations=tuple(observations), sources=MappingProxyType(sources),
        origin=raw.origin, coding=coding,
    )


def _check_sources(rows: Table, problems: list[Problem]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for n, r in rows.numbered():
        sid = r["source_id"]
        if not sid:
            problems.append(Problem("sources.csv", n, "source_id", "empty"))
        elif sid in sources:
            problems.append(Problem("sources.csv", n, "source_id", f"duplicate source {sid!r}"))
        if r["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(Problem("sources.csv", n, "confidence",
                                    f"{r['confidence']!r} is not one of {', '.join(CONFIDENCE_LEVELS)}"))
        sources[sid] = Source(**{k: r.get(k, "") for k in Source.__dataclass_fields__})
    return sources


def _source_ids(file: str, n: int, text: str, sources: Mapping[str, Source],
                problems: list[Problem]) -> tuple[str, ...]:
    """The source ids of a row; a problem for none, and for each not in sources.csv."""
    ids = _split(text)
    if not ids:
        problems.append(Problem(file, n, "source_id", "empty: every value needs a source"))
    for sid in ids:
        if sid not in sources:
            problems.append(Problem(file, n, "source_id", f"unknown source {sid!r} (not in sources.csv)"))
    return ids


def _check_provinces(rows: Table, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """provinces.csv rows by ISO code (with ``_row``, the row number), each checked."""
    prov_raw: dict[str, dict[str, str]] = {}
    for n, r in rows.numbered():
        iso = r["iso_code"]
        if not (len(iso) == 5 and iso.startswith("CN-") and iso[3:].isalpha() and iso[3:].isupper()):
            problems.append(Problem("provinces.csv", n, "iso_code", f"{iso!r} is not an ISO 3166-2:CN code like CN-AH"))
            continue
        if iso in prov_raw:
            problems.append(Problem("provinces.csv", n, "iso_code", f"duplicate {iso}"))
        if not (len(r["gb_code"]) == 6 and r["gb_code"].isdigit()):
            problems.append(Problem("provinces.csv", n, "gb_code", f"{r['gb_code']!r} is not a 6-digit GB/T 2260 code"))
        if r["type"] not in TYPES:
            problems.append(Problem("provinces.csv", n, "type", f"{r['type']!r} is not one of {', '.join(TYPES)}"))
        if r["region"] not in REGIONS:
            problems.append(Problem("provinces.csv", n, "region", f"{r['region']!r} is not an NBS region"))
        if not r["name_en"] or not r["name_zh"]:
            problems.append(Problem("provinces.csv", n, "name_en", "English and Chinese names are required"))
        prov_raw[iso] = r | {"_row": str(n)}
    for col in ("gb_code", "iso_code_legacy", "name_en", "name_zh"):
        seen_vals: dict[str, str] = {}
        for iso, r in prov_raw.items():
            v = r[col]
            if v in seen_vals:
                problems.append(Problem("provinces.csv", int(r["_row"]), col, f"{v!r} also used by {seen_vals[v]}"))
            seen_vals[v] = iso
    return prov_raw


def _check_reported(rows: Table, prov_raw: Mapping[str, object], sources: Mapping[str, Source],
                    problems: list[Problem]) -> dict[str, tuple[int, str, str]]:
    """reported_tiers.csv: (tier, label, Chinese label) by ISO code."""
    reported: dict[str, tuple[int, str, str]] = {}
    for n, r in rows.numbered():
        if r["iso_code"] not in prov_raw:
            problems.append(Problem("reported_tiers.csv", n, "iso_code", f"unknown province {r['iso_code']!r}"))
            continue
        if not r["reported_tier"].isdigit():
            problems.append(Problem("reported_tiers.csv", n, "reported_tier", "must be a whole number (1 = top)"))
            continue
        _source_ids("reported_tiers.csv", n, r["source_id"], sources, problems)
        reported[r["iso_code"]] = (int(r["reported_tier"]), r["reported_label"], r.get("reported_label_zh", ""))
    return reported


def _check_observations(rows: Table, prov_raw: Mapping[str, object], known: Mapping[str, Indicator],
                        sources: Mapping[str, Source], problems: list[Problem]) -> list[Observation]:
    """indicators.csv: every row checked; the rows without a fault as Observations."""
    observations: list[Observation] = []
    keys: set[tuple[str, str, int]] = set()
    for n, r in rows.numbered():
        iso, iid = r["iso_code"], r["indicator"]
        value, year, bad = _check_observation(n, r, prov_raw, known.get(iid), problems)
        ids = _source_ids("indicators.csv", n, r["source_id"], sources, problems)
        if bad:
            continue
        key = (iso, iid, year)
        if key in keys:
            problems.append(Problem("indicators.csv", n, "indicator", f"duplicate row for {iso}, {iid}, {year}"))
        keys.add(key)
        observations.append(Observation(iso, iid, value, year, r["unit"], ids, r["confidence"], r.get("note", "")))
    return observations


def _check_observation(n: int, r: Mapping[str, str], prov_raw: Mapping[str, object], ind: Indicator | None,
                       problems: list[Problem]) -> tuple[float | None, int | None, bool]:
    """One indicators.csv row: (value, year, bad), bad when the row cannot become an Observation."""
    iso, iid = r["iso_code"], r["indicator"]
    bad = False
    if iso not in prov_raw:
        problems.append(Problem("indicators.csv", n, "iso_code", f"unknown province {iso!r}"))
        bad = True
    if not iid:
        problems.append(Problem("indicators.csv", n, "indicator", "empty"))
        bad = True
    value = _finite(r["value"])
    if value is None:
        problems.append(Problem("indicators.csv", n, "value", f"{r['value']!r} is not a finite number"))
        bad = True
    year = int(r["year"]) if r["year"].isdigit() else None
    if year is None or not 1949 <= year <= 2100:
        problems.append(Problem("indicators.csv", n, "year", f"{r['year']!r} is not a year"))
        bad = True
    if r["confidence"] not in CONFIDENCE_LEVELS:
        problems.append(Problem("indicators.csv", n, "confidence",
                                f"{r['confidence']!r} is not one of {', '.join(CONFIDENCE_LEVELS)}"))
    if ind is not None and value is not None:
        if ind.unit and r["unit"] != ind.unit:
            problems.append(Problem("indicators.csv", n, "unit",
                                    f"{r['unit']!r} but methodology.toml says {iid} is in {ind.unit!r}"))
        if ind.goalposts and not ind.goalposts[0] <= value <= ind.goalposts[1]:
            problems.append(Problem("indicators.csv", n, "value",
                                    f"{value:g} outside {iid}'s range {ind.goalposts[0]:g}-{ind.goalposts[1]:g}"))
        if not ind.goalposts and value < 0:
            problems.append(Problem("indicators.csv", n, "value", f"{value:g} is negative"))
    return value, year, bad


def _province(iso: str, r: Mapping[str, str], has_evidence: set[str], tier: tuple[int, str, str] | None) -> Province:
    return Province(
        iso_code=iso, iso_code_legacy=r["iso_code_legacy"], gb_code=r["gb_code"],
        name_en=r["name_en"], name_zh=r["name_zh"], name_zh_short=r["name_zh_short"],
        name_iso=r.get("name_iso", ""), pinyin_tone=r["pinyin_tone"], pinyin=r.get("pinyin", ""),
        aliases_en=_split(r.get("aliases_en", "")), abbr_zh=_split(r.get("abbr_zh", "")),
        type=r["type"], type_zh=r.get("type_zh", ""), region=r["region"],
        capital_en=r.get("capital_en", ""), capital_zh=r.get("capital_zh", ""),
        nbs_statistics=r.get("nbs_statistics", "no") == "yes",
        assessed=iso in has_evidence,
        reported_tier=tier[0] if tier else None, reported_label=tier[1] if tier else None,
        reported_label_zh=(tier[2] or tier[1]) if tier else None,
    )


def _check_coding(table: Table | None, applies: bool, provinces: set[str], known: Mapping[str, Indicator],
                  observations: list[Observation], problems: list[Problem]) -> tuple[CodedCell, ...]:
    """The double-coding record, checked against the ratings the dataset ships.

    A shipped rating that differs from the record's final one is no error: a user may revise a
    rating after the coding; the evidence report lists such cells as edited.

    ``applies`` is false when a user's source replaces the ratings but not the record: the
    bundled record describes the bundled ratings, so it is not carried over.
    """
    if not applies or table is None:
        return ()
    f = "coding.csv"
    shipped = {(o.iso_code, o.indicator): o.value for o in observations if o.indicator.startswith(QIT_PREFIX)}
    cells: list[CodedCell] = []
    seen: set[tuple[str, str]] = set()
    for n, r in table.numbered():
        key = (r["iso_code"], r["indicator"])
        if key[0] not in provinces:
            problems.append(Problem(f, n, "iso_code", f"unknown province {key[0]!r}"))
            continue
        if not key[1].startswith(QIT_PREFIX) or key[1] not in known:
            problems.append(Problem(f, n, "indicator", f"{key[1]!r} is not a coded QIT indicator"))
            continue
        if key in seen:
            problems.append(Problem(f, n, "indicator", f"duplicate row for {key[0]}, {key[1]}"))
        seen.add(key)
        codes = {}
        for col in ("coder_a", "coder_b", "final"):
            if not r[col].isdigit() or int(r[col]) not in RATING_RANGE:
                problems.append(Problem(f, n, col, f"{r[col]!r} is not a rating 0-5"))
            else:
                codes[col] = int(r[col])
        if len(codes) < 3:
            continue
        if key not in shipped:
            problems.append(Problem(f, n, "indicator", f"indicators.csv has no {key[1]} rating for {key[0]}"))
        if not r["resolution"] and not codes["coder_a"] == codes["coder_b"] == codes["final"]:
            problems.append(Problem(f, n, "resolution", "the coders differ: say how the final rating was reached"))
        cells.append(CodedCell(key[0], key[1], codes["coder_a"], codes["coder_b"], codes["final"], r["resolution"]))
    return tuple(cells)


@cache
def bundled() -> Dataset:
    """The dataset shipped with qitxl, loaded once."""
    return load_dataset(None)
