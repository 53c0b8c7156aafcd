"""The ``qitxl`` command: a thin face over the core.

Each subcommand lives in its own module, ``qitxl.commands.<name>``, which provides
``add_arguments(parser)`` and ``run(args) -> int``. Only the module of the command being run is
imported (``qitxl --help`` imports none), so ``qitxl info`` does not pay for the workbook writer
or pandas.

Exit status, for every command: 0 when it did its job and found nothing wrong; 1 when it did its
job and its output reports problems (``validate``'s findings, names ``resolve`` could not place,
cells ``eval`` could not compute, workbooks ``batch`` could not write); 2 when it could not do its
job: bad input or usage. Findings go to stdout with the rest of the output; a refusal (exit 2)
is one message on stderr, ``qitxl COMMAND: what is wrong``, mapped here from ``QitxlError``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .exceptions import QitxlError

# name -> one-line help; the code is in qitxl.commands.<name>
COMMANDS: dict[str, str] = {
    "info": "dataset version, counts, method and sources",
    "rank": "print the ranking table",
    "resolve": "resolve province names to ISO codes (one per argument)",
    "validate": "validate a dataset folder or workbook and list every problem",
    "dataset": "dataset export -o FILE.xlsx: the dataset as an editable workbook",
    "generate": "write the ranking workbook (.xlsx) with live formulas",
    "eval": "evaluate the QIT_ formulas of an existing workbook into a copy",
    "annotate": "add QIT_ tier/score/rank columns beside a column of province names",
    "batch": "produce a set of workbooks from a scenarios file, in parallel",
    "sensitivity": "Monte Carlo rank intervals over weights and method choices",
    "profile": "one province: ranks, strengths and weaknesses, R&D trends",
    "whatif": "how every rank moves when each pillar or indicator is left out",
    "audit": "statistical audit: coverage, skew, correlations, what drives the composite",
    "lite": "write main.py and requirements.txt for the QIT functions in xlwings Lite (Mac, web)",
}

# A package a command needs -> the extra that installs it (the core needs numpy alone).
EXTRAS = {"xlsxwriter": "workbook", "pandas": "analysis", "defusedxml": "eval", "xlwings": "excel"}


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named in ``argv``: its first word that is not an option (the top level has no
    option that takes a value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the arguments of ``command`` (whose module is imported) and of no other."""
    parser = argparse.ArgumentParser(
        prog="qitxl", description="Rank China's provinces on quantum information technology.")
    parser.add_argument("--version", action="version", version=f"qitxl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_name=name, _missing=None)
        if name != command:
            continue
        try:
            module = importlib.import_module(f"qitxl.commands.{name}")
        except ModuleNotFoundError as exc:  # an optional package is missing: say which, when it is used
            if not exc.name or exc.name.split(".")[0] == "qitxl":
                raise
            p.set_defaults(_missing=exc.name.split(".")[0])
            continue
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def _missing(command: str, package: str) -> int:
    extra = EXTRAS.get(package, "all")
    print(f"qitxl {command} needs the package {package}, which is not installed: pip install 'qitxl[{extra}]'",
          file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_chosen(argv))
    args, unknown = parser.parse_known_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if args._missing:
        return _missing(args._name, args._missing)
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args._run(args) or 0)
    except QitxlError as exc:  # bad input, found by the core: the one place it becomes a message
        print(f"qitxl {args._name}: {exc}", file=sys.stderr)
        return 2
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
