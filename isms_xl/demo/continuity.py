"""Business continuity: B-05 processes, B-06 plans, B-07 plan tests (Annex A 5.29, 5.30).

Clean records: RTO ≤ MTPD; every process with a BC risk ≥ 6 names a plan, and every plan lists the
processes that name it (XREF-040); every plan passed a test within the last 300 days, and the one
failed test names its corrective action (XREF-041)."""

from __future__ import annotations

from isms_xl.demo.corrective import PROCESS, new_corrective
from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.names import ADMIN, MAIL_DOMAIN, SALES, TECH

# process, impact, likelihood, MTPD, RTO, RPO (hours), dependent asset names, measures, plan keys
PROCESSES = (
    ("受託開発プロジェクトの遂行", 3, 2, 72, 48, 24, ("Gitサーバ（GitLab）", "開発用ノートPC"),
     "開発環境のクラウドバックアップ、在宅勤務での継続", ("dev", "quake")),
    ("パッケージ製品の保守サポート", 3, 2, 24, 8, 24, ("保守契約顧客情報", "CRMサービス（クラウド）", "問い合わせ対応履歴"),
     "サポート一次受付の委託先との相互バックアップ", ("support",)),
    ("SaaS版製品の提供", 3, 2, 8, 4, 1, ("パッケージ製品SaaS基盤（IaaS）", "製品ライセンス認証サーバ"),
     "別リージョンへの切替手順、日次スナップショット", ("ransom",)),
    ("ソースコード管理・ビルド基盤の運用", 3, 2, 48, 24, 24, ("Gitサーバ（GitLab）", "CI/CDサーバ（Jenkins）", "ビルドサーバ"),
     "リポジトリのクラウドミラー、ビルド手順書", ("dev", "ransom")),
    ("ライセンスキーの発行", 2, 2, 48, 24, 24, ("ライセンス発行台帳", "製品ライセンス認証サーバ"),
     "手動発行手順の整備", ("support",)),
    ("ハードウェア試作・検証", 2, 1, 168, 120, 24, ("評価ボード・試作機", "検証ラボ"), "協力会社ラボの利用", ()),
    ("受注・契約管理", 2, 1, 120, 72, 24, ("受注データ", "電子契約サービス"), "紙の注文書による暫定運用", ()),
    ("請求・入金管理", 2, 2, 120, 72, 24, ("会計データ", "請求・入金データ"), "クラウド会計への在宅アクセス", ("quake",)),
    ("給与計算・支払", 3, 1, 72, 48, 24, ("給与データ", "給与計算代行サービス"), "代行会社による前月データでの仮計算", ("quake",)),
    ("社内メール・ファイル共有", 3, 2, 24, 8, 24, ("Microsoft 365（メール・ファイル共有）", "ファイルサーバ"),
     "クラウドへの一本化、携帯電話による連絡網", ("quake", "ransom")),
    ("製品の出荷（ハードウェア）", 2, 1, 120, 72, 24, ("受注データ",), "物流委託先からの直送", ()),
)

# key, name, trigger, owner department, alternative, steps (description, target time)
PLANS = (
    ("dev", "開発基盤停止時の事業継続計画", "Gitサーバ・CI/CDサーバが障害により4時間以上復旧しない場合", TECH,
     "クラウド上のミラーリポジトリと予備ビルド環境へ切り替え、開発を継続する",
     (("障害の検知と影響範囲の確認、ISMS管理責任者への報告", "発動後30分以内"),
      ("ミラーリポジトリへの接続切替を全メンバーへ周知", "発動後2時間以内"),
      ("予備ビルド環境の起動と動作確認", "発動後8時間以内"),
      ("本番環境の復旧とミラーからの差分反映", "発動後24時間以内"))),
    ("support", "保守サポート窓口の事業継続計画", "本社の電話・メール窓口が停止し、1時間以内に復旧の見込みがない場合", SALES,
     "サポート一次受付委託先の窓口へ全件転送し、技術部門は在宅で二次対応を行う",
     (("窓口停止の確認と委託先への転送依頼", "発動後30分以内"),
      ("顧客向けWebサイトに障害のお知らせを掲載", "発動後1時間以内"),
      ("在宅の保守担当者による二次対応体制の確立", "発動後4時間以内"),
      ("窓口復旧後の受付履歴の統合", "当日中"))),
    ("quake", "大規模地震等による本社被災時の事業継続計画", "本社所在地で震度6弱以上、又は本社への立入りが禁止された場合", ADMIN,
     "全従業員の在宅勤務へ移行し、クラウドサービスで業務を継続する",
     (("従業員の安否確認（安否確認サービス）", "発動後3時間以内"),
      ("対策本部の設置と優先業務の決定", "発動後6時間以内"),
      ("在宅勤務への移行とVPN・クラウドの稼働確認", "発動後24時間以内"),
      ("顧客・委託先への状況連絡", "発動後48時間以内"),
      ("給与支払・請求業務の代替手順による実施", "各締日まで"))),
    ("ransom", "ランサムウェア感染時の復旧計画", "EDR又は利用者の報告によりランサムウェア感染が確認された場合", TECH,
     "感染端末・サーバを隔離し、オフラインバックアップから復旧する",
     (("感染端末のネットワーク隔離と証拠保全", "発見後15分以内"),
      ("ISMS管理責任者・社長への報告と対策本部の設置", "発見後1時間以内"),
      ("感染範囲の特定とバックアップの健全性確認", "発見後4時間以内"),
      ("オフラインバックアップからの復旧", "発見後24時間以内"),
      ("個人情報保護委員会・顧客への報告要否の判断", "発見後3日以内"))),
)


def build_continuity(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    assets = {a["name"]: a for a in data.records("B-01")}
    processes = []
    for i, (name, impact, likelihood, mtpd, rto, rpo, deps, measures, _) in enumerate(PROCESSES, start=1):
        processes.append(Rec("process_id", process_id=f"BC-{i:02d}", process=name, impact=impact, likelihood=likelihood,
                             mtpd_hours=mtpd, rto_hours=rto, rpo_hours=rpo, assets=[assets[d] for d in deps],
                             measures=measures, plan_id=[]))
    data.records("B-05").extend(processes)

    plans = {}
    for i, (key, name, trigger, dept, alternative, steps) in enumerate(PLANS, start=1):
        covered = [p for p, spec in zip(processes, PROCESSES) if key in spec[8]]
        owner = org.heads[dept] if dept != ADMIN else org.manager
        members = org.workers(dept)
        plan = Rec("plan_id", plan_id=f"BCP-{i:02d}", process_ids=covered, trigger=trigger, owner=owner,
                   alternative=f"{alternative}（{name}）", rto_hours=min(p["rto_hours"] for p in covered),
                   updated_on=cal.ago(rng.randint(30, 200)))
        plan["recovery_steps"] = [
            {"step_no": n, "description": text, "assignee": owner if n == 1 else rng.choice(members), "target_time": when}
            for n, (text, when) in enumerate(steps, start=1)
        ]
        plan["contacts"] = [
            {"role": "ISMS管理責任者", "name": org.manager, "phone": "090-0000-1001", "email": f"isms-manager@{MAIL_DOMAIN}"},
            {"role": "計画責任者", "name": owner, "phone": "090-0000-1002", "email": f"bcp-{key}@{MAIL_DOMAIN}"},
            {"role": "社長", "name": org.president, "phone": "090-0000-1000", "email": f"president@{MAIL_DOMAIN}"},
            {"role": "保守委託先", "name": "株式会社ネットガード サポートセンター", "phone": "03-0000-2200",
             "email": "support@netguard.example"},
        ]
        for p in covered:
            p["plan_id"].append(plan)
        plans[key] = plan
        data.records("B-06").append(plan)
    _tests(data, list(plans.values()))


def _tests(data: DemoData, plans: list[Rec]) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    methods = ("机上訓練", "機能テスト", "全体訓練")
    tests = []
    for n, plan in enumerate(plans):
        for days in (rng.randint(30, 280), rng.randint(400, 700)):
            target = plan["rto_hours"]
            tests.append(Rec("test_id", test_id=None, plan_id=[plan], tested_on=cal.ago(days), method=methods[n % 3],
                             target_rto_hours=target, actual_hours=round(target * rng.uniform(0.5, 0.95), 1),
                             issues="手順どおりに復旧できた。連絡網の一部に古い番号があり更新した" if days < 365 else "特になし",
                             tester=plan["owner"]))
    failed_plan = plans[-1]
    day = cal.ago(rng.randint(420, 520))
    corrective = new_corrective(
        data, PROCESS, f"BCPテスト {failed_plan['plan_id']}（{day:%Y/%m/%d}実施）", day, org.heads[TECH],
        nonconformity="ランサムウェア復旧訓練で、オフラインバックアップからの復旧が目標復旧時間を超過した",
        cause="復旧手順書がバックアップ装置の更新に追随しておらず、手順の確認に時間を要した",
        correction="手順書を現行装置に合わせて改訂した", action="装置更新時に手順書の改訂を必須とする変更管理手順を追加した")
    tests.append(Rec("test_id", test_id=None, plan_id=[failed_plan], tested_on=day, method="機能テスト",
                     target_rto_hours=failed_plan["rto_hours"], actual_hours=failed_plan["rto_hours"] + 2.5,
                     issues="復旧手順書が現行のバックアップ装置に対応していなかった", corrective_id=[corrective],
                     tester=failed_plan["owner"]))
    tests.sort(key=lambda t: t["tested_on"])
    data.records("B-07").extend(tests)


def number_tests(data: DemoData) -> None:
    records = data.records("B-07")
    records.sort(key=lambda t: t["tested_on"])
    for i, rec in enumerate(records, start=1):
        rec["test_id"] = f"BT-{i:03d}"
