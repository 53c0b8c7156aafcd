"""What several commands share: the ``--dataset`` option and loading the dataset it names."""

from __future__ import annotations

import argparse
import sys

from ..dataset import Dataset, DatasetError, bundled, load_dataset


def add_dataset_argument(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """The ``--dataset PATH`` option."""
    p.add_argument("--dataset", metavar="PATH",
                   help=help or "dataset folder or .xlsx workbook instead of the bundled one")


def add_lang_argument(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """The ``--lang en|zh`` option."""
    p.add_argument("--lang", choices=("en", "zh"), default="en", help=help)


def apply_dataset(args: argparse.Namespace, prog: str) -> bool:
    """For commands that evaluate QIT_ formulas: make the functions use ``--dataset`` if given.

    False (after printing every problem) if that dataset does not validate: the command then
    writes nothing. Without ``--dataset`` the functions use QITXL_DATASET, else the bundled data.
    """
    if not getattr(args, "dataset", None):
        return True
    from ..functions import use_dataset

    try:
        use_dataset(load_dataset(args.dataset))
    except DatasetError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return False
    return True


def load(args: argparse.Namespace) -> Dataset:
    """The dataset named by ``--dataset``, or the bundled one; exits 2 with the problems if invalid."""
    folder = getattr(args, "dataset", None)
    try:
        return load_dataset(folder) if folder else bundled()
    except DatasetError as exc:
        print(f"qitxl: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def split_list(text: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``: a comma-separated option's items."""
    return [s.strip() for s in text.split(",") if s.strip()]
