"""Cost of a QIT_* call through xlwings' Office.js path (xlwings Lite / Server), next to the plain call.

Run: ``python benchmarks/bench_officejs.py``. Each case is timed through
``xlwings.server.custom_functions_call`` (argument conversion, the call, the runtime-aware result
converter), as the JavaScript runtime posts it, and as the plain ``qitxl.functions`` call measured
in the same run; the ratio is the overhead of the Office.js face. Network and Excel time are not
included (there is none here). Uses xlwings' noncommercial licence key, as the tests do.
"""

from __future__ import annotations

import asyncio
import os
import timeit
from collections.abc import Callable

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings  # noqa: E402
from xlwings import server  # noqa: E402

from qitxl import functions as F  # noqa: E402
from qitxl import xlwings_udfs as M  # noqa: E402
from qitxl.dataset import bundled  # noqa: E402

REPEAT = 5


def best(fn: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=REPEAT)) / number


def main() -> None:
    assert M.OFFICE_JS
    names = [p.name_en for p in bundled().provinces]
    column = [[n] for n in names]
    big = [[names[(r * 7 + c) % len(names)] if (r + c) % 13 else None for c in range(10)] for r in range(1000)]
    loop = asyncio.new_event_loop()

    def via_officejs(name: str, args: list, runtime: str = "1.4") -> Callable[[], object]:
        body = {"client": "Office.js", "func_name": name, "args": args, "caller_address": "[Book1]Sheet1!A1",
                "version": xlwings.__version__, "runtime": runtime}
        return lambda: loop.run_until_complete(server.custom_functions_call(body, M))

    cases = [
        ('QIT_TIER("Anhui")', via_officejs("QIT_TIER", [[["Anhui"]], None, None]),
         lambda: F.qit_tier([["Anhui"]]), 2000),
        ("QIT_TIER(34 rows)", via_officejs("QIT_TIER", [column, None, None]), lambda: F.qit_tier(column), 1000),
        ("QIT_TIER(1000x10), runtime 1.4", via_officejs("QIT_TIER", [big, None, None]), lambda: F.qit_tier(big), 5),
        ("QIT_TIER(1000x10), runtime 1.3", via_officejs("QIT_TIER", [big, None, None], "1.3"),
         lambda: F.qit_tier(big), 5),
        ('QIT_WHY("QIT_TIER", 34 rows)', via_officejs("QIT_WHY", ["QIT_TIER", column, None, None, None]),
         lambda: F.qit_why("QIT_TIER", column), 500),
    ]
    print(f"{'case':36} {'Office.js path':>16} {'plain call':>14} {'ratio':>8}")
    for label, officejs, plain, number in cases:
        t_ojs = best(officejs, number)
        t_plain = best(plain, number)
        print(f"{label:36} {t_ojs * 1e6:13.1f} us {t_plain * 1e6:11.1f} us {t_ojs / t_plain:7.1f}x")
    loop.close()


if __name__ == "__main__":
    main()
