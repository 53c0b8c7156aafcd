"""Read and validate a batch scenarios file (TOML) into frozen, picklable ``Scenario`` records.

The schema is documented in ``docs/batch.md``. In short::

    [defaults]                      # any workbook key except name; each workbook may override
    lang = "en"
    weights = "default"

    [presets]                       # named weight sets, usable as weights = "<name>"
    research_first = { research = 0.4, industry = 0.2, policy = 0.1, talent = 0.1,
                       infrastructure = 0.1, rd_capacity = 0.1 }

    [[workbook]]
    name = "qit-east-en"            # the file is <name>.xlsx in the output folder
    title = "Quantum technology: the eastern provinces"
    region = "East"                 # and/or tier = [1, 2], provinces = ["Anhui", "北京"]

Everything is checked before anything is written, and every fault is reported together
(``ScenarioError.problems``), each with the workbook and key at fault. Dataset folders are
loaded here too (once each), so weights and province names are checked against the dataset
the workbook will use.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .dataset import Dataset, DatasetError, bundled, fingerprint, load_dataset
from .exceptions import QitxlError
from .model import compute, resolve_weights
from .names import UnknownProvince, resolver

LANGS = ("en", "zh")
BUILTIN_PRESETS = ("default", "equal")
REGIONS = ("East", "Central", "West", "Northeast")
TIER_BASES = ("model", "reported")
TOP_KEYS = ("defaults", "presets", "workbook")
WORKBOOK_KEYS = ("name", "title", "lang", "weights", "region", "tier", "tier_basis", "provinces", "dataset")
DEFAULT_KEYS = tuple(k for k in WORKBOOK_KEYS if k != "name")
MAX_NAME = 150
# Characters Windows (and so most shared drives) refuse in file names, besides the separators.
_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


@dataclass(frozen=True)
class Issue:
    """One fault in a scenarios file: where (workbook and key) and what is wrong."""

    where: str
    key: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.key}: {self.message}" if self.key else f"{self.where}: {self.message}"


class ScenarioError(QitxlError, ValueError):
    """A scenarios file failed validation; ``problems`` lists every fault found."""

    def __init__(self, path: str | Path, problems: Iterable[Issue]):
        self.path = str(path)
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.path}: {len(self.problems)} problem(s), nothing was written:\n{lines}")


@dataclass(frozen=True)
class Scenario:
    """One workbook to produce: everything ``qitxl.batch.run_scenario`` needs, resolved and checked.

    Plain values only (no Dataset object), so it pickles cheaply and can be shipped to any
    worker process or cluster node that sees the same file system.
    """

    name: str
    output: Path                                  # absolute path of the .xlsx to produce
    lang: str = "en"
    title: str | None = None
    weights: tuple[tuple[str, float], ...] | None = None  # None: the dataset's own weighting
    weights_label: str = "default"               # preset name or "custom", for the plan
    provinces: tuple[str, ...] | None = None      # ISO codes for the Rankings sheet; None: all
    dataset: str | None = None                    # absolute dataset folder or workbook; None: bundled
    index: int = 0                                # position in the scenarios file (1-based)

    @property
    def file(self) -> str:
        return self.output.name

    def weights_dict(self) -> dict[str, float] | None:
        return dict(self.weights) if self.weights is not None else None


def file_name(name: str) -> str:
    """The output file name for a workbook name (``.xlsx`` is added unless already there)."""
    return name if name.lower().endswith(".xlsx") else f"{name}.xlsx"


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a safe output file name, or None if it is."""
    if not isinstance(name, str):
        return f"must be text, not {name!r}"
    if not name.strip():
        return "is empty"
    if "/" in name or "\\" in name:
        return f'"{name}" contains a path separator; give a plain file name'
    if ".." in name:
        return f'"{name}" contains ".."; give a plain file name'
    if _BAD_CHARS.search(name):
        return f'"{name}" contains a character file systems refuse (<>:"|?* or a control character)'
    if name != name.strip() or name.endswith(".") or name.startswith("."):
        return f'"{name}" starts or ends with a space or dot'
    if name.split(".")[0].lower() in _WINDOWS_DEVICES:
        return f'"{name}" is a reserved device name on Windows'
    if len(file_name(name)) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    return None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list) else [value]


@cache
def _load_dataset_cached(folder: str, stamp: tuple) -> Dataset:
    return load_dataset(folder)


def _dataset(folder: str | None) -> Dataset:
    return bundled() if folder is None else _load_dataset_cached(folder, fingerprint(folder))


def parse_toml(path: Path) -> tuple[dict | None, list[Issue]]:
    """The TOML document, or the reason it cannot be read (with line and column)."""
    where = path.name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh), []
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POS.match(str(exc))
        msg = f"line {m['line']}, column {m['col']}: {m['msg']}" if m else str(exc)
        return None, [Issue(where, None, f"not valid TOML: {msg}")]
    except UnicodeDecodeError as exc:
        return None, [Issue(where, None, f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return None, [Issue(where, None, f"cannot be read ({exc.strerror or exc})")]


def load_scenarios(path: str | Path, out_dir: str | Path, dataset: str | Path | None = None) -> list[Scenario]:
    """Read ``path`` and return one Scenario per ``[[workbook]]``, writing into ``out_dir``.

    ``dataset`` (a folder or workbook, relative to the current directory) is used by the workbooks
    for which neither their own table nor ``[defaults]`` names one (``qitxl batch --dataset``).

    Raises ScenarioError listing every fault found; nothing is returned (or written) unless the
    whole file is valid.
    """
    path = Path(path)
    doc, problems = parse_toml(path)
    if doc is None:
        raise ScenarioError(path, problems)
    scenarios = validate(doc, base=path.resolve().parent, out_dir=Path(out_dir).resolve(), problems=problems,
                         dataset=str(Path(dataset).resolve()) if dataset else None)
    if problems:
        raise ScenarioError(path, problems)
    return scenarios


def validate(doc: Mapping, *, base: Path, out_dir: Path, problems: list[Issue],
             dataset: str | None = None) -> list[Scenario]:
    """Check a parsed scenarios document; append every fault to ``problems``.

    ``base`` is the folder relative dataset paths are resolved against (the scenarios file's).
    """
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(Issue("file", key, f"unknown table or key{_did_you_mean(key, TOP_KEYS)}"
                                  f" (allowed: {', '.join(TOP_KEYS)})"))

    defaults = doc.get("defaults", {})
    if not isinstance(defaults, Mapping):
        problems.append(Issue("file", "defaults", "must be a table [defaults]"))
        defaults = {}
    for key in defaults:
        if key == "name":
            problems.append(Issue("[defaults]", key, "each workbook needs its own name; it cannot be a default"))
        elif key not in DEFAULT_KEYS:
            problems.append(Issue("[defaults]", key, f"unknown key{_did_you_mean(key, DEFAULT_KEYS)}"
                                  f" (allowed: {', '.join(DEFAULT_KEYS)})"))

    presets = _check_presets(doc.get("presets", {}), problems)

    books = doc.get("workbook", [])
    if not isinstance(books, list) or not all(isinstance(b, Mapping) for b in books):
        problems.append(Issue("file", "workbook", "must be an array of tables: [[workbook]]"))
        books = []
    if not books:
        problems.append(Issue("file", "workbook", "no [[workbook]] entries: nothing to produce"))

    seen: dict[str, str] = {}
    scenarios = []
    for n, book in enumerate(books, start=1):
        name = book.get("name")
        where = f'workbook[{n}] "{name}"' if isinstance(name, str) else f"workbook[{n}]"
        for key in book:
            if key not in WORKBOOK_KEYS:
                problems.append(Issue(where, key, f"unknown key{_did_you_mean(key, WORKBOOK_KEYS)}"
                                      f" (allowed: {', '.join(WORKBOOK_KEYS)})"))
        if "name" not in book:
            problems.append(Issue(where, "name", "missing: every workbook needs a name (its file name)"))
        else:
            why = name_problem(name)
            if why:
                problems.append(Issue(where, "name", why))
            else:
                folded = file_name(name).casefold()
                if folded in seen:
                    problems.append(Issue(where, "name", f'"{name}" gives the same file as {seen[folded]} '
                                          "(names are compared ignoring case)"))
                else:
                    seen[folded] = where
        spec = ({"dataset": dataset} if dataset else {}) | {k: v for k, v in defaults.items() if k in DEFAULT_KEYS} | {
            k: v for k, v in book.items() if k in WORKBOOK_KEYS}
        scenario = _scenario(n, where, spec, presets, base, out_dir, problems)
        if scenario is not None:
            scenarios.append(scenario)
    return scenarios


def _check_presets(raw: object, problems: list[Issue]) -> dict[str, dict[str, float] | None]:
    """Named weight sets from ``[presets]``: shape and numbers here; pillars when a workbook uses one."""
    if not isinstance(raw, Mapping):
        problems.append(Issue("file", "presets", "must be a table [presets]"))
        return {}
    out = {}
    for pname, table in raw.items():
        where = f"[presets] {pname}"
        if pname in BUILTIN_PRESETS:
            problems.append(Issue(where, None, f'"{pname}" is built in and cannot be redefined'))
            continue
        if not isinstance(table, Mapping):
            problems.append(Issue(where, None, "must be a table of pillar = weight"))
            continue
        ok = True
        for pillar, w in table.items():
            if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
                problems.append(Issue(where, pillar, f"weight must be a number >= 0, not {w!r}"))
                ok = False
        # An invalid preset stays known (as None) so workbooks using it are not also told it is unknown.
        out[pname] = {k: float(v) for k, v in table.items()} if ok else None
    return out


def _scenario(n: int, where: str, spec: Mapping, presets: Mapping[str, dict[str, float] | None], base: Path,
              out_dir: Path, problems: list[Issue]) -> Scenario | None:
    """Check one workbook's merged settings (defaults + its own) and build its Scenario."""
    before = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(Issue(where, key, message))

    lang = spec.get("lang", "en")
    if lang not in LANGS:
        bad("lang", f"{lang!r} is not one of {', '.join(LANGS)}")

    title = spec.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        bad("title", f"must be non-empty text, not {title!r}")

    folder = None
    ds = None
    if "dataset" in spec:
        raw = spec["dataset"]
        if not isinstance(raw, str) or not raw.strip():
            bad("dataset", f"must be a dataset folder or .xlsx workbook path, not {raw!r}")
        else:
            p = Path(raw).expanduser()
            folder = str((p if p.is_absolute() else base / p).resolve())
            try:
                ds = _dataset(folder)
            except DatasetError as exc:
                shown = "; ".join(str(pr) for pr in exc.problems[:5])
                more = f"; and {len(exc.problems) - 5} more" if len(exc.problems) > 5 else ""
                bad("dataset", f"{raw} fails validation: {shown}{more}")
    else:
        ds = bundled()

    weights, label = _weights(spec.get("weights", "default"), presets, ds, bad)

    provinces = None
    if ds is not None:
        provinces = _provinces(spec, ds, weights, bad)

    if len(problems) > before or "name" not in spec or name_problem(spec["name"]):
        return None
    return Scenario(
        name=spec["name"], output=out_dir / file_name(spec["name"]), lang=lang, title=title,
        weights=weights, weights_label=label, provinces=provinces, dataset=folder, index=n,
    )


def _weights(raw: object, presets: Mapping[str, dict[str, float] | None], ds: Dataset | None, bad):
    """Resolve ``weights`` (preset name or pillar table) to pillar pairs, or None for the dataset's own."""
    if isinstance(raw, str):
        if raw == "default":
            return None, "default"
        if raw == "equal":
            if ds is None:
                return None, "equal"
            return tuple((p.id, 1.0 / len(ds.pillars)) for p in ds.pillars), "equal"
        if raw not in presets:
            choices = (*BUILTIN_PRESETS, *presets)
            bad("weights", f'unknown preset "{raw}"{_did_you_mean(raw, choices)} (presets: {", ".join(choices)})')
            return None, raw
        if presets[raw] is None:
            bad("weights", f'preset "{raw}" is invalid (see [presets])')
            return None, raw
        table, label, prefix = presets[raw], raw, f'preset "{raw}": '
    elif isinstance(raw, Mapping):
        table, label, prefix = raw, "custom", ""
    else:
        bad("weights", f"must be a preset name or a table of pillar = weight, not {raw!r}")
        return None, "?"
    if ds is None:
        return None, label
    try:
        resolve_weights(ds, table)
    except ValueError as exc:
        bad("weights", f"{prefix}{exc}")
        return None, label
    # Keep the weights as written (resolve_weights rescales them anyway), in pillar order.
    return tuple((p.id, float(table.get(p.id, 0.0))) for p in ds.pillars), label


def _provinces(spec: Mapping, ds: Dataset, weights, bad) -> tuple[str, ...] | None:
    """The ISO codes the province filters select (all given filters must hold), or None for no filter."""
    keys = [k for k in ("region", "tier", "provinces") if k in spec]
    basis = spec.get("tier_basis", "model")
    if basis not in TIER_BASES:
        bad("tier_basis", f"{basis!r} is not one of {', '.join(TIER_BASES)}")
    if not keys:
        return None
    # Only assessed provinces have a score, so only they can be listed on the Rankings sheet.
    selected = [p.iso_code for p in ds.assessed]
    ok = True

    if "region" in spec:
        wanted = set()
        for k, r in enumerate(_as_list(spec["region"]), start=1):
            match = next((x for x in REGIONS if isinstance(r, str) and x.casefold() == r.strip().casefold()), None)
            if match is None:
                bad("region", f"{r!r} (item {k}) is not an NBS region{_did_you_mean(str(r), REGIONS)}"
                              f" (regions: {', '.join(REGIONS)})")
                ok = False
            wanted.add(match)
        selected = [iso for iso in selected if ds.province(iso).region in wanted]

    if "tier" in spec:
        levels = set()
        for k, t in enumerate(_as_list(spec["tier"]), start=1):
            if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= len(ds.tiers):
                bad("tier", f"{t!r} (item {k}) is not a tier level; levels run 1 (top) to {len(ds.tiers)}")
                ok = False
            levels.add(t)
        if basis == "reported":
            selected = [iso for iso in selected if ds.province(iso).reported_tier in levels]
        elif basis == "model" and ok:
            try:
                res = compute(ds, dict(weights) if weights is not None else None)
            except ValueError as exc:
                bad("tier", f"cannot compute model tiers: {exc}")
                return None
            assessed = set(res.iso_codes)
            selected = [iso for iso in selected if iso in assessed and res.tier(iso).level in levels]

    if "provinces" in spec:
        raw = spec["provinces"]
        if not isinstance(raw, list) or not raw:
            bad("provinces", "must be a non-empty list of province names or codes")
            return None
        r = resolver(ds if ds is not bundled() else None)
        named = []
        for k, text in enumerate(raw, start=1):
            try:
                iso = r.resolve(text)
            except UnknownProvince as exc:
                bad(f"provinces[{k}]", str(exc))
                ok = False
                continue
            if not ds.province(iso).assessed:
                bad(f"provinces[{k}]", f"{text!r} is {ds.province(iso).name_en}, which is not assessed "
                                       "(no QIT evidence), so it has no place in a ranking")
                ok = False
            named.append(iso)
        keep = set(named)
        selected = [iso for iso in selected if iso in keep]

    if ok and not selected:
        bad(", ".join(keys), "selects no assessed province (only assessed provinces are ranked, "
                                 "and a province must meet all the filters given)")
    return tuple(selected) if ok else None
