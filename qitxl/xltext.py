"""Excel dates and the TEXT function's number formats, for the formats checked against Excel.

Supported format codes: numbers with ``0 # , .`` and a trailing ``%`` (one section, no literal
text); dates and times with ``y m d h s``, elapsed ``[h] [m] [s]``, English month and day names,
and the separators ``- / : . , space``. Anything else (sections, colours, AM/PM, fractional
seconds, scientific, locale codes) raises ``Unsupported``. Dates follow the workbook's date
system (1900, or 1904 when ``workbookPr date1904`` is set); 1900 serials before 1 March 1900 are
refused (Excel's fictitious 29 February 1900).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from .errors import XlError
from .xlcalc import Unsupported

_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _excel_serial(day: dt.date, date1904: bool) -> int:
    """The serial of a real date; in the 1900 system days before 1 March 1900 are one lower
    (Excel counts a fictitious 29 February 1900)."""
    if date1904:
        return (day - _EPOCH_1904).days
    return (day - _EPOCH_1900).days - (1 if day < dt.date(1900, 3, 1) else 0)


def date_serial(y: int, m: int, d: int, date1904: bool) -> float | XlError:
    """DATE(y, m, d): months beyond 1-12 roll into years; days are added to the first of the
    month in serial numbers, as Excel does (so DATE(1900,2,29) is Excel's fictitious day 60)."""
    if 0 <= y < 1900:
        y += 1900
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    if not 1900 <= y <= 9999:
        return XlError("#NUM!", "year out of range")
    serial = _excel_serial(dt.date(y, m, 1), date1904) + d - 1
    if serial < 0 or serial > 2958465:
        return XlError("#NUM!", "date out of range")
    return float(serial)


def date_parts(serial: float, date1904: bool) -> tuple[int, int, int]:
    """(year, month, day) of a date serial in the workbook's date system."""
    if serial < 0:
        raise Unsupported("a negative date serial")
    if not date1904 and serial < 61:
        raise Unsupported("dates before 1 March 1900 (Excel's 1900 leap-year bug)")
    day = (_EPOCH_1904 if date1904 else _EPOCH_1900) + dt.timedelta(days=math.floor(serial))
    return day.year, day.month, day.day


_NUMBER_FMT = re.compile(r"^([#0,]*0|[#,]*#)?(?:\.(0+))?(%?)$")
_DATE_TOKEN = re.compile(r"\[(h+|m+|s+)\]|yyyy|yyy|yy|y|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|\\.|\"[^\"]*\"|"
                         r"[-/:., ]", re.I)


def text_format(x: float, fmt: str, date1904: bool) -> str:
    """TEXT(x, fmt) for the supported formats."""
    m = _NUMBER_FMT.match(fmt)
    if m and (m.group(1) or m.group(2)):
        return _number(x, m.group(1) or "", len(m.group(2) or ""), bool(m.group(3)))
    return _date_time(x, fmt, date1904)


def _number(x: float, int_part: str, decimals: int, percent: bool) -> str:
    value = Decimal(f"{x:.15g}") * (100 if percent else 1)
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0 and x < 0:
        raise Unsupported("TEXT of a small negative number that rounds to zero")
    whole, _, frac = f"{abs(q):f}".partition(".")
    zeros = int_part.count("0")
    whole = whole.lstrip("0").rjust(zeros, "0")
    if "," in int_part and whole:
        whole = f"{int(whole):,}".rjust(zeros, "0")
    out = whole + ("." + frac.ljust(decimals, "0") if decimals else "")
    return ("-" if q < 0 else "") + out + ("%" if percent else "")


def _tokens(fmt: str) -> list[str]:
    out, pos = [], 0
    while pos < len(fmt):
        m = _DATE_TOKEN.match(fmt, pos)
        if not m:
            raise Unsupported(f"TEXT format {fmt!r} (only plain number and date/time codes are reproduced)")
        out.append(m.group(0))
        pos = m.end()
    if not any(t[0].lower() in "ymdhs[" for t in out):
        raise Unsupported(f"TEXT format {fmt!r}")
    return out


def _date_time(x: float, fmt: str, date1904: bool) -> str:
    tokens = _tokens(fmt)
    if x < 0:
        raise Unsupported("TEXT of a negative number with a date or time format")
    has_seconds = any(t.lower().lstrip("[").startswith("s") for t in tokens)
    rounded = _render(tokens, x, date1904, round(x * 86400))
    if not has_seconds and rounded != _render(tokens, x, date1904, math.floor(x * 86400 + 1e-6)):
        raise Unsupported("TEXT of a time within half a second of the next displayed unit")
    return rounded


def _minute_positions(tokens: list[str]) -> set[int]:
    """Which m/mm tokens mean minutes: right after an hour or right before a second."""
    out = set()
    codes = [(i, t.lower()) for i, t in enumerate(tokens) if t[0].lower() in "ymdhs" or t.startswith("[")]
    for k, (i, t) in enumerate(codes):
        if t in ("m", "mm"):
            before = codes[k - 1][1] if k else ""
            after = codes[k + 1][1] if k + 1 < len(codes) else ""
            if before.strip("[]").startswith("h") or after.strip("[]").startswith("s"):
                out.add(i)
    return out


def _render(tokens: list[str], x: float, date1904: bool, seconds: int) -> str:
    days, secs = divmod(seconds, 86400)
    minutes_at = _minute_positions(tokens)
    need_date = any(t[0].lower() in "yd" or (t[0].lower() == "m" and i not in minutes_at)
                    for i, t in enumerate(tokens))
    y = mo = d = wd = 0
    if need_date:
        y, mo, d = date_parts(float(days), date1904)
        epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        wd = (epoch + dt.timedelta(days=days)).weekday()
    out = []
    for i, t in enumerate(tokens):
        low = t.lower()
        if low.startswith("["):
            unit = low[1]
            n = seconds // 3600 if unit == "h" else seconds // 60 if unit == "m" else seconds
            out.append(str(n).rjust(len(low) - 2, "0"))
        elif low[0] == "y":
            out.append(str(y)[-2:] if len(low) <= 2 else str(y))
        elif low[0] == "m" and i in minutes_at:
            out.append(str(secs // 60 % 60).rjust(len(low), "0"))
        elif low[0] == "m":
            out.append([str(mo), f"{mo:02d}", _MONTHS[mo - 1][:3], _MONTHS[mo - 1], _MONTHS[mo - 1][0]][len(low) - 1])
        elif low[0] == "d":
            out.append([str(d), f"{d:02d}", _DAYS[wd][:3], _DAYS[wd]][len(low) - 1])
        elif low[0] == "h":
            out.append(str(secs // 3600).rjust(len(low), "0"))
        elif low[0] == "s":
            out.append(str(secs % 60).rjust(len(low), "0"))
        elif low.startswith("\\"):
            out.append(t[1])
        elif low.startswith('"'):
            out.append(t[1:-1])
        else:
            out.append(t)
    return "".join(out)
