"""Internal audit (§9.2): B-21 auditors, B-20 the plans of the previous and the current fiscal
year, B-22 their checklists, B-23 their reports, and B-24 actions for the nonconformities.

The current year's audit is always over by the as-of date (it ends five days before it, or on the
first day of the fiscal year early in April), so "audited in the fiscal year" has the same answer
for every as-of date.

Clean records: no auditor audits their own department (XREF-110); every auditor is registered and
valid on the audit day, registrations run three years (XREF-111); every department is audited in
each year (XREF-112); each nonconforming checklist item is a report finding (XREF-113) whose
corrective action exists (XREF-114)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.corrective import EXTERNAL_AUDIT, INTERNAL_AUDIT, new_corrective
from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.names import ADMIN, DEPARTMENTS, SALES, TECH

CRITERIA = "JIS Q 27001:2023（ISO/IEC 27001:2022）、ISMSマニュアル、情報セキュリティ対策基準（ISMS-A-04）"
TRAINING = "ISO/IEC 27001:2022 内部監査員研修（2日間）修了"

COMMON = (
    ("箇条5.2", "情報セキュリティ基本方針が周知され、理解されているか", "インタビュー", "部門員3名への聞き取り、掲示物"),
    ("箇条7.2", "必要な教育を受講し、記録が残っているか", "記録確認", "教育訓練実施報告書（ISMS-B-09）"),
    ("箇条6.1.2", "部門の情報資産とリスクが最新化されているか", "記録確認", "情報資産台帳、リスクアセスメント結果表"),
    ("A.5.15", "アクセス権限が業務上の必要範囲に限定されているか", "記録確認", "アクセス権限一覧、棚卸し記録"),
    ("A.7.7", "クリアデスク・クリアスクリーンが守られているか", "現場確認", "執務エリアの巡回"),
)
BY_DEPARTMENT = {
    SALES: (("A.5.14", "顧客への情報送付時に宛先確認と暗号化を行っているか", "記録確認", "送信ログ、誤送信防止ツールの設定"),
            ("A.6.7", "テレワーク時の規程を守っているか", "インタビュー", "営業担当者2名への聞き取り"),
            ("A.8.1", "営業用端末が暗号化され、紛失時の手順が周知されているか", "現場確認", "端末の暗号化状態、手順書")),
    TECH: (("A.8.25", "開発標準に従いセキュアな開発を行っているか", "記録確認", "設計レビュー記録、静的解析結果"),
           ("A.8.33", "テストに顧客の本番データを使用していないか", "記録確認", "テストデータ作成記録、匿名化手順"),
           ("A.8.32", "変更管理手順に従って本番環境を変更しているか", "記録確認", "変更申請・承認記録"),
           ("A.8.13", "バックアップを取得し、復旧テストを行っているか", "記録確認", "バックアップログ、復旧テスト記録")),
    ADMIN: (("A.5.34", "特定個人情報を手順どおりに取り扱っているか", "記録確認", "取扱記録、保管庫の施錠"),
            ("A.5.19", "委託先を評価し、記録しているか", "記録確認", "委託先管理台帳、評価表"),
            ("A.7.2", "入退室管理票が記入・確認されているか", "記録確認", "入退室管理票（ISMS-B-14）"),
            ("A.6.1", "採用時に経歴確認と誓約書の取得を行っているか", "記録確認", "採用記録、機密保持誓約書")),
}
MINOR, OBSERVATION = "軽微な不適合", "観察事項"
# department with a minor nonconformity / an observation, per year (previous, current)
FINDINGS = ({MINOR: TECH, OBSERVATION: SALES}, {MINOR: ADMIN, OBSERVATION: TECH})


def build_auditors(data: DemoData) -> dict[str, list[Rec]]:
    """Auditors by department (valid ones), plus one whose registration lapsed and who audits no one."""
    cal, rng, org = data.cal, data.rng, data.org
    picks = [(TECH, org.workers(TECH)[3]), (TECH, org.workers(TECH)[4]), (TECH, org.workers(TECH)[5]),
             (ADMIN, org.workers(ADMIN)[4]), (ADMIN, org.office[0]), (SALES, org.workers(SALES)[3])]
    by_dept: dict[str, list[Rec]] = {}
    for n, (dept, name) in enumerate(picks, start=1):
        trained = cal.ago(rng.randint(540, 1000))
        registered = trained + dt.timedelta(days=rng.randint(10, 20))
        rec = Rec("auditor_id", auditor_id=f"AU-{n:02d}", name=name, department=dept, training=TRAINING, trained_on=trained,
                  registered_on=registered, valid_until=registered + dt.timedelta(days=3 * 365), status="有効")
        data.records("B-21").append(rec)
        by_dept.setdefault(dept, []).append(rec)
    lapsed = org.workers(SALES)[4]
    trained = cal.ago(rng.randint(1800, 1900))
    data.records("B-21").append(Rec(
        "auditor_id", auditor_id=f"AU-{len(picks) + 1:02d}", name=lapsed, department=SALES, training=TRAINING,
        trained_on=trained, registered_on=trained + dt.timedelta(days=14), valid_until=trained + dt.timedelta(days=14 + 3 * 365),
        status="失効"))
    return by_dept


def audit_window(data: DemoData, years_back: int) -> tuple[dt.date, dt.date]:
    cal = data.cal
    end = max(cal.ago(5), cal.fy_start(cal.fy))
    start = max(end - dt.timedelta(days=45), cal.fy_start(cal.fy))
    shift = dt.timedelta(days=364 * years_back)  # 364: stays inside the earlier fiscal year
    return start - shift, end - shift


def build_audits(data: DemoData) -> None:
    auditors = build_auditors(data)
    for years_back in (1, 0):
        _audit(data, auditors, years_back)
    # The certification body's surveillance audit found one minor nonconformity too.
    new_corrective(data, EXTERNAL_AUDIT, "サーベイランス審査 指摘No.1", data.cal.ago(data.rng.randint(200, 240)),
                   data.org.heads[TECH],
                   nonconformity="退職者1名のVPNアカウントが退職後2週間有効なままだった",
                   cause="人事からシステム管理者への退職連絡が口頭で行われ、記録が残らなかった",
                   correction="当該アカウントを削除し、アクセスログに不審な接続がないことを確認した",
                   action="退職時チェックリストにアカウント削除を追加し、人事システムから自動通知する")


def _audit(data: DemoData, auditors: dict[str, list[Rec]], years_back: int) -> None:
    cal, org = data.cal, data.org
    start, end = audit_window(data, years_back)
    fy = cal.fiscal_year(end)
    # Auditors from another department only: 営業 by 技術, 技術 by 管理 and 営業, 管理 by 技術.
    teams = {SALES: [auditors[TECH][0]], TECH: [auditors[ADMIN][0], auditors[SALES][0]], ADMIN: [auditors[TECH][1]]}
    lead = auditors[ADMIN][0]
    span = (end - start).days
    plan = Rec("audit_id", audit_id=f"IA-{fy}", fiscal_year=f"{fy}年度",
               objective="ISMSが規格要求事項及び当社の規定に適合し、有効に実施・維持されているかを確認する",
               criteria=CRITERIA, lead=lead["name"], approved_by=org.manager)
    plan["schedule"] = [
        {"audit_on": start + dt.timedelta(days=span * k // 2), "department": dept,
         "scope": "箇条4〜10、" + "、".join(q[0] for q in BY_DEPARTMENT[dept]), "auditor_ids": list(teams[dept]),
         "auditees": f"{org.heads[dept]}（部門長）、{org.promoters[dept]}（推進委員）"}
        for k, dept in enumerate(DEPARTMENTS)
    ]
    data.records("B-20").append(plan)

    findings = FINDINGS[1 - years_back]
    items: list[Rec] = []
    for dept in DEPARTMENTS:
        for ref, question, method, evidence in COMMON + BY_DEPARTMENT[dept]:
            items.append(Rec("item_id", item_id=None, audit_id=plan, department=dept, reference=ref, question=question,
                             method=method, evidence=evidence, verdict="適合"))
    data.records("B-22").extend(items)
    reported = min(end + dt.timedelta(days=3), cal.as_of)
    report = Rec("audit_id", audit_id=plan, reported_on=reported, lead=lead["name"],
                 summary="全体としてISMSは適切に運用されている。軽微な不適合1件について是正処置を求める", findings=[])
    for n, (category, dept) in enumerate(findings.items(), start=1):
        item = [i for i in items if i["department"] == dept][-1]
        text = (f"{item['question'].rstrip('か')}ことを確認できない記録があった" if category == MINOR
                else f"{item['question'].rstrip('か')}が、運用の定着に改善の余地がある")
        item.update(verdict=category, finding=text)
        add_finding(data, report, item, category, text, n)
    data.records("B-23").append(report)


def add_finding(data: DemoData, report: Rec, item: Rec | None, category: str, text: str, n: int,
                corrective: bool = True) -> dict:
    """A report finding on a checklist item; nonconformities get a corrective action unless
    ``corrective`` is False (the XREF-114 defect)."""
    org = data.org
    fy = report["audit_id"]["audit_id"].split("-")[1]
    finding_id = f"IA{fy}-{n:02d}"
    nonconformity = category in ("重大な不適合", MINOR)
    row = {"finding_id": finding_id, "department": item["department"], "category": category, "description": text,
           "basis": item["reference"], "checklist_item_ids": [item],
           "action_required": "要" if nonconformity else "不要"}
    if nonconformity and corrective:
        row["corrective_id"] = [new_corrective(
            data, INTERNAL_AUDIT, finding_id, report["reported_on"], org.heads[item["department"]],
            nonconformity=text, cause="手順の周知が不十分で、担当者により運用に差があった",
            correction="不備のあった記録を補完した", action="手順書を改訂し、部門内で再教育を実施する")]
    report["findings"].append(row)
    return row


def number_checklists(data: DemoData) -> None:
    counters: dict[str, int] = {}
    for item in data.records("B-22"):
        fy = item["audit_id"]["audit_id"].split("-")[1]
        counters[fy] = counters.get(fy, 0) + 1
        item["item_id"] = f"CL{fy}-{counters[fy]:02d}"
