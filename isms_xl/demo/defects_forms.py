"""Cross-form defects outside the risk core and the SoA (XREF-007, XREF-020 … XREF-131), one
record each; a defect that needs a record of its own (an event, an incident, a checklist item, a
schedule row) adds one that is clean apart from the defect."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.audit import MINOR, add_finding
from isms_xl.demo.corrective import EXTERNAL_AUDIT, INCIDENT
from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.incidents import new_event, new_incident
from isms_xl.demo.names import ADMIN, SALES, TECH
from isms_xl.demo.seeds import CONFIG, HEADER, Seed, Targets
from isms_xl.forms.b11_effectiveness_review import SUPPLIERS


def seed_context_and_compliance(data: DemoData, targets: Targets) -> list[Seed]:
    cal, rng = data.cal, data.rng
    seeds: list[Seed] = []
    items = data.live("B-27")
    item = targets.pick(items)
    item["related_controls"] = item["related_controls"] + ["5.38"]
    seeds.append(Seed("XREF-007", "B-27", "管理策 5.38 は附属書A（2022）にない", "Control 5.38 is not in Annex A (2022)",
                      item, "related_controls"))
    item = targets.pick([i for i in items if i["related_risks"]])
    item["related_risks"] = item["related_risks"] + ["R-999"]
    seeds.append(Seed("XREF-020", "B-27", "関連リスクID R-999 がリスクアセスメント結果表にない",
                      "Related risk R-999 is not in B-02", item, "related_risks"))
    item = targets.pick(items)
    item["evaluated_on"] = cal.ago(420 + rng.randint(0, 40))
    seeds.append(Seed("XREF-021", "B-27", "有効性評価が12か月以上行われていない", "No effectiveness evaluation for more than 12 months",
                      item, "evaluated_on"))

    laws = data.live("B-04")
    law = targets.take(next(r for r in laws if r["law"] == "電波法"))
    law["next_check_on"] = cal.ago(10 + rng.randint(0, 20))
    seeds.append(Seed("XREF-030", "B-04", "次回確認予定日を過ぎている", "次回確認予定日 (next check) is past", law, "next_check_on"))
    law = targets.take(next(r for r in laws if r["status"] == "対応中"))
    law.update(status="未対応", controls=[])
    seeds.append(Seed("XREF-031", "B-04", "未対応の要求事項に関連管理策がない", "Requirement 未対応 with no related control",
                      law, "controls"))

    process = targets.pick([p for p in data.live("B-05") if not p["plan_id"]])
    process["rto_hours"] = process["mtpd_hours"] + 24
    seeds.append(Seed("XREF-040", "B-05", "目標復旧時間が最大許容停止時間を超えている", "RTO exceeds the MTPD", process, "rto_hours"))

    plan = next(p for p in data.live("B-06") if p["plan_id"] == "BCP-02")
    passed = max(t["tested_on"] for t in data.live("B-07") if t["plan_id"] == [plan])
    test = targets.take(Rec("test_id", test_id=None, plan_id=[plan], tested_on=passed - dt.timedelta(days=30), method="机上訓練",
                            target_rto_hours=plan["rto_hours"], actual_hours=plan["rto_hours"] + 4,
                            issues="委託先への転送依頼の連絡先が古く、転送開始が遅れた（後日の再テストで合格）",
                            tester=plan["owner"]))
    data.records("B-07").append(test)
    seeds.append(Seed("XREF-041", "B-07", "不合格のテストに是正IDがない", "Failed test without a corrective action id",
                      test, "corrective_id"))
    return seeds


def seed_people_forms(data: DemoData, targets: Targets) -> list[Seed]:
    cal, org = data.cal, data.org
    seeds: list[Seed] = []
    previous = [c for c in data.live("B-08") if c["course_id"].startswith(f"E{cal.fy - 1}-")]
    reports = data.records("B-09")
    course = targets.pick([c for c in previous if any(r["course_id"] is c for r in reports)])
    data.forms["B-09"].records = [r for r in reports if r["course_id"] is not course]
    seeds.append(Seed("XREF-050", "B-08", "実施予定月を過ぎた教育に実施報告書がない",
                      "Course whose planned month is past has no B-09 report", course, "course_id"))

    reports = data.records("B-09")
    report = targets.pick([r for r in reports if r["target_count"] >= 20 and targets.is_free(r["course_id"])])
    if not report.get("absentees"):
        names = [s.name for s in org.staff][-2:]
        report["absentees"] = [{"name": n, "department": org.department_of(n),
                                "follow_up_on": report["held_on"] + dt.timedelta(days=21)} for n in names]
        report["attended_count"] = report["target_count"] - len(names)
    report["follow_up"] = None
    seeds.append(Seed("XREF-051", "B-09", "受講率100%未満だが未受講者へのフォローがない",
                      "Attendance below 100 % without follow-up", report, "follow_up"))

    pledges = data.records("B-15")
    senior = {org.president, org.manager, *org.heads.values(), *org.office, *org.promoters.values()}
    pledge = targets.pick([p for p in pledges if p["name"] not in senior])
    pledges.remove(pledge)
    seeds.append(Seed("XREF-090", "B-15", f"{pledge['name']}（{pledge['department']}）の入社時の機密保持誓約書がない",
                      f"Staff member {pledge['name']} has no 入社時 pledge", where=CONFIG, record_id=pledge["name"]))

    entries = data.live("B-14")
    visitor = targets.pick([e for e in entries if e["kind"] == "外部"])
    visitor["escort"] = None
    seeds.append(Seed("XREF-080", "B-14", "外部の入室者に立会者がいない", "Visitor without an escort", visitor, "escort"))
    staff = targets.pick([e for e in entries if e["kind"] == "従業員"])
    staff["left_at"] = None
    seeds.append(Seed("XREF-081", "B-14", "退室時刻の記入がない", "Entry without an exit time", staff, "left_at"))
    return seeds


def seed_monitoring(data: DemoData, targets: Targets) -> tuple[list[Seed], list[tuple[str, str, str]]]:
    """The seeds, and the rules that cannot be shown at this as-of date (with the reason)."""
    cal = data.cal
    seeds: list[Seed] = []
    skipped: list[tuple[str, str, str]] = []
    reviews = data.records("B-11")
    latest = max((r for r in reviews if r["subject"] == SUPPLIERS), key=lambda r: r["evaluated_on"])
    reviews.remove(latest)
    seeds.append(Seed("XREF-061", "B-11", f"「{SUPPLIERS}」の直近2月のレビューがない",
                      f"No review of {SUPPLIERS} (supplier performance) at the latest February", key="review_id", where=HEADER))

    if cal.as_of.month != cal.fy_start_month:
        month = (cal.as_of.month - 2) % 12 + 1  # the month before the as-of month, inside the fiscal year
        objective = targets.pick(data.live("B-26"))
        objective[f"m{month:02d}"] = None
        seeds.append(Seed("XREF-062", "B-26", f"経過した{month}月の実績が空欄", f"No actual for the elapsed month {month}",
                          objective, f"m{month:02d}"))
    else:
        skipped.append(("XREF-062", "基準日が年度の最初の月で、経過した月がない",
                        "the as-of date is in the first month of the fiscal year: no month has elapsed yet"))

    day = cal.ago(data.rng.randint(40, 200))
    event = new_event(data, day, data.org.promoters[SALES], "顧客から預かったUSBメモリが一時所在不明となった（翌日社内で発見）", None,
                      response="所在を確認し、顧客へ報告した", improvement="預かり媒体の受払記録を作成する")
    event["is_incident"] = "該当"
    targets.take(event)
    seeds.append(Seed("XREF-070", "B-13", "インシデント該当だがインシデントIDがない", "Event marked 該当 without an incident id",
                      event, "incident_id"))

    assets = {a["name"]: a for a in data.live("B-01")}
    occurred = cal.at(cal.ago(data.rng.randint(150, 250)), 15, 30)
    incident = targets.take(new_incident(
        data, occurred, "高", [assets["Microsoft 365（メール・ファイル共有）"]],
        "ファイル共有の共有リンクが「リンクを知っている全員」に設定され、設計書が社外から閲覧可能な状態だった",
        containment="共有リンクを無効化し、アクセスログで社外からの閲覧がないことを確認した",
        cause="共有リンクの既定値が組織外共有を許可していた", prevention="共有リンクの既定値を組織内に変更する", closed=True))
    seeds.append(Seed("XREF-071", "B-12", "重大度「高」だが是正IDがない", "Severity 高 without a corrective action id",
                      incident, "corrective_id"))
    low = targets.pick([i for i in data.live("B-12") if i["severity"] == "低"])
    low["assets"] = low["assets"] + ["A-902"]
    seeds.append(Seed("XREF-072", "B-12", "影響を受けた資産 A-902 が情報資産台帳にない", "Affected asset A-902 is not in B-01",
                      low, "assets"))
    return seeds, skipped


def seed_suppliers(data: DemoData, targets: Targets) -> list[Seed]:
    seeds: list[Seed] = []
    active = [s for s in data.live("B-19") if s["status"] == "取引中"]
    supplier = targets.pick(active)
    supplier["initial_evaluation_id"]["evaluated_on"] = supplier["contract_on"] + dt.timedelta(days=12)
    seeds.append(Seed("XREF-100", "B-19", "初回評価が契約日より後（契約前の評価がない）",
                      "The initial evaluation is dated after the contract", supplier, "initial_evaluation_id"))
    supplier = targets.pick(active)
    reviews = data.records("B-18")
    latest = max((r for r in reviews if r["supplier_id"] is supplier), key=lambda r: r["evaluated_on"])
    reviews.remove(latest)
    seeds.append(Seed("XREF-101", "B-19", "取引中の委託先に直近12か月の継続評価がない",
                      "Active supplier without a periodic evaluation in the last 12 months", supplier, "last_evaluated_on"))
    supplier = targets.pick(active)
    supplier["nda"] = "未締結"
    seeds.append(Seed("XREF-102", "B-19", "取引中の委託先と機密保持契約が未締結", "Active supplier with NDA 未締結", supplier, "nda"))
    supplier = targets.pick(active)
    supplier["assets"] = supplier["assets"] + ["A-903"]
    seeds.append(Seed("XREF-103", "B-19", "取扱う情報資産 A-903 が情報資産台帳にない", "Asset A-903 is not in B-01",
                      supplier, "assets"))
    return seeds


def seed_audit(data: DemoData, targets: Targets) -> list[Seed]:
    cal, org = data.cal, data.org
    seeds: list[Seed] = []
    previous, current = data.live("B-20")
    schedule = previous["schedule"]
    tech_day = next(s for s in schedule if s["department"] == TECH)
    own = next(a for a in data.live("B-21") if a["department"] == TECH and all(a not in s["auditor_ids"] for s in schedule))
    schedule.append({**tech_day, "scope": "A.8.25、A.8.28（ハードウェアチーム）", "auditor_ids": [own]})
    seeds.append(Seed("XREF-110", "B-20", f"監査員 {own['auditor_id']}（{TECH}）が自部門を監査している",
                      f"Auditor {own['auditor_id']} audits their own department", previous, f"schedule[{len(schedule) - 1}].auditor_ids"))
    admin_day = next(s for s in schedule if s["department"] == ADMIN)
    schedule.append({**admin_day, "scope": "A.5.34（特定個人情報の取扱い）", "auditor_ids": ["AU-99"]})
    seeds.append(Seed("XREF-111", "B-20", "監査員ID AU-99 が内部監査員登録台帳にない", "Auditor AU-99 is not in B-21",
                      previous, f"schedule[{len(schedule) - 1}].auditor_ids"))

    current["schedule"] = [s for s in current["schedule"] if s["department"] != SALES]
    data.forms["B-22"].records = [i for i in data.records("B-22")
                                  if not (i["audit_id"] is current and i["department"] == SALES)]
    targets.take(current)
    seeds.append(Seed("XREF-112", "B-20", f"{cal.fy}年度の内部監査で{SALES}が監査されていない",
                      f"{SALES} is not audited in fiscal year {cal.fy}", current, "fiscal_year"))

    report = next(r for r in data.live("B-23") if r["audit_id"] is current)
    item = Rec("item_id", item_id=None, audit_id=current, department=ADMIN, reference="A.5.10",
               question="情報の取扱い区分に従ってラベル付け・保管されているか", method="現場確認", evidence="共有フォルダ、キャビネット",
               verdict=MINOR, finding="機密区分の表示がない顧客資料が共有フォルダに保存されていた")
    data.records("B-22").append(targets.take(item))
    seeds.append(Seed("XREF-113", "B-22", "軽微な不適合の判定が内部監査報告書の指摘にない",
                      "Item judged 軽微な不適合 is in no B-23 finding", item, "verdict"))
    item = Rec("item_id", item_id=None, audit_id=current, department=TECH, reference="A.8.32",
               question="変更管理手順に従って本番環境を変更しているか", method="記録確認", evidence="変更申請・承認記録",
               verdict=MINOR, finding="SaaS基盤の設定変更1件に承認記録がなかった")
    data.records("B-22").append(targets.take(item))
    add_finding(data, report, item, MINOR, item["finding"], len(report["findings"]) + 1, corrective=False)
    targets.take(report)
    seeds.append(Seed("XREF-114", "B-23", "軽微な不適合の指摘に是正IDがない", "Minor nonconformity without a corrective action id",
                      report, f"findings[{len(report['findings']) - 1}].corrective_id"))

    actions = data.records("B-24")
    external = targets.take(next(a for a in actions if a["origin"] == EXTERNAL_AUDIT))
    external.update(effectiveness=None, effectiveness_checked_on=None)
    seeds.append(Seed("XREF-120", "B-24", "完了だが有効性確認がない", "完了 without an effectiveness check", external, "effectiveness"))
    incident_action = targets.pick([a for a in actions if a["origin"] == INCIDENT])
    incident_action["accepted_by"] = org.manager
    seeds.append(Seed("XREF-121", "B-24", "インシデント起因の是正処置をISMS管理責任者が受理（社長が受理すべき）",
                      "Incident-origin action accepted by the ISMS manager instead of the president", incident_action, "accepted_by"))

    reviews = data.records("B-25")
    latest = max(reviews, key=lambda r: r["held_on"])
    reviews.remove(latest)
    previous_review = max(reviews, key=lambda r: r["held_on"])
    seeds.append(Seed("XREF-130", "B-25", "直近12か月にマネジメントレビューの記録がない",
                      "No management review in the last 12 months", previous_review, "held_on"))
    oldest = min(reviews, key=lambda r: r["held_on"])
    oldest["inputs"][-1]["report"] = None
    seeds.append(Seed("XREF-131", "B-25", "インプット「継続的改善の機会」の報告内容が空欄",
                      "Input g) 継続的改善の機会 is left empty", oldest, f"inputs[{len(oldest['inputs']) - 1}].report"))
    return seeds
