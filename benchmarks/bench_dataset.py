"""Cost of dataset workbooks: loading one against loading the same dataset from CSV files, and exporting.

Run: ``python benchmarks/bench_dataset.py``. Prints milliseconds (best of several repeats) and the
ratio to the baseline (validating the bundled CSV folder), measured in the same run. Also prints
what the Excel functions pay for following QITXL_DATASET: the first call after the file changes
(reload) and an ordinary call (a clock check).
"""

from __future__ import annotations

import os
import tempfile
import timeit
from pathlib import Path

from qitxl import functions as F
from qitxl.dataset import _bundled_dir, load_dataset
from qitxl.dataset_export import export

REPEAT = 5


def best(fn, number: int = 1) -> float:
    """Seconds per call: the best of REPEAT runs of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=REPEAT)) / number


def main() -> None:
    folder = _bundled_dir()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "d.xlsx"
        base = best(lambda: load_dataset(folder))
        t_export = best(lambda: export(book, force=True))
        t_load = best(lambda: load_dataset(book))
        os.environ[F.DATASET_ENV] = str(book)
        F.use_dataset(None)
        F._CHECK_EVERY = 0.0

        def reload() -> None:
            os.utime(book)  # a new modification time: the next call loads the workbook again
            F.qit_tier("Anhui")

        t_reload = best(reload)
        F._CHECK_EVERY = 1.0
        F.qit_tier("Anhui")
        t_call = best(lambda: F.qit_tier("Anhui"), 100_000)
        del os.environ[F.DATASET_ENV]
        F.use_dataset(None)
        t_bundled = best(lambda: F.qit_tier("Anhui"), 100_000)
        size = book.stat().st_size
    print(f"{'step':52} {'time':>10} {'ratio':>7}")
    print(f"{'load the bundled CSV folder (baseline)':52} {base * 1e3:8.1f}ms {1:7.1f}x")
    print(f"{'load the same dataset from its workbook':52} {t_load * 1e3:8.1f}ms {t_load / base:7.1f}x")
    print(f"{'export it (' + format(size / 1024, '.0f') + ' KiB workbook)':52} {t_export * 1e3:8.1f}ms "
          f"{t_export / base:7.1f}x")
    print(f"{'QIT_TIER after the workbook changed (reload)':52} {t_reload * 1e3:8.1f}ms {t_reload / base:7.1f}x")
    call = 'QIT_TIER("Anhui")'
    print(f"{call + ', QITXL_DATASET set (clock check only)':52} {t_call * 1e6:8.3f}us")
    print(f"{call + ', bundled':52} {t_bundled * 1e6:8.3f}us")


if __name__ == "__main__":
    main()
