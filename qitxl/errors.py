"""Excel-style error values that carry a reason.

The QIT_* functions never raise to a face: they return an ``XlError`` where Excel would show an
error. Each face renders it as well as its host allows (a real error cell in the headless
evaluator; a real error or ``"#N/A: reason"`` text in xlwings).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The error codes Excel knows, in the order of its ERROR.TYPE numbers.
CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
         "#SPILL!", "#CALC!")


@dataclass(frozen=True)
class XlError:
    """An Excel error value: ``code`` such as ``#N/A``, and the reason, for people."""

    code: str
    message: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"not an Excel error code: {self.code!r}")

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


def na(message: str) -> XlError:
    return XlError("#N/A", message)


def value_error(message: str) -> XlError:
    return XlError("#VALUE!", message)


def parse_error_text(text: object) -> XlError | None:
    """Recognise an error handed over as text (xlwings ``err_to_str`` gives ``"#REF!"``)."""
    if isinstance(text, str) and text.startswith("#"):
        head = text.split(":", 1)[0].strip()
        if head in CODES:
            rest = text[len(head):].lstrip(": ").strip()
            return XlError(head, rest)
    return None
