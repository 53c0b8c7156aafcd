"""``qitxl audit``: the statistical audit of the index (qitxl.audit), as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys

from ..audit import audit, render_text
from .common import add_dataset_argument, load


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_dataset_argument(p)
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    """``qitxl audit``: print the statistical checks."""
    rep = audit(load(args))
    if args.format == "json":
        json.dump(rep.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_text(rep))
    return 0
