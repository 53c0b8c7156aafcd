"""The documentation's examples are true: every row of docs/excel.md's example table is evaluated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import qitxl
from qitxl.errors import XlError
from qitxl.functions import EXCEL_FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `=(QIT_[A-Z]+)\((.*)\)` \| (.+) \|$")


def parse_args(text: str) -> list[object]:
    """Excel literal arguments: "text" (with "" escapes), numbers, omitted, {a,b;c,d} arrays."""
    args: list[object] = []
    i, n = 0, len(text)
    current: object = None
    while i <= n:
        if i == n or text[i] == ",":
            args.append(current)
            current = None
            i += 1
            continue
        ch = text[i]
        if ch == " ":
            i += 1
        elif ch == '"':
            j = i + 1
            buf = []
            while True:
                if text[j] == '"' and j + 1 < n and text[j + 1] == '"':
                    buf.append('"')
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    buf.append(text[j])
                    j += 1
            current = "".join(buf)
            i = j + 1
        elif ch == "{":
            j = text.index("}", i)
            rows = text[i + 1:j].split(";")
            current = [[parse_args(cell)[0] for cell in row.split(",")] for row in rows]
            i = j + 1
        else:
            m = re.match(r"-?\d+(\.\d+)?", text[i:])
            assert m, f"cannot parse argument at {text[i:]!r}"
            current = float(m.group(0)) if "." in m.group(0) else int(m.group(0))
            i += len(m.group(0))
    return [] if args == [None] else args


def examples() -> list[tuple[str, str, str]]:
    out = []
    for line in (ROOT / "docs" / "excel.md").read_text(encoding="utf-8").splitlines():
        m = ROW.match(line.strip())
        if m:
            out.append(m.groups())
    return out


def shown(value: object) -> str:
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def test_the_table_has_an_example_for_every_function():
    assert {name for name, _, _ in examples()} == set(EXCEL_FUNCTIONS)


@pytest.mark.parametrize("name,args,claimed", examples(), ids=lambda v: str(v)[:40])
def test_example_result_is_what_the_function_returns(name, args, claimed):
    result = EXCEL_FUNCTIONS[name](*parse_args(args))
    if claimed.startswith("spills"):
        assert isinstance(result, list), result
        m = re.match(r"spills(?: (\d+) rows?)?(?: × (\d+) columns?)?: (.*)", claimed)
        assert m, claimed
        rows, cols, items = m.groups()
        if rows:
            assert len(result) == int(rows)
        if cols:
            assert all(len(r) == int(cols) for r in result)
        listed = [i.strip() for i in items.split("(")[0].split(";") if i.strip() and i.strip() != "…"]
        for k, item in enumerate(listed):
            expected = [c.strip() for c in item.replace("\\|", "|").split("|")]
            assert [shown(c) for c in result[k]][: len(expected)] == expected, (k, result[k])
        return
    text = claimed[1:claimed.index("`", 1)] if claimed.startswith("`") else claimed.split(" (")[0]
    if isinstance(result, float):
        assert result == pytest.approx(float(text), abs=5e-5)
    else:  # a note in parentheses may follow the value
        assert shown(result) in (claimed, text)


def test_info_example_quotes_the_current_dataset_version():
    assert f"dataset {qitxl.bundled().version}" in (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
