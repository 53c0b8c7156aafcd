"""The small read-only commands: ``info``, ``rank``, ``resolve``, ``validate``."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import Counter

from .dataset import Dataset, DatasetError, bundled, load_dataset
from .model import compute
from .names import UnknownProvince, resolver


def _add_dataset(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", metavar="PATH", help="dataset folder or .xlsx workbook instead of the bundled one")


add_dataset_argument = _add_dataset


def apply_dataset(args: argparse.Namespace, prog: str) -> bool:
    """For commands that evaluate QIT_ formulas: make the functions use ``--dataset`` if given.

    False (after printing every problem) if that dataset does not validate: the command then
    writes nothing. Without ``--dataset`` the functions use QITXL_DATASET, else the bundled data.
    """
    if not getattr(args, "dataset", None):
        return True
    from .functions import use_dataset

    try:
        use_dataset(load_dataset(args.dataset))
    except DatasetError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return False
    return True


def load(args: argparse.Namespace) -> Dataset:
    """The dataset named by ``--dataset``, or the bundled one; exits 2 with the problems if invalid."""
    folder = getattr(args, "dataset", None)
    try:
        return load_dataset(folder) if folder else bundled()
    except DatasetError as exc:
        print(f"qitxl: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


# ----------------------------------------------------------------------------- info

def add_info_arguments(p: argparse.ArgumentParser) -> None:
    _add_dataset(p)
    p.add_argument("--format", choices=("text", "json"), default="text")


def run_info(args: argparse.Namespace) -> int:
    ds = load(args)
    from . import __version__

    res = compute(ds)
    obs_by_source = Counter(s for o in ds.observations for s in o.source_ids)
    info = {
        "package_version": __version__,
        "dataset_version": ds.version,
        "dataset_date": ds.date,
        "dataset": ds.origin,
        "provinces": len(ds.provinces),
        "assessed": len(ds.assessed),
        "not_assessed": [p.name_en for p in ds.provinces if not p.assessed],
        "observations": len(ds.observations),
        "indicators": {i.id: {"pillar": i.pillar, "unit": i.unit, "transform": res.transforms[i.id]}
                       for i in ds.indicators},
        "method": {"normalisation": ds.method.normalisation, "aggregation": ds.method.aggregation,
                   "missing": ds.method.missing, "weights": dict(res.weights)},
        "sources": [{"source_id": s.source_id, "values": obs_by_source.get(s.source_id, 0),
                     "confidence": s.confidence, "citation": s.citation()} for s in ds.sources.values()],
    }
    if args.format == "json":
        json.dump(info, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"qitxl {__version__} · dataset {ds.version} ({ds.date}) · {ds.origin}")
    print(f"{info['provinces']} provincial-level divisions, {info['assessed']} assessed on QIT evidence; "
          f"{info['observations']} sourced values")
    print(f"method: {ds.method.normalisation} normalisation, {ds.method.aggregation} aggregation, "
          f"missing values {ds.method.missing}")
    print("pillars and weights:")
    for p in ds.pillars:
        print(f"  {p.id:<15} {res.weights[p.id]:.2f}  {p.label_en}: {', '.join(p.indicators)}")
    logged = [k for k, v in res.transforms.items() if v != "none"]
    print(f"skew transforms: {', '.join(logged) if logged else 'none needed on this data'}")
    print("not assessed (outside the scope, or no QIT evidence): " + ", ".join(info["not_assessed"]))
    print(f"sources ({len(ds.sources)}):")
    for s in info["sources"]:
        print(f"  [{s['source_id']}] ({s['confidence']}, {s['values']} values) {s['citation']}")
    return 0


# ----------------------------------------------------------------------------- rank

def add_rank_arguments(p: argparse.ArgumentParser) -> None:
    _add_dataset(p)
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")


def ranking_rows(ds: Dataset, lang: str = "en") -> list[dict[str, object]]:
    """One dict per assessed province in rank order: what ``qitxl rank`` prints."""
    res = compute(ds)
    rows = []
    for iso in res.order():
        p = ds.province(iso)
        t = res.tier(iso, lang)
        row: dict[str, object] = {
            "rank": res.rank(iso), "iso_code": iso,
            "name": p.name_zh_short if lang == "zh" else p.name_en,
            "score": round(res.score(iso), 2), "tier": t.label,
            "reported_tier": p.reported(lang),
        }
        for pil in ds.pillars:
            row[pil.id] = round(res.score(iso, pil.id), 2)
        rows.append(row)
    return rows


def run_rank(args: argparse.Namespace) -> int:
    ds = load(args)
    rows = ranking_rows(ds, args.lang)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        print(format_table(rows))
        print(f"\n{len(rows)} assessed of {len(ds.provinces)}; tiers from the model's scores; "
              "'reported' is the seed article's view, as reported. Sources: qitxl info")
    return 0


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def format_table(rows: list[dict[str, object]]) -> str:
    """A plain-text table with columns aligned (CJK characters count double)."""
    cols = list(rows[0])
    cells = [[_fmt(r[c]) for c in cols] for r in rows]
    widths = [max(_width(c), *(_width(row[k]) for row in cells)) for k, c in enumerate(cols)]
    num = [all(isinstance(r[c], int | float) for r in rows) for c in cols]

    def line(values: list[str]) -> str:
        out = []
        for k, v in enumerate(values):
            pad = " " * (widths[k] - _width(v))
            out.append(pad + v if num[k] else v + pad)
        return "  ".join(out).rstrip()

    return "\n".join([line(cols), line(["-" * w for w in widths]), *(line(c) for c in cells)])


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.1f}"
    return str(v)


# ----------------------------------------------------------------------------- resolve

def add_resolve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="+", help="province spellings")


def run_resolve(args: argparse.Namespace) -> int:
    r = resolver()
    status = 0
    for text in args.names:
        try:
            iso = r.resolve(text)
            print(f"{text}\t{iso}\t{bundled().province(iso).name_en}")
        except UnknownProvince as exc:
            print(f"{text}\t#N/A\t{exc}")
            status = 1
    return status


# ----------------------------------------------------------------------------- validate

def add_validate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", metavar="DATASET",
                   help="dataset folder or .xlsx workbook (tables it lacks are taken from the bundled dataset)")


def run_validate(args: argparse.Namespace) -> int:
    from .dataset import REQUIRED, build, read_raw

    try:
        raw = read_raw(args.folder)
        ds = build(raw)
    except DatasetError as exc:
        print(exc)
        return 1
    print(f"ok: {len(ds.provinces)} provinces, {len(ds.assessed)} assessed, "
          f"{len(ds.observations)} values, {len(ds.sources)} sources")
    taken = [n for n in (*REQUIRED, "methodology.toml") if n not in raw.own and n != "coding.csv"]
    if taken:
        print(f"taken from the bundled dataset: {', '.join(taken)}")
    return 0
