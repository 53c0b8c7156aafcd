"""What several commands share: the ``--dataset`` option and loading the dataset it names."""

from __future__ import annotations

import argparse

from ..dataset import Dataset, bundled, load_dataset


def add_dataset_argument(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """The ``--dataset PATH`` option."""
    p.add_argument("--dataset", metavar="PATH",
                   help=help or "dataset folder or .xlsx workbook instead of the bundled one")


def add_lang_argument(p: argparse.ArgumentParser, help: str | None = None) -> None:
    """The ``--lang en|zh`` option."""
    p.add_argument("--lang", choices=("en", "zh"), default="en", help=help)


def apply_dataset(args: argparse.Namespace) -> None:
    """For commands that evaluate QIT_ formulas: make the functions use ``--dataset`` if given.

    DatasetError if that dataset does not validate (the command then writes nothing). Without
    ``--dataset`` the functions use QITXL_DATASET, else the bundled data.
    """
    if getattr(args, "dataset", None):
        from ..functions import use_dataset

        use_dataset(load_dataset(args.dataset))


def load(args: argparse.Namespace) -> Dataset:
    """The dataset named by ``--dataset``, or the bundled one; DatasetError if it does not validate."""
    folder = getattr(args, "dataset", None)
    return load_dataset(folder) if folder else bundled()


def split_list(text: str) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``: a comma-separated option's items."""
    return [s.strip() for s in text.split(",") if s.strip()]
