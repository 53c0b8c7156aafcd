"""The root of qitxl's own exceptions.

Every error qitxl raises for bad input derives from ``QitxlError``, so a caller can catch them all
in one clause; each also keeps the built-in base it had before (``DatasetError`` is a ValueError,
``UnknownProvince`` a LookupError, ...). The command line maps a QitxlError to its message on
stderr and exit status 2 (``qitxl.cli``).
"""

from __future__ import annotations


class QitxlError(Exception):
    """Something qitxl was given cannot be used; the message says what and, where it can, how to fix it."""
