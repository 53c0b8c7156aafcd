"""``qitxl info``: dataset version, counts, method and sources."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from .. import __version__
from ..dataset import Dataset
from ..model import Results, compute
from .common import add_dataset_argument, load


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_argument(p)
    p.add_argument("--format", choices=("text", "json"), default="text")


def info_data(ds: Dataset, res: Results) -> dict[str, object]:
    """Everything ``qitxl info`` shows, as plain data (what --format json prints)."""
    obs_by_source = Counter(s for o in ds.observations for s in o.source_ids)
    return {
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


def run(args: argparse.Namespace) -> int:
    ds = load(args)
    res = compute(ds)
    info = info_data(ds, res)
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
