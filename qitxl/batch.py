"""``qitxl batch``: produce a set of workbooks from a scenarios file, in parallel worker processes.

The per-workbook work is ``run_scenario(scenario) -> ScenarioResult``: a plain top-level function
of a frozen, picklable ``Scenario`` that never raises for a scenario's own faults, so any executor
can run it unchanged (``ProcessPoolExecutor`` here; a cluster engine such as Dask's
``Client.map(run_scenario, scenarios)`` for thousands). Files are only replaced when their bytes
would change, and only with ``force``; every write is atomic.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from typing import TextIO

from .atomic import OutputExists, OutputRefused, check_output, write_output
from .dataset import Dataset, DatasetError, bundled, load_dataset
from .scenarios import Scenario

WRITTEN = "written"
REPLACED = "replaced"
UP_TO_DATE = "up to date"
EXISTS = "exists (use --force)"
FAILED = "failed"
WOULD_WRITE = "would write"
WOULD_REPLACE = "would replace"
#: Statuses after which the file on disk is (or, in a dry run, would be) what the scenario asks for.
OK_STATUSES = (WRITTEN, REPLACED, UP_TO_DATE, WOULD_WRITE, WOULD_REPLACE)


@dataclass(frozen=True)
class ScenarioResult:
    """What happened to one scenario: status, why (if it failed), time and the worker's peak memory."""

    name: str
    file: str
    status: str
    seconds: float
    detail: str = ""
    pid: int = 0
    peak_rss_kib: int = 0  # the worker process's peak resident memory so far (ru_maxrss)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB (0 where the platform cannot tell)."""
    try:
        import resource  # POSIX only
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- one scenario


@cache
def _dataset(folder: str | None) -> Dataset:
    # Cached per worker process: most scenarios share a dataset, and loading validates it again
    # here, at run time, in case the folder changed since the scenarios file was checked.
    return bundled() if folder is None else load_dataset(folder)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, DatasetError):
        shown = "; ".join(str(p) for p in exc.problems[:3])
        more = f"; and {len(exc.problems) - 3} more" if len(exc.problems) > 3 else ""
        return f"dataset fails validation: {shown}{more}"
    if isinstance(exc, OutputRefused):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}: {exc.filename or ''}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def run_scenario(scenario: Scenario, *, force: bool = False, dry_run: bool = False) -> ScenarioResult:
    """Produce one scenario's workbook (or, with ``dry_run``, only say what would happen).

    Renders the workbook in memory and compares it with the file already there: identical bytes
    are left alone ("up to date"); different ones are replaced only with ``force``. Faults of the
    scenario (bad dataset, unwritable target, ...) come back as a "failed" result, not an exception.
    """
    start = time.perf_counter()
    status, detail = FAILED, ""
    try:
        from .workbook import render

        data = render(dataset=_dataset(scenario.dataset), lang=scenario.lang, weights=scenario.weights_dict(),
                      title=scenario.title, provinces=scenario.provinces)
        target = scenario.output
        exists = target.is_file()
        if exists and target.read_bytes() == data:
            status = UP_TO_DATE
        else:
            try:
                check_output(target, force=force, inputs=[scenario.dataset])
                if dry_run:
                    status = WOULD_REPLACE if exists else WOULD_WRITE
                else:
                    write_output(target, data, force=force)
                    status = REPLACED if exists else WRITTEN
            except OutputExists:
                status = EXISTS
    except Exception as exc:  # one scenario's failure must not stop the batch
        status, detail = FAILED, _describe(exc)
    return ScenarioResult(
        name=scenario.name, file=scenario.file, status=status, seconds=time.perf_counter() - start,
        detail=detail, pid=os.getpid(), peak_rss_kib=peak_rss_kib(),
    )


# --------------------------------------------------------------------------- many scenarios


def run_scenarios(scenarios: Sequence[Scenario], *, jobs: int | None = None, force: bool = False,
                  dry_run: bool = False,
                  on_result: Callable[[ScenarioResult], None] | None = None) -> list[ScenarioResult]:
    """Run every scenario in ``jobs`` worker processes; results come back in the scenarios' order.

    ``on_result`` is called in this process as each one finishes (for progress). A worker that dies
    (killed, out of memory) fails the scenarios it could not finish; the others still run.
    """
    if not scenarios:
        return []
    jobs = max(1, min(jobs or default_jobs(), len(scenarios)))
    results: dict[int, ScenarioResult] = {}
    # spawn: workers start clean (no copied locks or threads from this process) and behave the
    # same on Linux, macOS and Windows; the price is one interpreter start-up per worker.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        futures: dict[Future[ScenarioResult], int] = {
            pool.submit(run_scenario, s, force=force, dry_run=dry_run): k for k, s in enumerate(scenarios)}
        try:
            for fut in as_completed(futures):
                k = futures[fut]
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    res = ScenarioResult(scenarios[k].name, scenarios[k].file, FAILED, 0.0,
                                         "worker process died (killed or out of memory)")
                except Exception as exc:  # e.g. a result that could not be sent back
                    res = ScenarioResult(scenarios[k].name, scenarios[k].file, FAILED, 0.0, _describe(exc))
                results[k] = res
                if on_result is not None:
                    on_result(res)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [results[k] for k in range(len(scenarios))]


class Progress:
    """Progress on stderr: a redrawn bar on a terminal, one plain line per workbook otherwise."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None):
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.start = time.perf_counter()
        if self.tty:  # show the empty bar while the workers start
            self._draw("starting workers")

    def _draw(self, last: str) -> None:
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        bad = f", {self.failed} not ok" if self.failed else ""
        line = f"[{bar}] {self.done}/{self.total}{bad}  {time.perf_counter() - self.start:.0f}s  {last}"
        self.stream.write("\r\x1b[2K" + line[:120])
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line (also when the run is interrupted)."""
        if self.tty and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()

    def __call__(self, res: ScenarioResult) -> None:
        self.done += 1
        self.failed += not res.ok
        if self.tty:
            self._draw(res.name)
            if self.done == self.total:
                self.stream.write("\n")
        else:
            why = f": {res.detail}" if res.detail else ""
            self.stream.write(f"batch: [{self.done}/{self.total}] {res.status}: {res.file} "
                              f"({res.seconds:.2f} s){why}\n")
        self.stream.flush()


def summary_table(results: Iterable[ScenarioResult]) -> str:
    """The end-of-run table (name, file, seconds, status), then why each failure failed."""
    results = list(results)
    rows = [("name", "file", "seconds", "status")] + [
        (r.name, r.file, f"{r.seconds:.2f}", r.status) for r in results]
    widths = [max(len(row[c]) for row in rows) for c in range(4)]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]), row[3]]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    for r in results:
        if r.detail:
            lines.append(f"{r.name}: {r.detail}")
    return "\n".join(lines)


def plan_table(scenarios: Sequence[Scenario]) -> str:
    """What a dry run would do, per workbook: its settings (statuses follow in the summary)."""
    rows = [("name", "file", "lang", "weights", "provinces", "dataset")]
    for s in scenarios:
        rows.append((s.name, s.file, s.lang, s.weights_label,
                     "all" if s.provinces is None else str(len(s.provinces)), s.dataset or "bundled"))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
