"""LibreOffice headless wrapper: recalculation on load, batching and PDF export.

The workbooks are written with XlsxWriter and carry deliberately wrong cached values.
LibreOffice keeps cached values by default, so a result equal to the true value proves
that the wrapper's profile really forces recalculation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from isms_xl.office import libreoffice as lo

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(lo.find_soffice() is None, reason="LibreOffice (soffice) not installed"),
]

SHEET = "リスク評価"
STALE = 999


def _write_stale_workbook(path: Path, a: float = 2) -> None:
    """Formulas whose cached results are all wrong; true results depend on ``a``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    ws.write_row("A1", [a, 3, 4])
    ws.write_formula("D1", "=A1*(B1+C1)", None, STALE)
    ws.write_formula("D2", "=MAX(A1:C1)", None, STALE)
    ws.write_formula("D3", '=IF(D1>=20,"原則受容","要対応")', None, "cached")
    # Last non-blank cell of a row, gaps included: a number, then a text.
    ws.write_row("B5", [1, None, "中", None, 5])
    ws.write_row("B6", [7, "x", None, None, None, "高"])
    ws.write_formula("A5", '=LOOKUP(2,1/(B5:M5<>""),B5:M5)', None, STALE)
    ws.write_formula("A6", '=LOOKUP(2,1/(B6:M6<>""),B6:M6)', None, STALE)
    wb.close()


def _cells(path: Path, *refs: str) -> list[object]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET)
    assert sheet.start == (0, 0)  # so row/column indexes below are sheet coordinates
    rows = sheet.to_python()
    values = []
    for ref in refs:
        col = ord(ref[0]) - ord("A")
        row = int(ref[1:]) - 1
        values.append(rows[row][col])
    return values


def _true_values(a: float) -> list[object]:
    product = a * (3 + 4)
    return [product, max(a, 3, 4), "原則受容" if product >= 20 else "要対応", 5, "高"]


REFS = ("D1", "D2", "D3", "A5", "A6")


def test_recalculate_replaces_stale_cached_values(tmp_path: Path) -> None:
    src = tmp_path / "in" / "risk.xlsx"
    _write_stale_workbook(src, a=3)
    assert _cells(src, *REFS) == [STALE, STALE, "cached", STALE, STALE]

    out = lo.recalculate(src, tmp_path / "out")

    assert out == tmp_path / "out" / "risk.xlsx"
    assert _cells(out, *REFS) == [21, 4, "原則受容", 5, "高"] == _true_values(3)


def test_without_recalc_setting_cached_values_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Control for the test above: with LibreOffice's default (never recalculate OOXML on
    # load) the wrong cached values come back unchanged, so that test does exercise the
    # profile setting and not some other recalculation trigger.
    without = "\n".join(
        line for line in lo._REGISTRY_MODIFICATIONS.splitlines() if "RecalcMode" not in line
    )
    monkeypatch.setattr(lo, "_REGISTRY_MODIFICATIONS", without)
    src = tmp_path / "risk.xlsx"
    _write_stale_workbook(src)

    out = lo.recalculate(src, tmp_path / "out")

    assert _cells(out, *REFS) == [STALE, STALE, "cached", STALE, STALE]


def test_recalculate_many_same_stem_one_invocation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "a" / "book.xlsx"
    second = tmp_path / "b" / "book.xlsx"
    other = tmp_path / "b" / "other.xlsx"
    for path, a in ((first, 2), (second, 5), (other, 1)):
        _write_stale_workbook(path, a=a)
    inputs_before = {p: p.read_bytes() for p in (first, second, other)}

    runs: list[list[str]] = []
    real_run = lo._run

    def counting_run(argv: list[str], timeout: float, label: str) -> tuple[int, str]:
        runs.append(argv)
        return real_run(argv, timeout, label)

    monkeypatch.setattr(lo, "_run", counting_run)

    outs = lo.recalculate_many([first, second, other], tmp_path / "out")

    assert len(runs) == 1
    assert outs == [tmp_path / "out" / n for n in ("book.xlsx", "book-2.xlsx", "other.xlsx")]
    assert _cells(outs[0], *REFS) == _true_values(2)
    assert _cells(outs[1], *REFS) == _true_values(5)
    assert _cells(outs[2], *REFS) == _true_values(1)
    # Inputs untouched, and no LibreOffice lock or temp files left beside them.
    assert {p: p.read_bytes() for p in inputs_before} == inputs_before
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["book.xlsx", "other.xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "book-2.xlsx",
        "book.xlsx",
        "other.xlsx",
    ]


def test_convert_to_pdf(tmp_path: Path) -> None:
    src = tmp_path / "リスク 評価 #1.xlsx"
    _write_stale_workbook(src)

    out = lo.convert_to_pdf(src, tmp_path / "pdf")

    assert out == tmp_path / "pdf" / "リスク 評価 #1.pdf"
    assert out.read_bytes().startswith(b"%PDF")


def test_unloadable_input_raises_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(lo.LibreOfficeError, match="broken.xlsx") as excinfo:
        lo.recalculate(bad, tmp_path / "out")

    assert "\n" not in str(excinfo.value)
    assert not (tmp_path / "out" / "broken.xlsx").exists()


def test_timeout_raises(tmp_path: Path) -> None:
    src = tmp_path / "risk.xlsx"
    _write_stale_workbook(src)

    with pytest.raises(lo.LibreOfficeError, match="timed out"):
        lo.recalculate(src, tmp_path / "out", timeout=0.05)
