"""The whole check of a large ISMS folder next to a bare python-calamine read of the same files, in
one run: 20,000 B-01 assets, 60,000 B-02 risks that refer to them and 10,000 B-03 plans, with the
other forms of the demo. Prints both times, their ratio (target, issue #5: ≤ 1.5×) and the peak
memory of each. Every measurement runs in its own process (its peak RSS is its own).

The folder is the demo's (``build_dataset`` and its writer) with synthetic, consistent records
appended to B-01, B-02 and B-03 up to the totals; the demo's seeded defects stay, so the check
reports the demo's findings plus one XREF-015 warning per control the synthetic rows select (the
SoA's related-risk cells do not list the synthetic risks: thousands of ids per cell would not fit
in an Excel cell).

    python benchmarks/bench_check.py [ASSETS RISKS PLANS]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import Clock, peak_rss_mb

AS_OF = dt.date(2026, 11, 26)
REPEAT = 3
TOTALS = tuple(int(a) for a in sys.argv[1:4]) if len(sys.argv) >= 4 and sys.argv[1].isdigit() else (20_000, 60_000, 10_000)

# Control sets the demo's own clean risk rows select (applicable in its SoA, for リスク対応).
CONTROL_SETS = (["5.15", "5.18", "8.3"], ["5.14", "6.3"], ["8.15", "8.16"], ["8.13", "8.32"], ["8.7", "8.13"])
CATEGORIES = ("電子データ", "紙媒体", "ソフトウェア", "ハードウェア", "サービス")
THREATS = ("不正アクセス", "マルウェア感染", "誤操作", "紛失・盗難", "災害", "委託先からの漏えい", "なりすまし")
VULNS = ("パッチ未適用", "アクセス権の過剰付与", "教育不足", "バックアップ不備", "持ち出し管理の不備")


# ------------------------------------------------------------------------------------------------
# The folder


def add_synthetic(data, assets: int, risks: int, plans: int) -> None:
    """Append records to B-01/B-02/B-03 up to the totals, clean by construction: every asset has
    risks, impact = the asset's confidentiality (affected "C"), risk ≤ 6 accepted, risk ≥ 8 reduced
    by a plan whose controls, owner and risk ids agree with the row."""
    rng = random.Random(5)
    staff = data.org.staff
    owners = sorted({r["risk_owner"] for r in data.forms["B-02"].records if r and r.get("risk_owner")})
    b01, b02, b03 = (data.forms[f].records for f in ("B-01", "B-02", "B-03"))
    n_assets, n_risks, n_plans = (assets - sum(r is not None for r in b01), risks - sum(r is not None for r in b02),
                                  plans - sum(r is not None for r in b03))
    new_assets = []
    for i in range(n_assets):
        person = staff[i % len(staff)]
        c = rng.randint(1, 3)
        new_assets.append({
            "asset_id": f"A-{10_000 + i:05d}", "name": f"業務データ{i:05d}", "category": CATEGORIES[i % len(CATEGORIES)],
            "department": person.department, "owner": person.name, "location": "ファイルサーバ",
            "confidentiality": c, "integrity": rng.randint(1, 3), "availability": rng.randint(1, 3),
            "personal_data": "無", "retention": "5年", "disposal": "データ消去ソフトによる消去",
            "registered_on": AS_OF - dt.timedelta(days=rng.randint(400, 2000)),
            "reviewed_on": AS_OF - dt.timedelta(days=rng.randint(10, 300)), "status": "使用中",
        })
    plan_risks: list[list[str]] = [[] for _ in range(n_plans)]
    reduced = 0
    for i in range(n_risks):
        asset = new_assets[i % n_assets]
        c = asset["confidentiality"]
        t, v = rng.randint(1, 3), rng.randint(1, 3)
        if c * (t + v) <= 6:
            row = {"treatment": "受容", "risk_owner": owners[i % len(owners)]}
        else:
            p = reduced % n_plans
            reduced += 1
            plan_risks[p].append(f"R-{100_000 + i:06d}")
            row = {"treatment": "低減", "controls": CONTROL_SETS[p % len(CONTROL_SETS)],
                   "plan_ids": [f"P-{10_000 + p:05d}"], "residual_threat_level": 1,
                   "residual_vulnerability_level": 1, "risk_owner": owners[p % len(owners)]}
        assessed = AS_OF - dt.timedelta(days=rng.randint(5, 300))
        b02.append({"risk_id": f"R-{100_000 + i:06d}", "asset_id": asset["asset_id"], "asset_name": asset["name"],
                    "affected": "C", "threat": THREATS[i % len(THREATS)], "threat_level": t,
                    "vulnerability": VULNS[i % len(VULNS)], "vulnerability_level": v, "impact": c,
                    "assessed_on": assessed, "owner_approved_on": assessed + dt.timedelta(days=3), **row})
    assert all(plan_risks), "too few risks to treat: every plan needs one"
    for p, rids in enumerate(plan_risks):
        b03.append({"plan_id": f"P-{10_000 + p:05d}", "risk_ids": rids, "measure": f"対策{p:05d}の実施",
                    "controls": CONTROL_SETS[p % len(CONTROL_SETS)], "responsible": staff[p % len(staff)].name,
                    "priority": 2, "status": "実施中", "approved_by": owners[p % len(owners)],
                    "approved_on": AS_OF - dt.timedelta(days=40), "start_on": AS_OF - dt.timedelta(days=30),
                    "due_on": AS_OF + dt.timedelta(days=120), "completed_on": None})
    b01.extend(new_assets)


def build_folder(folder: Path, assets: int, risks: int, plans: int) -> None:
    from isms_xl.config import load_config
    from isms_xl.demo import build_dataset
    from isms_xl.demo.folder import write_config, write_workbooks

    folder.mkdir(parents=True, exist_ok=True)
    data, _, _ = build_dataset(AS_OF)
    add_synthetic(data, assets, risks, plans)
    write_config(folder, data.org, AS_OF)
    write_workbooks(folder, data, load_config(folder).method)


# ------------------------------------------------------------------------------------------------
# Measurements, each in a child process


def workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix == ".xlsx")


def run_calamine(folder: Path) -> dict:
    from python_calamine import CalamineWorkbook

    paths = workbooks(folder)
    rss_imports = peak_rss_mb()
    clock = Clock()
    cells = 0
    for _ in range(REPEAT):
        cells = 0
        with clock:
            for path in paths:
                wb = CalamineWorkbook.from_path(str(path))
                for name in wb.sheet_names:
                    for row in wb.get_sheet_by_name(name).iter_rows():
                        cells += len(row)
    return {**clock.result(), "rss_imports": rss_imports, "cells": cells, "files": len(paths)}


def run_check(folder: Path) -> dict:
    from isms_xl.check import check_folder
    from isms_xl.rules.registry import load_builtin_rules

    load_builtin_rules()
    rss_imports = peak_rss_mb()
    clock = Clock()
    run = None
    phases: dict[str, list[float]] = {}
    for _ in range(REPEAT):
        run = None  # the previous run is freed before the clock starts, not inside the next one
        with clock:
            run = check_folder(folder, today=AS_OF)
        for phase, seconds in run.timings.items():
            phases.setdefault(phase, []).append(seconds)
    assert run is not None
    by_rule: dict[str, int] = {}
    for f in run.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    return {**clock.result(), "rss_imports": rss_imports, "findings": run.summary(), "by_rule": by_rule,
            "phases": {phase: statistics.median(seconds) for phase, seconds in phases.items()},
            "records": {fid: len(form.records) for fid, form in run.forms.items()},
            "problems": [p.workbook for p in run.problems]}


def run_read(folder: Path) -> dict:
    """isms_xl's reader alone on every workbook (what check_folder does before any rule)."""
    from isms_xl.check import find_workbooks
    from isms_xl.config import load_config
    from isms_xl.reader import read_workbook

    config = load_config(folder)
    rss_imports = peak_rss_mb()
    clock = Clock()
    for _ in range(REPEAT):
        with clock:
            for path in find_workbooks(folder):
                read_workbook(path, config)
    return {**clock.result(), "rss_imports": rss_imports}


METHODS = {"calamine": run_calamine, "read": run_read, "check": run_check}


def child(method: str, folder: str) -> None:
    result = METHODS[method](Path(folder))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result, ensure_ascii=False))


def measure(method: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", method, str(folder)], capture_output=True, text=True,
                         encoding="utf-8")
    if out.returncode != 0:
        sys.exit(f"{method} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    assets, risks, plans = TOTALS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "isms"
        t = time.perf_counter()
        build_folder(folder, assets, risks, plans)
        size = sum(p.stat().st_size for p in workbooks(folder)) / 1e6
        print(f"built the folder: {len(workbooks(folder))} workbooks, {size:.1f} MB, {assets:,} assets / {risks:,} risks / "
              f"{plans:,} plans and the demo's other forms, in {time.perf_counter() - t:.1f} s; "
              f"median of {REPEAT} runs per method, each method in its own process")
        cal = measure("calamine", folder)
        read = measure("read", folder)
        chk = measure("check", folder)
        recs = chk["records"]
        print(f"records read: B-01 {recs.get('B-01', 0):,}, B-02 {recs.get('B-02', 0):,}, B-03 {recs.get('B-03', 0):,}, "
              f"all forms {sum(recs.values()):,}; {cal['cells']:,} cells in {cal['files']} files; "
              f"findings {chk['findings']}; problems {chk['problems'] or 'none'}")
        print(f"findings by rule: {', '.join(f'{k} {v}' for k, v in sorted(chk['by_rule'].items()))}")
        print(f"load average when done: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        print(f"{'':44} {'wall':>8} {'CPU':>8} {'peak RSS':>9} {'(imports)':>10}")
        for name, r in (("bare python-calamine read, every sheet", cal), ("  isms_xl read_workbook alone, every file", read),
                        ("isms_xl check_folder (read + all rules)", chk)):
            print(f"{name:44} {r['time']:7.2f}s {r['cpu']:7.2f}s {r['peak_rss_mb']:7.0f}MB {r['rss_imports']:8.0f}MB")
        print(f"  of the check: reading (two workbooks at a time) {chk['phases']['read']:.2f}s, "
              f"the rules {chk['phases']['rules']:.2f}s")
        for label, key in (("wall", "time"), ("CPU", "cpu")):
            ratio = chk[key] / cal[key]
            print(f"{label:4}: check / bare read = {ratio:.2f}x (target ≤ 1.5x: {'met' if ratio <= 1.5 else 'NOT met'}); "
                  f"reader alone / bare read = {read[key] / cal[key]:.2f}x")
        # The folder most offices have: the demo's, a few dozen rows a form. There the time is the
        # per-file work (the safety preflight, identifying the form), not the rows.
        from isms_xl.demo import generate_demo

        demo = Path(tmp) / "demo"
        generate_demo(demo, as_of=AS_OF)
        small_cal, small_chk = measure("calamine", demo), measure("check", demo)
        print(f"the demo folder ({small_cal['files']} workbooks of a few dozen rows): check "
              f"{small_chk['time'] * 1000:.0f} ms, bare read {small_cal['time'] * 1000:.0f} ms "
              f"({small_chk['time'] / small_cal['time']:.1f}x)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
