"""What the recompute button sends to Excel for a B-02 of 100, 10,000 and 50,000 rows, and how long
the Python side takes: the demo B-02's rows repeated, three risk values typed over (first, middle,
last record), on xlwings' remote engine (the one behind xlwings Lite), which lists the actions
instead of sending them. The number of actions must not depend on the rows (up to 10,000 rows per
colour column, xlwings' limit for one ``set_colors``).

    XLWINGS_LICENSE_KEY=noncommercial python benchmarks/bench_excel.py [ROWS ...]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

B02 = "ISMS-B-02_リスクアセスメント結果表.xlsx"
RISK_COLUMN = 9


def cell_json(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return dt.datetime(value.year, value.month, value.day).isoformat() + ".000Z"
    return value


def grids(folder: Path, rows: int) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    from isms_xl.reader import read_form

    wb = CalamineWorkbook.from_path(str(folder / B02))
    out = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}
    sheet = next(iter(out))
    first = min(r.row for r in read_form(folder / B02).records)
    body = [line for line in out[sheet][first:] if line[0]]
    table = out[sheet][:first]
    for i in range(rows):
        line = list(body[i % len(body)])
        line[0] = f"R-{i + 1:05d}"
        table.append(line)
    for i in (0, rows // 2, rows - 1):
        table[first + i][RISK_COLUMN] = 99
    out[sheet] = table
    return out


def main(sizes: list[int]) -> None:
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        sys.exit("set XLWINGS_LICENSE_KEY=noncommercial (xlwings' remote engine, for measuring only)")
    import xlwings as xw

    from isms_xl.demo import generate_demo
    from isms_xl.excel import layer

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate_demo(folder, as_of=dt.date(2026, 11, 26))
        print(f"{'rows':>8}  {'seconds':>8}  actions")
        for rows in sizes:
            sheets = grids(folder, rows)
            width = max(len(line) for rows_ in sheets.values() for line in rows_)
            payload = {"client": "Office.js", "version": xw.__version__,
                       "book": {"name": B02, "active_sheet_index": 0, "selection": "A1"}, "names": [],
                       "sheets": [{"name": n, "pictures": [], "tables": [],
                                   "values": [[cell_json(v) for v in line] + [""] * (width - len(line))
                                              for line in rows_]} for n, rows_ in sheets.items()]}
            book = xw.Book(json=payload)
            start = time.perf_counter()
            layer.recompute(book, show=False)
            seconds = time.perf_counter() - start
            counts = Counter(a["func"] for a in book.json()["actions"])
            print(f"{rows:>8,}  {seconds:>8.2f}  {sum(counts.values())} {dict(counts)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 10_000, 50_000])
