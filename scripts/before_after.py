"""Print a Markdown table of the ranking before and after a dataset change (for maintainers).

    python scripts/before_after.py REV        # REV: a git revision holding the earlier qitxl/data/

The earlier dataset is read from git into a temporary folder and loaded with the current code, so
the table shows what the data change did, not what code changes did.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qitxl.dataset import TABLES, bundled, load_dataset  # noqa: E402
from qitxl.model import compute  # noqa: E402


def dataset_at(rev: str, folder: Path):
    for name in (*TABLES, "methodology.toml"):
        text = subprocess.run(["git", "show", f"{rev}:qitxl/data/{name}"], cwd=ROOT, check=True,
                              capture_output=True).stdout
        (folder / name).write_bytes(text)
    return load_dataset(folder)


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    with tempfile.TemporaryDirectory() as tmp:
        before = compute(dataset_at(rev, Path(tmp)))
    after = compute(bundled())
    ds = bundled()
    old = {iso: (before.rank(iso), before.score(iso), before.tier(iso).label) for iso in before.iso_codes}
    print("| rank | province | score | tier | before: rank | score | tier | change |")
    print("|---:|---|---:|---|---:|---:|---|---|")
    for iso in sorted(after.iso_codes, key=lambda i: (after.rank(i), i)):
        r, s, t = after.rank(iso), after.score(iso), after.tier(iso).label
        if iso in old:
            ro, so, to = old[iso]
            move = "=" if ro == r else (f"up {ro - r}" if ro > r else f"down {r - ro}")
            print(f"| {r} | {ds.province(iso).name_en} | {s:.1f} | {t} | {ro} | {so:.1f} | {to} | {move} |")
        else:
            print(f"| {r} | {ds.province(iso).name_en} | {s:.1f} | {t} | | | not assessed | newly assessed |")


if __name__ == "__main__":
    main()
