"""Speed and memory of preflight's single pass on a large B-02 (50,000 risk rows x 24 columns,
4 formula columns, styled cells), against a bare python-calamine read of the same sheet.

Run with ``-s`` to see the figures. The reader's budget is at most 1.5x a bare calamine read
in total, and calamine still runs after preflight, so preflight must stay well under calamine.
"""

from __future__ import annotations

import datetime
import gc
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from isms_xl.io.preflight import COLLECT_ALL, preflight, preflight_staged

ROWS = 50_000
THREATS = ["不正アクセス", "マルウェア感染", "誤送信", "紛失・盗難", "災害"]


def build_b02(path: Path, rows: int = ROWS) -> Path:
    """A B-02 risk register as XlsxWriter writes it: strings, numbers, dates, 4 formula
    columns (risk value, evaluation, residual value, residual evaluation), borders and fills."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("リスクアセスメント結果表")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1})
    date = wb.add_format({"border": 1, "num_format": "yyyy/mm/dd"})
    calc = wb.add_format({"border": 1, "bg_color": "#F2F2F2"})
    bad = wb.add_format({"border": 1, "bg_color": "#FFC7CE", "font_color": "#9C0006"})
    ws.write_row(0, 0, [f"列{i + 1}" for i in range(24)], head)
    first = datetime.datetime(2026, 4, 1)
    for r in range(1, rows + 1):
        n = r + 1
        ws.write_row(r, 0, [f"R-{r:05d}", f"A-{r % 700:04d}", f"資産 {r % 700}", "機密性", THREATS[r % 5],
                            r % 3 + 1, "アクセス制御の不備", r % 3 + 1, (r // 3) % 3 + 1], cell)
        ws.write_formula(r, 9, f'=IF(OR(NOT(ISNUMBER(I{n})),NOT(ISNUMBER(F{n})),NOT(ISNUMBER(H{n}))),"",'
                               f"I{n}*(F{n}+H{n}))", calc, (r % 3 + 1) * 2)
        ws.write_formula(r, 10, f'=IF(ISNUMBER(J{n}),IF(J{n}<=6,"原則受容",IF(J{n}<=9,"受容可能","リスク対応")),"")',
                         bad if r % 7 == 0 else calc, "原則受容")
        ws.write_row(r, 11, ["低減", "多要素認証の導入", "情報システム部", 1, 1, 2], cell)
        ws.write_formula(r, 17, f'=IF(O{n}="",I{n},O{n})*(P{n}+Q{n})', calc, 3)
        ws.write_formula(r, 18, f'=IF(ISNUMBER(R{n}),IF(R{n}<=6,"原則受容","受容可能"),"")', calc, "原則受容")
        ws.write_string(r, 19, "受容", cell)
        ws.write_datetime(r, 20, first + datetime.timedelta(days=r % 300), date)
        ws.write_blank(r, 21, None, cell)
        ws.write_datetime(r, 22, first, date)
        ws.write_string(r, 23, "備考", cell)
    wb.close()
    return path


@pytest.fixture(scope="module")
def big_b02(tmp_path_factory) -> Path:
    return build_b02(tmp_path_factory.mktemp("bench") / "ISMS-B-02_big.xlsx")


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    n = 0
    for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        n += len(row)
    return n


def _best(runs: dict[str, object], rounds: int) -> dict[str, tuple[float, float]]:
    """The best (CPU, wall) seconds of each, run in turns so a busy machine hurts all alike."""
    best = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            run()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
    return best


@pytest.mark.slow
def test_preflight_is_well_under_calamine(big_b02):
    s = preflight(big_b02, collect=COLLECT_ALL).sheets[0]
    assert (s.max_row, s.max_col, s.cells) == (ROWS + 1, 24, (ROWS + 1) * 24)
    assert len(s.formula_cells) == 4 * ROWS and not s.error_cells
    assert len(s.style_ids) == (ROWS + 1) * 24
    assert calamine_read(big_b02) == (ROWS + 1) * 24

    runs = {
        "calamine iter_rows": lambda: calamine_read(big_b02),
        "preflight collect=()": lambda: preflight(big_b02, collect=()),
        "preflight formulas": lambda: preflight(big_b02, collect=("formulas",)),
        "preflight errors": lambda: preflight(big_b02, collect=("errors",)),
        "preflight default (formulas, errors)": lambda: preflight(big_b02),
        "preflight styles": lambda: preflight(big_b02, collect=("styles",)),
        "preflight all three": lambda: preflight(big_b02, collect=COLLECT_ALL),
    }
    best = _best(runs, rounds=3)
    base_cpu, base_wall = best["calamine iter_rows"]
    print(f"\n{big_b02.stat().st_size / 1e6:.1f} MB file, {ROWS:,} rows x 24 columns")
    for name, (cpu, wall) in best.items():
        print(f"  {name:38s} {cpu * 1000:6.0f} ms CPU ({cpu / base_cpu:4.2f}x)  "
              f"{wall * 1000:6.0f} ms wall ({wall / base_wall:4.2f}x)")
    ratio = best["preflight default (formulas, errors)"][0] / base_cpu
    # Figures, not pass/fail (timings flake on a shared CI machine): `make bench` prints them.
    print(f"preflight (default collect) takes {ratio:.2f}x a bare calamine read")


@pytest.mark.slow
def test_memory(big_b02):
    """What preflight holds while it runs (tracemalloc's peak, the file's bytes included) and
    what it keeps: ~8 bytes a formula cell, ~10 a styled cell."""
    print()
    for collect in [(), ("formulas", "errors"), COLLECT_ALL]:
        gc.collect()
        tracemalloc.start()
        info = preflight(big_b02, collect=collect)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        s = info.sheets[0]
        sizes = {name: getattr(s, name).nbytes for name in ("formula_cells", "error_cells", "style_ids")
                 if getattr(s, name) is not None}
        print(f"  collect={collect!s:34s} peak {peak / 2**20:5.1f} MiB, kept {kept / 2**20:5.1f} MiB, {sizes}")
        assert peak < 3 * big_b02.stat().st_size + 40 * 2**20
        if collect == ("formulas", "errors"):  # the reader's stages hold the parts in between
            tracemalloc.start()
            staged = preflight_staged(big_b02, collect=collect)
            held = tracemalloc.get_traced_memory()[0]
            staged.finish()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            parts = sum(i.file_size for i in zipfile.ZipFile(big_b02).infolist())
            print(f"  staged: held {held / 2**20:5.1f} MiB after stage one, peak {peak / 2**20:5.1f} MiB "
                  f"(parts {parts / 2**20:5.1f} MiB)")
            assert held < big_b02.stat().st_size + parts + 8 * 2**20
            assert peak < 3 * big_b02.stat().st_size + parts + 40 * 2**20
            del staged
        if "styles" in collect:
            assert s.style_ids.nbytes <= 10 * len(s.style_ids) + 64
        if "formulas" in collect:
            assert s.formula_cells.nbytes == 8 * len(s.formula_cells)
        del info
