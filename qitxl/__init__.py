"""qitxl: rank China's provincial-level divisions on quantum information technology (QIT).

The pure core, with no Excel in it::

    >>> import qitxl
    >>> qitxl.resolve("安徽省")
    'CN-AH'
    >>> qitxl.tier("Anhui").level
    1
"""

from __future__ import annotations

__version__ = "0.1.0"

from .dataset import Dataset, DatasetError, Problem, bundled, load_dataset
from .exceptions import QitxlError
from .model import NotAssessed, Results, Tier, compute, rank, resolve_weights, results, score, tier
from .names import UnknownProvince, resolve, suggest

__all__ = [
    "Dataset", "DatasetError", "NotAssessed", "Problem", "QitxlError", "Results", "Tier", "UnknownProvince",
    "__version__", "bundled", "compute", "load_dataset", "rank", "resolve", "resolve_weights",
    "results", "score", "suggest", "tier",
]
