"""The ``qitxl`` command: a thin face over the core.

Each subcommand lives in the module named in COMMANDS, which provides ``add_arguments(parser)``
and ``run(args) -> int``; modules are imported only when their command runs, so ``qitxl info``
does not pay for the workbook writer.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "info": ("qitxl.commands", "dataset version, counts, method and sources"),
    "rank": ("qitxl.commands", "print the ranking table"),
    "resolve": ("qitxl.commands", "resolve province names to ISO codes (one per argument)"),
    "validate": ("qitxl.commands", "validate a dataset folder or workbook and list every problem"),
    "dataset": ("qitxl.dataset_export", "dataset export -o FILE.xlsx: the dataset as an editable workbook"),
    "generate": ("qitxl.workbook.command", "write the ranking workbook (.xlsx) with live formulas"),
    "eval": ("qitxl.existing", "evaluate the QIT_ formulas of an existing workbook into a copy"),
    "annotate": ("qitxl.existing", "add QIT_ tier/score/rank columns beside a column of province names"),
    "batch": ("qitxl.batch", "produce a set of workbooks from a scenarios file, in parallel"),
    "sensitivity": ("qitxl.sensitivity", "Monte Carlo rank intervals over weights and method choices"),
    "profile": ("qitxl.analysis_commands", "one province: ranks, strengths and weaknesses, R&D trends"),
    "whatif": ("qitxl.analysis_commands", "how every rank moves when each pillar or indicator is left out"),
    "audit": ("qitxl.audit", "statistical audit: coverage, skew, correlations, what drives the composite"),
    "lite": ("qitxl.lite", "write main.py and requirements.txt for the QIT functions in xlwings Lite (Mac, web)"),
}

# A package a command needs -> the extra that installs it (the core needs numpy alone).
EXTRAS = {"xlsxwriter": "workbook", "pandas": "analysis", "formulas": "eval", "schedula": "eval",
          "defusedxml": "eval", "xlwings": "excel"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qitxl", description="Rank China's provinces on quantum information technology.")
    parser.add_argument("--version", action="version", version=f"qitxl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:  # an optional package is missing: say which, when it is used
            if not exc.name or exc.name.split(".")[0] == "qitxl":
                raise
            p.set_defaults(_module=None, _name=name, _missing=exc.name.split(".")[0])
            continue
        getattr(mod, f"add_{name}_arguments", getattr(mod, "add_arguments", lambda _p: None))(p)
        p.set_defaults(_module=module, _name=name)
    return parser


def _missing(command: str, package: str) -> int:
    extra = EXTRAS.get(package, "all")
    print(f"qitxl {command} needs the package {package}, which is not installed: pip install 'qitxl[{extra}]'",
          file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if args._module is None:
        return _missing(args._name, args._missing)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    mod = importlib.import_module(args._module)
    runner = getattr(mod, f"run_{args._name}", None) or mod.run
    try:
        return int(runner(args) or 0)
    except ModuleNotFoundError as exc:  # an optional package imported only when needed
        package = (exc.name or "").split(".")[0]
        if package not in EXTRAS:
            raise
        return _missing(args._name, package)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
