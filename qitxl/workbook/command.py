"""The ``qitxl generate`` command: write the ranking workbook."""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tomllib
from pathlib import Path

from ..atomic import OutputRefused
from ..dataset import Dataset, DatasetError
from ..model import resolve_weights

MAX_WEIGHTS_BYTES = 1_000_000


def add_generate_arguments(p: argparse.ArgumentParser) -> None:
    from . import DEFAULT_PATH

    p.add_argument("-o", "--output", metavar="FILE", default=str(DEFAULT_PATH),
                   help=f"the .xlsx file to write (default {DEFAULT_PATH})")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of labels and notes")
    p.add_argument("--weights", metavar="FILE",
                   help="pillar weights: TOML (pillar = weight, optionally under [weights]) or CSV rows pillar,weight")
    p.add_argument("--dataset", metavar="PATH", help="dataset folder or .xlsx workbook instead of the bundled one")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")


def read_weights(path: str | Path, ds: Dataset) -> dict[str, float]:
    """Pillar weights from a TOML or CSV file, validated (ValueError naming the file and the problem)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_WEIGHTS_BYTES:
            raise ValueError(f"{p}: larger than {MAX_WEIGHTS_BYTES} bytes; a weights file has one line per pillar")
        raw = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p}: cannot be read ({exc.strerror})") from None
    weights: dict[str, object] = {}
    if p.suffix.lower() == ".toml":
        try:
            doc = tomllib.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{p}: not valid TOML ({exc})") from None
        weights = dict(doc.get("weights", doc)) if isinstance(doc.get("weights", doc), dict) else {}
    else:
        try:
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ValueError(f"{p}: not a readable CSV file ({exc})") from None
        for n, row in enumerate(rows, start=1):
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if n == 1 and [c.lower() for c in cells[:2]] == ["pillar", "weight"]:
                continue
            if len(cells) != 2:
                raise ValueError(f"{p}, line {n}: expected 'pillar,weight', got {len(cells)} field(s)")
            try:
                value: object = float(cells[1])
            except ValueError:
                raise ValueError(f"{p}, line {n}: weight {cells[1]!r} is not a number") from None
            if cells[0] in weights:
                raise ValueError(f"{p}, line {n}: pillar {cells[0]!r} given twice")
            weights[cells[0]] = value
    if not weights:
        raise ValueError(f"{p}: no weights found (expected pillar = weight lines or pillar,weight rows)")
    try:
        return resolve_weights(ds, weights)
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None


def run_generate(args: argparse.Namespace) -> int:
    """Write the workbook; 0 on success, 2 for bad input (dataset, weights, existing file)."""
    from ..dataset import bundled, load_dataset
    from . import build

    try:
        ds = load_dataset(args.dataset) if args.dataset else bundled()
        weights = read_weights(args.weights, ds) if args.weights else None
        path = build(args.output, dataset=ds, lang=args.lang, weights=weights, force=args.force,
                     inputs=[args.weights])
    except OutputRefused as exc:
        print(f"qitxl: {exc}", file=sys.stderr)
        return 2
    except (ValueError, DatasetError) as exc:
        print(f"qitxl: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0
