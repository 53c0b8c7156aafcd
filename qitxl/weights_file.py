"""Pillar weights read from a user's TOML or CSV file (``qitxl generate --weights``)."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

from .dataset import Dataset
from .exceptions import QitxlError
from .model import resolve_weights


class WeightsError(QitxlError, ValueError):
    """A weights file cannot be used; the message names the file, the line and the problem."""


MAX_WEIGHTS_BYTES = 1_000_000


def read_weights(path: str | Path, ds: Dataset) -> dict[str, float]:
    """Pillar weights from a TOML or CSV file, validated (WeightsError naming the file and the problem)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_WEIGHTS_BYTES:
            raise WeightsError(f"{p}: larger than {MAX_WEIGHTS_BYTES} bytes; a weights file has one line per pillar")
        raw = p.read_bytes()
    except OSError as exc:
        raise WeightsError(f"{p}: cannot be read ({exc.strerror})") from None
    weights: dict[str, object] = {}
    if p.suffix.lower() == ".toml":
        try:
            doc = tomllib.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise WeightsError(f"{p}: not valid TOML ({exc})") from None
        weights = dict(doc.get("weights", doc)) if isinstance(doc.get("weights", doc), dict) else {}
    else:
        try:
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise WeightsError(f"{p}: not a readable CSV file ({exc})") from None
        for n, row in enumerate(rows, start=1):
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if n == 1 and [c.lower() for c in cells[:2]] == ["pillar", "weight"]:
                continue
            if len(cells) != 2:
                raise WeightsError(f"{p}, line {n}: expected 'pillar,weight', got {len(cells)} field(s)")
            try:
                value: object = float(cells[1])
            except ValueError:
                raise WeightsError(f"{p}, line {n}: weight {cells[1]!r} is not a number") from None
            if cells[0] in weights:
                raise WeightsError(f"{p}, line {n}: pillar {cells[0]!r} given twice")
            weights[cells[0]] = value
    if not weights:
        raise WeightsError(f"{p}: no weights found (expected pillar = weight lines or pillar,weight rows)")
    try:
        return resolve_weights(ds, weights)
    except ValueError as exc:
        raise WeightsError(f"{p}: {exc}") from None
