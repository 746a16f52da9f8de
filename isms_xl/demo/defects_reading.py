"""Defects a reader and the recomputation find (READ-001…009, CALC-001…003), each in a column no
other rule reads, so that it gives its own finding and nothing else."""

from __future__ import annotations

from isms_xl.content import OVERRIDES, CellOverride
from isms_xl.demo.dataset import DemoData
from isms_xl.demo.seeds import BLANK_ROW, DOC, EXTRA_HEADER, HEADER, Seed, Targets
from isms_xl.schema import Approver

OLD_NUMBER = "旧管理番号"  # the user's own column in B-01 (READ-009)


def _override(record: dict, key: str, override: CellOverride) -> None:
    record.setdefault(OVERRIDES, {})[key] = override


def seed_reading(data: DemoData, targets: Targets) -> list[Seed]:
    cal = data.cal
    seeds: list[Seed] = []

    # READ-001: B-04 without its 要求事項の概要 column. No rule reads that column, so only the
    # per-row READ-002 check of it cannot run (there is no column to be blank in).
    data.forms["B-04"].omit = ("requirement",)
    seeds.append(Seed("READ-001", "B-04", "必須列「要求事項の概要」がない", "Required column 要求事項の概要 (requirement) is missing",
                      key="req_id", where=HEADER))

    plan = targets.pick(data.live("B-03"))
    plan["measure"] = None
    seeds.append(Seed("READ-002", "B-03", "必須の「具体的な対策」が空欄", "Required 具体的な対策 (measure) is blank", plan, "measure"))

    in_use = [a for a in data.live("B-01") if a["status"] == "使用中"]
    asset = targets.pick(in_use)
    bad = f"{cal.as_of.year - 2}/02/30"
    _override(asset, "registered_on", CellOverride(raw=bad))
    seeds.append(Seed("READ-003", "B-01", f"登録日「{bad}」は存在しない日付", f"登録日 (registered on) {bad!r} is not a date",
                      asset, "registered_on"))

    entries = data.live("B-14")
    dup = targets.pick([e for i, e in enumerate(entries) if i and entries[i - 1]["entry_on"] == e["entry_on"]
                        and targets.is_free(entries[i - 1])])
    earlier = targets.take(entries[entries.index(dup) - 1])
    dup["entry_id"] = earlier["entry_id"]
    seeds.append(Seed("READ-004", "B-14", f"記録ID {dup['entry_id']} が重複（2行目）",
                      f"Entry ID {dup['entry_id']} is used twice (the second row)", dup, "entry_id"))

    courses = data.records("B-08")
    before = courses[len(courses) // 2]
    courses.insert(len(courses) // 2 + 1, None)
    seeds.append(Seed("READ-005", "B-08", "データ範囲内の空白行", "Blank row inside the data range", before, where=BLANK_ROW))

    asset = targets.pick(in_use)
    _override(asset, "retention", CellOverride(formula="=NA()", formula_value="#N/A"))
    seeds.append(Seed("READ-006", "B-01", "保管期限のセルがエラー値 #N/A", "保管期限 (retention) holds the error value #N/A",
                      asset, "retention"))

    data.forms["B-07"].doc.approved_on = None
    seeds.append(Seed("READ-007", "B-07", "文書管理欄の承認日が空欄", "Document control: 承認日 (approved on) is blank",
                      key="approved_on", where=DOC))

    data.forms["B-03"].doc.approver = Approver.ISMS_MANAGER.value
    seeds.append(Seed("READ-008", "B-03", "承認者が ISMS管理責任者（§7.5.2 では 社長）",
                      "Approver is ISMS管理責任者; §7.5.2 names 社長 for B-03", key="approver", where=DOC))

    data.forms["B-01"].extra = (OLD_NUMBER,)
    for a in data.live("B-01"):
        if (cal.as_of - a["registered_on"]).days > 1500:
            a[OLD_NUMBER] = f"{a['registered_on']:%y}-{int(a['asset_id'][2:]):04d}"  # the numbering before 2021
    seeds.append(Seed("READ-009", "B-01", f"様式にない列「{OLD_NUMBER}」（そのまま保持）",
                      f"Column {OLD_NUMBER} is not in the form (kept untouched)", key=OLD_NUMBER, where=EXTRA_HEADER))
    return seeds


def seed_calc(data: DemoData, targets: Targets) -> list[Seed]:
    seeds: list[Seed] = []
    achieved = [m for m in data.live("B-10") if m["actual"] >= m["target"] and m["control_id"] != "5.36"]
    m = targets.pick(achieved)
    _override(m, "achieved", CellOverride(cached="未達"))
    seeds.append(Seed("CALC-001", "B-10", "達成の値が古い（数式は 達成 を返すがセルの値は 未達）",
                      "達成 (achieved) is stale: the formula gives 達成, the cell shows 未達", m, "achieved"))

    process = targets.pick([p for p in data.live("B-05") if not p["plan_id"]])
    _override(process, "bc_risk", CellOverride(constant=process["impact"] * process["likelihood"]))
    seeds.append(Seed("CALC-002", "B-05", "BCリスク値が数式ではなく定数（値は正しい）",
                      "BCリスク値 (BC risk) is a constant typed over the formula (its value is right)", process, "bc_risk"))

    low = [r for r in data.live("B-02") if r["treatment"] == "受容" and r["impact"] * (r["threat_level"] + r["vulnerability_level"]) <= 6
           and not isinstance(r["asset_id"], str) and r["asset_id"]["status"] == "使用中"]
    row = targets.pick(low)
    _override(row, "evaluation", CellOverride(fill_band="treat"))
    seeds.append(Seed("CALC-003", "B-02", "評価セルの塗りつぶしが赤（リスク対応）だが値は原則受容",
                      "評価 (evaluation) is filled red (treat) but the value is in the accept band", row, "evaluation"))
    return seeds
