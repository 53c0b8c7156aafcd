"""QIT_WHY: the reason behind an error of another QIT_* call, as text, on every platform.

Excel's custom functions under Office.js (xlwings Lite, xlwings Server) return a bare ``#N/A``;
classic xlwings returns text such as ``#N/A: unknown province "Anhiu"; did you mean Anhui?``.
Neither can hand an error's message to another formula, so QIT_WHY takes the *call* again (the
function's name and the same arguments) and returns the reason as text::

    =QIT_WHY("QIT_TIER", A2)            -> #N/A: unknown province "Anhiu"; did you mean Anhui?
    =QIT_WHY("QIT_SCORE", A2:A35, "x")  -> one reason per cell, blank where there is no error

It calls the public ``qit_*`` functions through ``functions.EXCEL_FUNCTIONS`` (looked up at call
time, so this module does not depend on how that table is built).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any

from .errors import XlError, parse_error_text, value_error

#: The functions QIT_WHY can explain, in the order of the drop-down list.
EXPLAINED = ("QIT_TIER", "QIT_SCORE", "QIT_RANK", "QIT_PROFILE", "QIT_PROVINCES", "QIT_INDICATOR",
             "QIT_SOURCE", "QIT_RESOLVE", "QIT_NAME", "QIT_INFO")


def _function(name: Any) -> tuple[str, Callable[..., Any]]:
    """The QIT_* function named by ``name`` ("QIT_TIER", "qit_tier", "tier", "=QIT_TIER()")."""
    from .functions import EXCEL_FUNCTIONS

    while isinstance(name, list | tuple) and len(name) == 1:
        name = name[0]
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f'function must be the name of a QIT_ function such as "QIT_TIER", not {name!r}')
    key = name.strip().lstrip("=").split("(")[0].strip().upper()
    if not key.startswith("QIT_"):
        key = "QIT_" + key
    if key not in EXPLAINED or key not in EXCEL_FUNCTIONS:
        close = difflib.get_close_matches(key, EXPLAINED, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else f"; QIT_WHY explains {', '.join(EXPLAINED)}"
        raise ValueError(f'"{name.strip()}" is not a QIT_ function{hint}')
    return key, EXCEL_FUNCTIONS[key]


def _arguments(key: str, fn: Callable[..., Any], given: tuple[Any, ...]) -> list[Any]:
    """The arguments to pass: trailing omitted optional ones dropped, omitted required ones passed as
    blank (the function then says what is missing); too many is an error, as in Excel."""
    params = inspect.signature(fn).parameters.values()
    required = sum(p.default is inspect.Parameter.empty for p in params)
    args = list(given)
    while len(args) > required and args[-1] is None:
        args.pop()
    limit = len(params)
    if len(args) > limit:
        takes = "no arguments" if limit == 0 else f"at most {limit} argument{'s' if limit != 1 else ''}"
        raise ValueError(f"{key} takes {takes}, but QIT_WHY was given {len(args)} after the function name")
    return args


def reason(value: Any) -> Any:
    """One result cell -> its reason: the error with its message, or "" where there is no error."""
    err = value if isinstance(value, XlError) else parse_error_text(value)
    if err is None:
        return ""
    if err.message:
        return str(err)
    return f"{err.code}: the input already holds this error (the cell given as an argument shows {err.code})"


def _reasons(result: Any) -> Any:
    if isinstance(result, list):
        return [_reasons(v) for v in result]
    return reason(result)


def qit_why(func: Any, arg1: Any = None, arg2: Any = None, arg3: Any = None, arg4: Any = None) -> Any:
    """QIT_WHY: the reason text for the error a QIT_* call returns, given the function's name and the
    same arguments; "" where that call gives no error. A range gives one reason per cell; a function
    that spills a table (QIT_PROFILE, QIT_PROVINCES) gives one reason, or "" when it succeeds.
    Always text, never an error value: a mistake in QIT_WHY's own arguments is explained too."""
    try:
        key, fn = _function(func)
        result = fn(*_arguments(key, fn, (arg1, arg2, arg3, arg4)))
    except ValueError as exc:  # QIT_WHY itself was called wrongly: say so as text, never as a bare error
        return str(value_error(str(exc)))
    except Exception as exc:  # noqa: BLE001 - nothing may reach Excel
        return str(value_error(f"qitxl internal error in QIT_WHY: {type(exc).__name__}: {exc}"))
    if key in ("QIT_PROFILE", "QIT_PROVINCES", "QIT_INFO"):
        return reason(result) if not isinstance(result, list) else ""
    return _reasons(result)
