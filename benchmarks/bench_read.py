"""Reading a 50,000-row B-02: isms_xl's reader next to a bare python-calamine iteration of the same
sheet, in one run. Prints the times, their ratio and peak memory. Target (issue #3): ≤ 1.5×."""

from __future__ import annotations

import datetime as dt
import gc
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from measure import timed
from python_calamine import CalamineWorkbook

from isms_xl.content import FormContent
from isms_xl.forms import FORMS
from isms_xl.io.preflight import preflight, preflight_staged
from isms_xl.method import DEFAULT_METHOD
from isms_xl.reader import read_form
from isms_xl.schema import DocControl
from isms_xl.templates.build import build_workbook

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
THREATS = ["不正アクセス", "マルウェア感染", "誤操作", "紛失・盗難", "災害", "委託先からの漏えい", "なりすまし"]
VULNS = ["パッチ未適用", "アクセス権の過剰付与", "教育不足", "バックアップ不備", "持ち出し管理の不備"]


def make_b02(path: Path, rows: int) -> None:
    rng = random.Random(1)
    spec = FORMS["B-02"]
    records = []
    for i in range(rows):
        treat = rng.choice(["受容", "低減", "共有"])
        records.append({
            "risk_id": f"R-{i + 1:05d}", "asset_id": f"A-{rng.randint(1, 20000):05d}", "asset_name": f"資産{i % 997}",
            "affected": rng.choice(["C", "CI", "CIA", "A"]), "threat": rng.choice(THREATS),
            "threat_level": rng.randint(1, 3), "vulnerability": rng.choice(VULNS),
            "vulnerability_level": rng.randint(1, 3), "impact": rng.randint(1, 3), "treatment": treat,
            "controls": ["A.5.15", "A.8.8"] if treat == "低減" else None,
            "plan_ids": [f"P-{rng.randint(1, 9999):04d}"] if treat != "受容" else None,
            "residual_threat_level": 1 if treat == "低減" else None,
            "residual_vulnerability_level": 1 if treat == "低減" else None,
            "risk_owner": rng.choice(["佐藤 花子", "鈴木 一郎", "高橋 健"]),
            "assessed_on": dt.date(2026, 4, 1) + dt.timedelta(days=rng.randint(0, 200)),
            "notes": "" if rng.random() < 0.8 else "受容可能と判断",
        })
    build_workbook([FormContent(spec, DocControl(doc_number=spec.doc_number, doc_title=spec.ja, version="1.0"),
                                records)], path, DEFAULT_METHOD)


def bare_calamine(path: Path) -> int:
    wb = CalamineWorkbook.from_path(str(path))
    n = 0
    for _ in wb.get_sheet_by_index(0).iter_rows():
        n += 1
    return n


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ISMS-B-02_bench.xlsx"
        t = time.perf_counter()
        make_b02(path, ROWS)
        print(f"built {ROWS:,}-row B-02 ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
        bare = timed(lambda: bare_calamine(path))
        form = read_form(path)
        assert len(form.records) == ROWS, len(form.records)
        records, findings = len(form.records), len(form.findings)
        # Nothing of the build or of the first read is left while the reads are timed (with the
        # build's garbage and the first 50,000 records still there, each read measured 0.1–0.3 s
        # slower).
        del form
        gc.collect()
        ours = timed(lambda: read_form(path, styles=False))
        with_styles = timed(lambda: read_form(path))
        pre = timed(lambda: preflight(path))
        stage_one = timed(lambda: preflight_staged(path))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"bare python-calamine iter_rows          : {bare:6.2f} s")
        print(f"isms_xl read_form(styles=False)         : {ours:6.2f} s   ({records:,} records, "
              f"{findings} findings)  ratio {ours / bare:4.2f}x (target ≤ 1.5x)")
        print(f"isms_xl read_form (with fills, CALC-003): {with_styles:6.2f} s   ratio {with_styles / bare:4.2f}x")
        print(f"  the safety preflight, whole           : {pre:6.2f} s   ({pre / bare:4.2f}x; its cell scan runs beside calamine)")
        print(f"  of it before calamine may start       : {stage_one:6.2f} s   ({stage_one / bare:4.2f}x; decompress, quick bound check)")
        print(f"peak RSS of this process       : {peak:6.0f} MB")


if __name__ == "__main__":
    main()
