"""Start-up cost of ``qitxl info`` against ``python -c "import numpy"``, measured in the same run.

Run: python benchmarks/bench_startup.py [RUNS]
Each command runs RUNS times (default 7) as a fresh process; the best wall time of each is printed
with the ratio. ``qitxl info`` loads the bundled dataset and computes the ranking, on numpy alone:
it imports only its own command module, never the workbook writer or pandas. No assertion: the
figures are quoted (the target is a ratio under 2).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best_of(argv: list[str], runs: int) -> float:
    """The shortest wall time, in seconds, of ``runs`` fresh runs of ``argv``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    base = best_of([sys.executable, "-c", "import numpy"], runs)
    info = best_of([sys.executable, "-m", "qitxl.cli", "info"], runs)
    print(f"python -c 'import numpy'  {base * 1000:7.1f} ms  (best of {runs})")
    print(f"qitxl info                {info * 1000:7.1f} ms  (best of {runs})")
    print(f"ratio                     {info / base:7.2f}")


if __name__ == "__main__":
    main()
