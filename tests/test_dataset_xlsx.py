"""Dataset workbooks: export, round trip, reading hostile or edited workbooks, every command's --dataset,
and the Excel functions following QITXL_DATASET."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qitxl
from qitxl import functions as F
from qitxl.cli import main
from qitxl.dataset import DatasetError, Observation, load_dataset
from qitxl.dataset_export import export
from qitxl.errors import XlError
from qitxl.model import compute

DS = qitxl.bundled()
DATA = Path(qitxl.__file__).parent / "data"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(tmp_path_factory.mktemp("export") / "my_data.xlsx")


@pytest.fixture
def book(exported: Path, tmp_path: Path) -> Path:
    """A fresh copy of the exported workbook to edit."""
    path = tmp_path / "edited.xlsx"
    shutil.copyfile(exported, path)
    return path


def same(a, b) -> bool:
    return dataclasses.replace(a, origin="x") == dataclasses.replace(b, origin="x")


def find_row(ws, **match) -> int:
    """The row number of the first data row whose cells equal ``match`` (by header name)."""
    head = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        if all(str(row[head[k] - 1].value) == str(v) for k, v in match.items()):
            return row[0].row
    raise LookupError(match)


def col(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


# ----------------------------------------------------------------------------- export and round trip


def test_round_trip_gives_an_equal_dataset(exported: Path):
    back = load_dataset(exported)
    assert same(back, DS)
    assert back.origin == str(exported)


def test_round_trip_carries_coding_and_access_dates(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    with (DATA / "sources.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (folder / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "accessed"] if "accessed" not in rows[0] else list(rows[0]))
        w.writeheader()
        for n, r in enumerate(rows):
            w.writerow(r | {"accessed": f"2026-11-{n % 28 + 1:02d}"})
    qit = [o for o in DS.observations if o.indicator.startswith("qit_")]
    with (folder / "coding.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["iso_code", "indicator", "coder_a", "coder_b", "final", "resolution"])
        for n, o in enumerate(qit):
            other = int(o.value) - 1 if n % 5 == 0 and o.value > 0 else int(o.value)
            w.writerow([o.iso_code, o.indicator, int(o.value), other, int(o.value),
                        "discussed" if other != o.value else ""])
    mine = load_dataset(folder)
    assert len(mine.coding) == len(qit) and any(s.accessed for s in mine.sources.values())
    out = export(tmp_path / "mine.xlsx", folder)
    wb = openpyxl.load_workbook(out)
    assert {"README", "provinces", "indicators", "sources", "reported_tiers", "coding", "methodology"} <= set(
        wb.sheetnames)
    assert same(load_dataset(out), mine)


def test_workbook_has_notes_lists_frozen_headers_and_widths(exported: Path):
    wb = openpyxl.load_workbook(exported)
    ws = wb["indicators"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].comment is not None and "ISO 3166-2" in ws["A1"].comment.text
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    letters = {c.value: c.column_letter for c in ws[1]}
    assert "'provinces'!" in lists[f"{letters['iso_code']}2"]
    assert "'sources'!" in lists[f"{letters['source_id']}2"]
    assert "'_lists'!" in lists[f"{letters['indicator']}2"]
    assert "official" in lists[f"{letters['confidence']}2"]
    assert ws.column_dimensions[letters["note"]].width > ws.column_dimensions[letters["year"]].width
    assert wb["_lists"].sheet_state == "hidden"


def test_export_refuses_an_existing_file_without_force(exported: Path, tmp_path: Path, capsys):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"mine")
    assert main(["dataset", "export", "-o", str(out)]) == 2
    assert out.read_bytes() == b"mine" and "--force" in capsys.readouterr().err
    assert main(["dataset", "export", "-o", str(out), "--force"]) == 0
    assert same(load_dataset(out), DS)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_export_of_a_broken_dataset_writes_nothing(tmp_path: Path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "sources.csv").write_text("source_id,title,publisher,date,url,kind,confidence\nx,t,p,d,u,k,nope\n",
                                     encoding="utf-8")
    assert main(["dataset", "export", "--dataset", str(bad), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert not (tmp_path / "o.xlsx").exists()
    assert "nope" in capsys.readouterr().err


# ----------------------------------------------------------------------------- edits move the score


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(min_value=0, max_value=10_000), rating=st.integers(min_value=0, max_value=5))
def test_editing_a_rating_cell_moves_the_score_as_the_model_says(exported: Path, tmp_path: Path, pick: int,
                                                                 rating: int):
    qit = [o for o in DS.observations if o.indicator.startswith("qit_")]
    target = qit[pick % len(qit)]
    wb = openpyxl.load_workbook(exported)
    ws = wb["indicators"]
    r = find_row(ws, iso_code=target.iso_code, indicator=target.indicator, year=target.year)
    ws.cell(r, col(ws, "value")).value = rating
    path = tmp_path / f"edit_{pick}_{rating}.xlsx"
    wb.save(path)

    edited = load_dataset(path)
    expected_obs = tuple(dataclasses.replace(o, value=float(rating)) if o == target else o
                         for o in DS.observations)
    expected = compute(dataclasses.replace(DS, observations=expected_obs))
    got = compute(edited)
    assert got.iso_codes == expected.iso_codes
    assert [got.score(i) for i in got.iso_codes] == [expected.score(i) for i in expected.iso_codes]
    if rating != target.value:
        assert edited.observation(target.iso_code, target.indicator, target.year).value == rating


def test_a_weight_edited_in_the_methodology_sheet_is_used(book: Path):
    wb = openpyxl.load_workbook(book)
    ws = wb["methodology"]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value): r for r in range(2, ws.max_row + 1)}
    ws.cell(rows[("pillar", "research", "weight")], 4).value = "0.30"   # typed as text
    ws.cell(rows[("pillar", "industry", "weight")], 4).value = DS.pillar("industry").weight - 0.05
    wb.save(book)
    ds = load_dataset(book)
    assert ds.pillar("research").weight == 0.30
    assert compute(ds).weights["research"] == pytest.approx(0.30)


# ----------------------------------------------------------------------------- what users do to workbooks


def test_renamed_chinese_and_extra_sheets(book: Path):
    wb = openpyxl.load_workbook(book)
    wb["indicators"].title = "指标"
    wb["sources"].title = "My sources (edited)"   # found by its header
    wb.create_sheet("notes").append(["iso_code", "my remark"])
    wb.create_sheet("图表")
    wb.save(book)
    assert same(load_dataset(book), DS)


def test_title_rows_above_the_header(book: Path):
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    ws.insert_rows(1, 2)
    ws["A1"] = "My QIT evidence, edited 2026-12-01"
    ws.merge_cells("A1:H1")
    wb.save(book)
    assert same(load_dataset(book), DS)
    wb = openpyxl.load_workbook(book)
    wb["indicators"].cell(5, col_at(wb["indicators"], 3, "confidence")).value = "sure"
    wb.save(book)
    with pytest.raises(DatasetError, match=r"sheet 'indicators', row 5, column \w+ \(confidence\)"):
        load_dataset(book)


def col_at(ws, header_row: int, name: str) -> int:
    return next(c.column for c in ws[header_row] if c.value == name)


def test_two_sheets_that_could_be_one_table(book: Path):
    wb = openpyxl.load_workbook(book)
    wb["sources"].title = "src A"
    wb.copy_worksheet(wb["src A"]).title = "src B"
    wb.save(book)
    with pytest.raises(DatasetError, match="src A.*src B.*could be the sources table"):
        load_dataset(book)


def test_numbers_typed_as_text_and_dates(book: Path):
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    o = DS.observation("CN-BJ", "rd_intensity", 2023)
    r = find_row(ws, iso_code="CN-BJ", indicator="rd_intensity", year=2023)
    ws.cell(r, col(ws, "value")).value = f" {o.value} "
    ws.cell(r, col(ws, "year")).value = "2023"
    src = wb["sources"]
    sid = next(s for s in DS.sources.values() if re.fullmatch(r"\d{4}-\d\d-\d\d", s.date))
    sr = find_row(src, source_id=sid.source_id)
    src.cell(sr, col(src, "date")).value = dt.date.fromisoformat(sid.date)
    src.cell(sr, col(src, "date")).number_format = "yyyy年m月d日"
    wb.save(book)
    back = load_dataset(book)
    assert back.sources[sid.source_id].date == sid.date
    assert same(back, DS)


def test_every_problem_at_once_with_sheet_row_and_column(book: Path, capsys):
    wb = openpyxl.load_workbook(book)
    ind = wb["indicators"]
    r1 = find_row(ind, iso_code="CN-AH", indicator="rd_intensity", year=2023)
    ind.cell(r1, col(ind, "confidence")).value = "very sure"
    ind.cell(r1 + 1, col(ind, "source_id")).value = "no_such_source"
    prov = wb["provinces"]
    prov.cell(3, col(prov, "region")).value = "Middle"
    meta = wb["methodology"]
    for r in range(2, meta.max_row + 1):
        if meta.cell(r, 1).value == "method" and meta.cell(r, 3).value == "aggregation":
            meta.cell(r, 4).value = "harmonic"
            meta_row = r
    wb.save(book)
    assert main(["validate", str(book)]) == 1
    out = capsys.readouterr().out
    c = {name: openpyxl.utils.get_column_letter(col(ind, name)) for name in ("confidence", "source_id")}
    assert f"sheet 'indicators', row {r1}, column {c['confidence']} (confidence): 'very sure'" in out
    assert f"sheet 'indicators', row {r1 + 1}, column {c['source_id']} (source_id): unknown source" in out
    assert f"sheet 'provinces', row 3, column {openpyxl.utils.get_column_letter(col(prov, 'region'))} (region)" in out
    assert f"sheet 'methodology', row {meta_row}, column method.aggregation: 'harmonic'" in out


def test_merged_cells_are_named(book: Path):
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    ws.merge_cells("A5:A7")
    wb.save(book)
    with pytest.raises(DatasetError, match=r"sheet 'indicators', row 5: cells A5:A7 are merged"):
        load_dataset(book)


def test_missing_header_column(book: Path):
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    ws.cell(1, col(ws, "unit")).value = "units of measure"
    wb.save(book)
    with pytest.raises(DatasetError, match=r"sheet 'indicators', row 1, column unit: missing column"):
        load_dataset(book)


def _patch(path: Path, member: str, edit) -> None:
    """Rewrite one member of the zip at ``path`` through ``edit(text) -> text``."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, edit(data.decode()).encode() if info.filename == member else data)


def _sheet_part(path: Path, name: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    return f"xl/worksheets/sheet{wb.sheetnames.index(name) + 1}.xml"


def _value_cell(path: Path, iso: str, indicator: str, year: int) -> str:
    wb = openpyxl.load_workbook(path)
    ws = wb["indicators"]
    row = find_row(ws, iso_code=iso, indicator=indicator, year=year)
    return f"{openpyxl.utils.get_column_letter(col(ws, 'value'))}{row}"


def _as_formula(ref: str, formula: str, cached: str | None):
    v = f"<v>{cached}</v>" if cached is not None else ""

    def edit(text: str) -> str:
        new, n = re.subn(rf'<c r="{ref}"([^>]*)><v>[^<]*</v></c>', rf'<c r="{ref}"\1><f>{formula}</f>{v}</c>', text)
        assert n == 1
        return new

    return edit


def _calculated(text: str) -> str:
    """workbook.xml as Excel saves it: no request to recalculate on opening."""
    return re.sub(r'\s*fullCalcOnLoad="1"', "", text)


def test_formula_cells_read_their_saved_value(book: Path):
    o = DS.observation("CN-GD", "rd_intensity", 2023)
    ref = _value_cell(book, "CN-GD", "rd_intensity", 2023)
    _patch(book, _sheet_part(book, "indicators"), _as_formula(ref, "1+1", repr(o.value)))
    _patch(book, "xl/workbook.xml", _calculated)
    assert same(load_dataset(book), DS)


def test_formula_without_saved_value_is_an_error_naming_the_cell(book: Path):
    ref = _value_cell(book, "CN-GD", "rd_intensity", 2023)
    _patch(book, _sheet_part(book, "indicators"), _as_formula(ref, "SUM(B2:B3)", None))
    _patch(book, "xl/workbook.xml", _calculated)
    with pytest.raises(DatasetError, match=rf"cell {ref} holds a formula \(=SUM\(B2:B3\)\) with no saved value"):
        load_dataset(book)


def test_formula_in_a_never_calculated_file_is_an_error(book: Path):
    # openpyxl writes formulas without values and asks Excel to recalculate on opening.
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    ref = _value_cell(book, "CN-GD", "rd_intensity", 2023)
    ws[ref] = "=2*3"
    wb.save(book)
    with pytest.raises(DatasetError, match=rf"cell {ref} holds a formula \(=2\*3\), but the file was saved by a "
                                           "program that never calculated it"):
        load_dataset(book)


def test_error_cells_are_named(book: Path):
    ref = _value_cell(book, "CN-GD", "rd_intensity", 2023)
    _patch(book, _sheet_part(book, "indicators"),
           lambda t: re.sub(rf'<c r="{ref}"([^>]*)><v>[^<]*</v></c>', rf'<c r="{ref}"\1 t="e"><v>#DIV/0!</v></c>', t))
    with pytest.raises(DatasetError, match=rf"cell {ref} holds the error #DIV/0!"):
        load_dataset(book)


@pytest.mark.parametrize("content,message", [
    (b"not a zip at all", "not a zip package"),
    (b"PK\x05\x06" + b"\0" * 18, "not an Excel workbook package|not a zip package"),
])
def test_files_that_are_not_workbooks(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def test_entity_expansion_and_huge_files_are_refused(book: Path, tmp_path: Path):
    _patch(book, "xl/workbook.xml", lambda t: t.replace("?>", '?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1))
    with pytest.raises(DatasetError, match="DOCTYPE or entities"):
        load_dataset(book)
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as fh:
        fh.truncate(65 * 1024 * 1024)   # sparse: no disk used
    with pytest.raises(DatasetError, match="may be at most"):
        load_dataset(huge)


def test_sheets_over_the_cell_limit_and_old_formats_are_refused(book: Path, monkeypatch: pytest.MonkeyPatch):
    from qitxl import dataset_xlsx

    monkeypatch.setattr(dataset_xlsx, "LIMITS", dataclasses.replace(dataset_xlsx.LIMITS, max_cells_per_sheet=500))
    with pytest.raises(DatasetError, match="more than 500 cells"):
        load_dataset(book)
    old = book.with_suffix(".xls")
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DatasetError, match=r"save the \.xls file as an Excel workbook \(\.xlsx\) first"):
        load_dataset(old)


def test_zip_bomb_member_is_refused(tmp_path: Path, exported: Path):
    bomb = tmp_path / "bomb.xlsx"
    shutil.copyfile(exported, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(DatasetError, match="possible zip bomb"):
        load_dataset(bomb)


# ----------------------------------------------------------------------------- commands take the workbook


def _one_rating(book: Path, iso: str, indicator: str, rating: int) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    year = DS.observation(iso, indicator).year
    ws.cell(find_row(ws, iso_code=iso, indicator=indicator, year=year), col(ws, "value")).value = rating
    wb.save(book)


def _broken(book: Path) -> Path:
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    ws.cell(2, col(ws, "confidence")).value = "sure"
    wb.save(book)
    return book


@pytest.mark.parametrize("argv", [
    ["rank"], ["audit"], ["sensitivity", "--draws", "50"], ["info"],
])
def test_read_only_commands_take_a_workbook(book: Path, argv, capsys):
    assert main([*argv, "--dataset", str(book)]) == 0
    capsys.readouterr()
    assert main([*argv, "--dataset", str(_broken(book))]) == 2
    assert "sheet 'indicators', row 2" in capsys.readouterr().err


def test_generate_with_a_workbook_and_a_broken_one_writes_nothing(book: Path, tmp_path: Path):
    out = tmp_path / "r.xlsx"
    assert main(["generate", "--dataset", str(book), "-o", str(out)]) == 0 and out.exists()
    bad_out = tmp_path / "bad.xlsx"
    assert main(["generate", "--dataset", str(_broken(book)), "-o", str(bad_out)]) == 2
    assert not bad_out.exists()


def test_eval_and_annotate_use_the_dataset_workbook(book: Path, tmp_path: Path):
    zj = DS.province("CN-ZJ")
    qit = [i.id for i in DS.indicators if i.id.startswith("qit_")]
    for ind in qit:
        _one_rating(book, "CN-ZJ", ind, 5)
    want = compute(load_dataset(book)).score("CN-ZJ")
    src = tmp_path / "list.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["province"])
    wb.active.append([zj.name_en])
    wb.save(src)
    try:
        assert main(["annotate", str(src), "--sheet", "Sheet", "--column", "A", "--add", "score",
                     "-o", str(tmp_path / "a.xlsx"), "--dataset", str(book)]) == 0
        got = openpyxl.load_workbook(tmp_path / "a.xlsx", data_only=True).active["B2"].value
        assert got == pytest.approx(want) and want != compute(DS).score("CN-ZJ")
        assert main(["eval", str(src), "-o", str(tmp_path / "e.xlsx"), "--dataset", str(_broken(book))]) == 2
        assert not (tmp_path / "e.xlsx").exists()
    finally:
        F.use_dataset(None)


def test_batch_scenario_with_a_workbook_dataset(book: Path, tmp_path: Path):
    from qitxl.batch import WRITTEN, run_scenario
    from qitxl.scenarios import ScenarioError, load_scenarios

    spec = tmp_path / "s.toml"
    spec.write_text(f'[[workbook]]\nname = "mine"\ndataset = "{book.name}"\n', encoding="utf-8")
    (scenario,) = load_scenarios(spec, tmp_path / "out")
    assert scenario.dataset.endswith(".xlsx")
    assert run_scenario(scenario).status == WRITTEN
    broken = _broken(Path(shutil.copyfile(book, tmp_path / "broken.xlsx")))
    spec.write_text(f'[[workbook]]\nname = "mine"\ndataset = "{broken.name}"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="sheet 'indicators', row 2"):
        load_scenarios(spec, tmp_path / "out2")


def test_batch_dataset_option_for_scenarios_that_name_none(book: Path, tmp_path: Path, capsys):
    from qitxl.scenarios import load_scenarios

    spec = tmp_path / "s.toml"
    spec.write_text('[[workbook]]\nname = "a"\n\n[[workbook]]\nname = "b"\ndataset = "mine.xlsx"\n',
                    encoding="utf-8")
    shutil.copyfile(book, tmp_path / "mine.xlsx")
    a, b = load_scenarios(spec, tmp_path / "out", dataset=book)
    assert a.dataset == str(book.resolve()) and b.dataset == str((tmp_path / "mine.xlsx").resolve())
    out = tmp_path / "out2"
    assert main(["batch", str(spec), "-o", str(out), "--dataset", str(_broken(book))]) == 2
    assert "sheet 'indicators', row 2" in capsys.readouterr().err and not out.exists()


# ----------------------------------------------------------------------------- the Excel functions follow


@pytest.fixture
def follow(monkeypatch: pytest.MonkeyPatch):
    """Functions that check the dataset on every call (no once-a-second grace) and start afresh."""
    monkeypatch.setattr(F, "_CHECK_EVERY", 0.0)
    F.use_dataset(None)
    yield monkeypatch
    monkeypatch.delenv(F.DATASET_ENV, raising=False)
    F.use_dataset(None)


def test_functions_follow_qitxl_dataset_and_reload_when_the_file_changes(book: Path, follow):
    before = F.qit_score("Zhejiang")
    assert "), bundled;" in F.qit_info()
    follow.setenv(F.DATASET_ENV, str(book))
    assert F.qit_score("Zhejiang") == before
    loaded = F._current
    assert F.qit_tier("Zhejiang") and F._current is loaded   # unchanged file: the same state, not reloaded
    info = F.qit_info()
    assert str(book) in info and "QITXL_DATASET" in info
    for ind in (i.id for i in DS.indicators if i.id.startswith("qit_")):
        _one_rating(book, "CN-ZJ", ind, 5)
    after = F.qit_score("Zhejiang")
    assert after == compute(load_dataset(book)).score("CN-ZJ") and after != before
    assert F._current is not loaded
    _broken(book)
    err = F.qit_score("Zhejiang")
    assert isinstance(err, XlError) and err.code == "#VALUE!" and "sheet 'indicators', row 2" in err.message
    assert isinstance(F.qit_info(), XlError)
    follow.delenv(F.DATASET_ENV)
    assert F.qit_score("Zhejiang") == before


def test_functions_follow_a_folder_too(tmp_path: Path, follow):
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copyfile(DATA / "methodology.toml", folder / "methodology.toml")
    follow.setenv(F.DATASET_ENV, str(folder))
    assert F.qit_score("Anhui") == compute(DS).score("CN-AH")
    text = (folder / "methodology.toml").read_text(encoding="utf-8")
    (folder / "methodology.toml").write_text(re.sub(r'version = "[^"]*"', 'version = "mine-2"', text),
                                             encoding="utf-8")
    assert "mine-2" in F.qit_info()


def test_a_dataset_given_in_python(follow):
    mine = dataclasses.replace(DS, version="given-1", origin="mine")
    F.use_dataset(mine)
    assert "given-1" in F.qit_info()
    assert F.qit_tier("Anhui") == compute(DS).tier("CN-AH").label


def test_observation_type_is_unchanged():
    # The reader hands the validator text, exactly as a CSV file does: values are floats, years ints.
    o = DS.observations[0]
    assert isinstance(o, Observation) and isinstance(o.value, float) and isinstance(o.year, int)


def test_a_workbook_saved_by_a_spreadsheet_application(book: Path, tmp_path: Path):
    """LibreOffice opens the exported workbook, calculates a formula typed into it and saves it:
    the dataset reads the formula's saved value and is otherwise unchanged."""
    from tests.libreoffice import recalculate

    ref = _value_cell(book, "CN-GD", "rd_intensity", 2023)
    wb = openpyxl.load_workbook(book)
    wb["indicators"][ref] = "=1+1.5"
    wb.save(book)
    saved = recalculate(book, tmp_path / "lo")
    back = load_dataset(saved)
    assert back.observation("CN-GD", "rd_intensity", 2023).value == 2.5
    want = tuple(dataclasses.replace(o, value=2.5) if (o.iso_code, o.indicator, o.year) == ("CN-GD", "rd_intensity",
                                                                                              2023) else o
                 for o in DS.observations)
    assert same(back, dataclasses.replace(DS, observations=want))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_text_gives_back_the_same_number(x: float):
    from qitxl.dataset_xlsx import number_text

    text = number_text(x)
    assert float(text) == x
    if x.is_integer() and abs(x) < 1e15:
        assert text.lstrip("-").isdigit()


def test_excel_date_serials():
    from qitxl.dataset_xlsx import _excel_date

    assert _excel_date(45567, False) == "2024-10-02"
    assert _excel_date(1, False) == "1900-01-01"
    assert _excel_date(61, False) == "1900-03-01"       # after Excel's phantom 29 February 1900
    assert _excel_date(44105, True) == "2024-10-02"     # the 1904 date system
    assert _excel_date(45567.5, False) == "2024-10-02T12:00:00"
    assert _excel_date(1e12, False) == ""
