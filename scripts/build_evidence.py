"""Build the coded QIT evidence of the bundled dataset from the two codings and their reconciliation.

For maintainers. The inputs live in docs/evidence/ (see its README):

    coder_a/, coder_b/      each coder's ratings.csv, sources.csv and search_log.csv, as coded
    reconciliation.csv      the final rating of every cell, its sources, note and the reason for changes

Two steps:

    python scripts/build_evidence.py compare   # both codings side by side (comparison.csv) + agreement
    python scripts/build_evidence.py build     # writes qitxl/data/{indicators,sources,coding}.csv

Sources are merged by URL: one page cited by both coders (or already in sources.csv) becomes one
source with one id. A rating's confidence is recomputed as that of its strongest source.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qitxl.agreement import compare  # noqa: E402
from qitxl.dataset import CONFIDENCE_LEVELS  # noqa: E402

EVIDENCE = ROOT / "docs" / "evidence"
DATA = ROOT / "qitxl" / "data"
CODERS = ("coder_a", "coder_b")
PILLARS = ("research", "industry", "policy", "talent", "infrastructure")
REVIEW = "qitxl_review_2026"
YEAR = "2026"
UNIT = "rating 0-5"
SOURCE_COLUMNS = ("source_id", "title", "publisher", "date", "url", "kind", "confidence", "accessed")
KEEP_KINDS = {"official_statistics", "reference_data", "unattributed_article", "coding_review"}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def write(path: Path, columns: tuple[str, ...] | list[str], rows: list[dict[str, str]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})
    tmp.replace(path)


def url_key(url: str) -> str:
    """A URL with scheme, 'www.', 'm.' and trailing slashes removed, lower-cased host."""
    u = re.sub(r"^https?://", "", url.strip())
    host, _, rest = u.partition("/")
    host = re.sub(r"^(www|m)\.", "", host.lower())
    return f"{host}/{rest}".rstrip("/")


class SourceMerger:
    """One id per URL across the existing sources table and both coders' tables."""

    def __init__(self, existing: list[dict[str, str]]):
        self.rows: dict[str, dict[str, str]] = {r["source_id"]: r for r in existing}
        self.by_url = {url_key(r["url"]): r["source_id"] for r in existing if r["url"]}
        self.maps: dict[str, dict[str, str]] = {c: {} for c in CODERS}

    def add(self, coder: str, row: dict[str, str]) -> None:
        sid, key = row["source_id"], url_key(row["url"]) if row["url"] else ""
        if key and key in self.by_url:
            known = self.rows[self.by_url[key]]
            if not known.get("accessed") and row.get("accessed"):
                known["accessed"] = row["accessed"]     # read again by the coder on that date
            self.maps[coder][sid] = self.by_url[key]
            return
        new = sid
        while new in self.rows:
            new = f"{sid}_{coder[-1]}"
            sid = new
        self.rows[new] = row | {"source_id": new}
        if key:
            self.by_url[key] = new
        self.maps[coder][row["source_id"]] = new

    def ids(self, coder: str, text: str) -> list[str]:
        out = []
        for sid in (s.strip() for s in text.split("|") if s.strip()):
            mapped = REVIEW if sid == REVIEW else self.maps[coder].get(sid)
            if mapped is None:
                raise SystemExit(f"{coder}: source {sid!r} is cited but not in its sources.csv")
            if mapped not in out:
                out.append(mapped)
        return out


def load_coder(coder: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    folder = EVIDENCE / coder
    return read(folder / "ratings.csv"), read(folder / "sources.csv")


def merged_sources() -> tuple[SourceMerger, dict[str, dict[tuple[str, str], dict[str, str]]]]:
    merger = SourceMerger(read(DATA / "sources.csv"))
    ratings: dict[str, dict[tuple[str, str], dict[str, str]]] = {}
    for coder in CODERS:
        rows, sources = load_coder(coder)
        for s in sources:
            merger.add(coder, s)
        cells = {}
        for r in rows:
            key = (r["iso_code"], r["pillar"])
            if key in cells:
                raise SystemExit(f"{coder}: two ratings for {key}")
            if r["pillar"] not in PILLARS or not r["rating"].isdigit() or int(r["rating"]) > 5:
                raise SystemExit(f"{coder}: bad row {r}")
            cells[key] = r | {"source_ids": "|".join(merger.ids(coder, r["source_ids"]))}
        ratings[coder] = cells
    if set(ratings["coder_a"]) != set(ratings["coder_b"]):
        diff = set(ratings["coder_a"]) ^ set(ratings["coder_b"])
        raise SystemExit(f"the codings cover different cells: {sorted(diff)}")
    return merger, ratings


def cmd_compare() -> None:
    merger, ratings = merged_sources()
    a, b = ratings["coder_a"], ratings["coder_b"]
    keys = sorted(a)
    rows = []
    for k in keys:
        rows.append({"iso_code": k[0], "pillar": k[1], "a": a[k]["rating"], "b": b[k]["rating"],
                     "diff": str(int(a[k]["rating"]) - int(b[k]["rating"])),
                     "a_sources": a[k]["source_ids"], "b_sources": b[k]["source_ids"],
                     "a_note": a[k]["note"], "b_note": b[k]["note"]})
    write(EVIDENCE / "comparison.csv", list(rows[0]), rows)
    write(EVIDENCE / "sources_merged.csv", SOURCE_COLUMNS, list(merger.rows.values()))
    agreement = compare([int(a[k]["rating"]) for k in keys], [int(b[k]["rating"]) for k in keys])
    print(f"{len(keys)} cells; " + ", ".join(f"{k} {v:.3f}" for k, v in agreement.as_dict().items() if k != "cells"))


def strongest(source_ids: list[str], sources: dict[str, dict[str, str]]) -> str:
    levels = [sources[s]["confidence"] for s in source_ids if s != REVIEW]
    return min(levels, key=CONFIDENCE_LEVELS.index) if levels else "review"


def cmd_build() -> None:
    merger, ratings = merged_sources()
    final = {(r["iso_code"], r["pillar"]): r for r in read(EVIDENCE / "reconciliation.csv")}
    if set(final) != set(ratings["coder_a"]):
        raise SystemExit(f"reconciliation.csv must rate exactly the coded cells; differs on "
                         f"{sorted(set(final) ^ set(ratings['coder_a']))}")
    qit_rows, coding_rows, cited = [], [], set()
    for key in sorted(final):
        r = final[key]
        ids = [s.strip() for s in r["source_ids"].split("|") if s.strip()]
        unknown = [s for s in ids if s not in merger.rows]
        if unknown:
            raise SystemExit(f"{key}: unknown source ids {unknown}")
        rating = int(r["final"])
        if rating == 0:
            ids = [REVIEW, *[s for s in ids if s != REVIEW]]
        cited.update(ids)
        qit_rows.append({"iso_code": key[0], "indicator": f"qit_{key[1]}", "value": str(rating), "year": YEAR,
                         "unit": UNIT, "source_id": "|".join(ids), "confidence": strongest(ids, merger.rows),
                         "note": r["note"]})
        coding_rows.append({"iso_code": key[0], "indicator": f"qit_{key[1]}",
                            "coder_a": ratings["coder_a"][key]["rating"], "coder_b": ratings["coder_b"][key]["rating"],
                            "final": str(rating), "resolution": r["resolution"]})
    indicators = read(DATA / "indicators.csv")
    columns = list(indicators[0])
    kept = [r for r in indicators if not r["indicator"].startswith("qit_")]
    cited.update(s for r in kept for s in r["source_id"].split("|"))
    cited.update(s for r in read(DATA / "reported_tiers.csv") for s in r["source_id"].split("|"))
    write(DATA / "indicators.csv", columns, kept + qit_rows)
    sources = [r for r in merger.rows.values() if r["source_id"] in cited or r.get("kind") in KEEP_KINDS]
    write(DATA / "sources.csv", SOURCE_COLUMNS, sources)
    write(DATA / "coding.csv", ("iso_code", "indicator", "coder_a", "coder_b", "final", "resolution"), coding_rows)
    print(f"wrote {len(qit_rows)} ratings, {len(sources)} sources, {len(coding_rows)} coding records")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("compare", "build"))
    args = p.parse_args()
    cmd_compare() if args.step == "compare" else cmd_build()


if __name__ == "__main__":
    main()
