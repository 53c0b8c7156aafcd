"""``qitxl resolve``: province names to ISO codes, one per argument."""

from __future__ import annotations

import argparse

from ..dataset import bundled
from ..names import UnknownProvince, resolver


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("names", nargs="+", help="province spellings")


def run(args: argparse.Namespace) -> int:
    r = resolver()
    status = 0
    for text in args.names:
        try:
            iso = r.resolve(text)
            print(f"{text}\t{iso}\t{bundled().province(iso).name_en}")
        except UnknownProvince as exc:
            print(f"{text}\t#N/A\t{exc}")
            status = 1
    return status
