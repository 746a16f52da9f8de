"""Writing computed values back into a 50,000-row B-02: the patching writer next to openpyxl
load + edit + save of the same workbook and a bare unzip + rezip (zipfile reads every member and
writes it again), in one run. Each method runs in its own subprocess (its peak RSS is its own).

The edit is what recompute does: new cached values on the 4 computed columns (risk value and
level, residual risk value and level) of every row, and a band fill on those 4 cells:
~200,000 values and 200,000 fills.

Targets: the patching writer ≤ 0.25× openpyxl's time and ≤ 2× the bare rezip.

    python benchmarks/bench_write.py [ROWS]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from measure import Clock, peak_rss_mb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else int(os.environ.get("BENCH_WRITE_ROWS", 50_000))
REPEAT = 3
SHEET = "リスクアセスメント結果表"
FIRST_DATA_ROW = 5  # 0-based: the B-02 template's records start on row 6
COMPUTED = (9, 10, 17, 18)  # J, K, R, S
BANDS = {"原則受容": "C6EFCE", "受容可能": "FFEB9C", "リスク対応": "FFC7CE"}


def level(value: int) -> str:
    return "原則受容" if value <= 6 else ("受容可能" if value <= 9 else "リスク対応")


def make_patches(rows: int):
    from isms_xl.io.patch import CellPatch

    patches = []
    for i in range(rows):
        r = FIRST_DATA_ROW + i
        risk = 2 + (i * 7) % 8
        residual = 2 + (i * 3) % 8
        for col, value, band in ((9, risk, level(risk)), (10, level(risk), level(risk)),
                                 (17, residual, level(residual)), (18, level(residual), level(residual))):
            patches.append(CellPatch(SHEET, r, col, value, fill=BANDS[band]))
    return patches


def run_patch(src: Path, dst: Path) -> dict:
    from isms_xl.io.patch import patch_workbook
    from isms_xl.io.preflight import preflight

    patches = make_patches(ROWS)
    whole, writer, pre = Clock(), Clock(), Clock()
    report = None
    for _ in range(REPEAT):
        with whole:
            with pre:
                info = preflight(src)
            with writer:
                report = patch_workbook(src, dst, patches, info=info)
    assert report is not None and report.cells_changed > 0.8 * len(patches), report.cells_changed
    w = writer.result()
    return {**whole.result(), "writer_time": w["time"], "writer_cpu": w["cpu"], "preflight": pre.result()["time"],
            "values": len(patches), "fills": sum(1 for p in patches if p.fill), "changed": list(report.changed_members),
            "cells_changed": report.cells_changed, "new_xfs": report.new_xfs}


def run_openpyxl(src: Path, dst: Path) -> dict:
    from openpyxl.styles import PatternFill

    patches = make_patches(ROWS)
    fills = {c: PatternFill("solid", fgColor="FF" + c) for c in BANDS.values()}
    clock = Clock()
    for _ in range(REPEAT):
        with clock:
            _openpyxl_once(src, dst, patches, fills)
    return clock.result()


def _openpyxl_once(src: Path, dst: Path, patches: list, fills: dict) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb[SHEET]
    for p in patches:
        cell = ws.cell(row=p.row + 1, column=p.col + 1)
        if not (isinstance(cell.value, str) and cell.value.startswith("=")):
            cell.value = p.value  # openpyxl cannot store a cached value; formulas stay, uncached
        cell.fill = fills[p.fill]
    wb.save(dst)


def run_rezip(src: Path, dst: Path) -> dict:
    clock = Clock()
    for _ in range(REPEAT):
        with clock, zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, zin.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return clock.result()


METHODS = {"patch": run_patch, "openpyxl": run_openpyxl, "rezip": run_rezip}


def child(method: str, src: str, dst: str) -> None:
    result = METHODS[method](Path(src), Path(dst))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def main() -> None:
    from bench_read import make_b02

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "ISMS-B-02_bench.xlsx"
        t = time.perf_counter()
        make_b02(src, ROWS)
        with zipfile.ZipFile(src) as zf:
            sheet_mb = max(i.file_size for i in zf.infolist()) / 1e6
        print(f"built {ROWS:,}-row B-02 ({src.stat().st_size / 1e6:.1f} MB, sheet XML {sheet_mb:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s; median of {REPEAT} runs per method, each in its own process")
        results = {}
        for method in ("rezip", "patch", "openpyxl"):
            out = subprocess.run([sys.executable, __file__, "--child", method, str(src), str(Path(tmp) / f"{method}.xlsx")],
                                 capture_output=True, text=True, check=True, env={**os.environ, "BENCH_WRITE_ROWS": str(ROWS)})
            results[method] = json.loads(out.stdout.strip().splitlines()[-1])
        p, o, z = results["patch"], results["openpyxl"], results["rezip"]
        print(f"edit: {p['values']:,} values + {p['fills']:,} fills on {ROWS:,} rows ({p['cells_changed']:,} cells "
              f"changed, the rest already held that value and colour; {p['new_xfs']} new cell formats); "
              f"patched members: {', '.join(p['changed'])}")
        print(f"load average when done: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        print(f"{'method':42} {'wall':>8} {'CPU':>8} {'peak RSS':>9}")
        rows = [("patching writer, incl. preflight", p["time"], p["cpu"], p["peak_rss_mb"]),
                ("  writer alone (preflight done by reader)", p["writer_time"], p["writer_cpu"], None),
                ("openpyxl load + edit + save", o["time"], o["cpu"], o["peak_rss_mb"]),
                ("bare unzip + rezip (zipfile, level 6)", z["time"], z["cpu"], z["peak_rss_mb"])]
        for name, wall, cpu, rss in rows:
            print(f"{name:42} {wall:7.2f}s {cpu:7.2f}s " + (f"{rss:7.0f}MB" if rss is not None else ""))
        for label, key in (("wall", "time"), ("CPU", "cpu")):
            r_o, r_z = p[key] / o[key], p[key] / z[key]
            w_o = p["writer_" + key] / o[key]
            w_z = p["writer_" + key] / z[key]
            print(f"{label:4}: patch/openpyxl = {r_o:.3f}x (writer alone {w_o:.3f}x; target ≤ 0.25x: "
                  f"{'met' if r_o <= 0.25 else 'NOT met'})")
            print(f"{label:4}: patch/rezip    = {r_z:.2f}x (writer alone {w_z:.2f}x; target ≤ 2x: "
                  f"{'met' if r_z <= 2 else ('met by the writer alone' if w_z <= 2 else 'NOT met')})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
