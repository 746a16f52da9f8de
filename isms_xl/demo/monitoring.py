"""Monitoring and measurement (§9.1): B-10 control measurements, B-11 effectiveness reviews and
B-26 security objectives with monthly actuals.

Clean records: B-10 measures only controls the SoA applies (XREF-060); every §9.1 subject is
reviewed in B-11 at each of the last two Februaries (XREF-061, whichever fiscal year a checker
counts); B-26 has an actual for every month of the fiscal year up to and including the as-of
month, so whether the running month counts as elapsed does not matter (XREF-062). All metrics are
"higher is better", as the 達成 formulas assume."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec, number
from isms_xl.demo.dates import DAY, add_months
from isms_xl.demo.names import ADMIN, SALES, TECH
from isms_xl.forms.b11_effectiveness_review import CONTROLS, ISMS, OBJECTIVES, SUPPLIERS
from isms_xl.forms.b26_security_objectives import FISCAL_MONTHS

# control, metric, method, target, lowest actual
METRICS = (
    ("5.15", "アクセス権棚卸しの実施率(%)", "四半期の棚卸し対象システム数に対する実施数", 100, 100),
    ("8.8", "重要パッチの期限内適用率(%)", "資産管理ツールで四半期末時点の適用状況を集計", 95, 91),
    ("8.13", "バックアップ成功率(%)", "バックアップジョブのログを集計", 99, 98),
    ("8.7", "EDR稼働率(%)", "EDR管理コンソールで稼働端末数を集計", 100, 97),
    ("6.3", "情報セキュリティ教育の受講率(%)", "教育訓練実施報告書（ISMS-B-09）から集計", 100, 96),
    ("7.2", "入退室記録の記入率(%)", "入退室管理票とICカードログを突合", 98, 96),
    ("5.24", "インシデント初動報告の期限内率(%)", "事象記録簿（ISMS-B-13）で発見から報告までの時間を確認", 100, 100),
    ("8.5", "多要素認証の適用率(%)", "IdP管理画面で対象アカウント数に対する適用数を集計", 100, 94),
)
# Measured once, in the latest quarter only: the SoA row of this control is the one the XREF-010
# defect deletes, so exactly one B-10 row points at a control the SoA lacks (XREF-060).
SELF_CHECK = ("5.36", "規程遵守状況の自己点検実施率(%)", "部門ごとの自己点検票の回収数を集計", 100, 100)

SUBJECT_TEXT = {
    OBJECTIVES: ("情報セキュリティ目標管理表（ISMS-B-26）の月次実績と目標値の比較", "毎月",
                 "目標{n}件中{m}件を達成。未達の目標は原因を分析し次年度の計画に反映する"),
    CONTROLS: ("管理策測定評価表（ISMS-B-10）の測定結果の分析", "四半期ごと",
               "測定{n}項目中{m}項目で目標を達成。未達項目は是正の要否を判断した"),
    ISMS: ("内部監査結果、インシデント、是正処置の状況を総合的に評価", "随時",
           "ISMSは意図した成果を達成しており有効。内部監査の指摘はすべて是正中又は是正済み"),
    SUPPLIERS: ("委託先継続評価表（ISMS-B-18）の評価結果と事故の有無を確認", "年1回（委託先ごと）",
                "評価対象の委託先はすべて継続。1社は条件付継続とし改善計画の提出を求めた"),
}

OBJECTIVE_LIST = (
    ("情報セキュリティ教育の受講率100%を維持する", "受講率(%)", 100, ADMIN, 96),
    ("重要なセキュリティパッチを公開から14日以内に適用する", "期限内適用率(%)", 95, TECH, 90),
    ("バックアップからの復旧テストを毎月成功させる", "復旧テスト成功率(%)", 100, TECH, 100),
    ("不審メールを受信した従業員の報告率を80%以上にする", "報告率(%)", 80, ADMIN, 72),
    ("メール誤送信防止ツールの適用率100%を維持する", "適用率(%)", 100, SALES, 97),
    ("委託先の継続評価を期限内に実施する", "期限内実施率(%)", 100, ADMIN, 100),
    ("営業用端末のディスク暗号化率100%を維持する", "暗号化率(%)", 100, SALES, 100),
    ("入退室記録の記入率98%以上を維持する", "記入率(%)", 98, ADMIN, 95),
)


def _quarter_ends(data: DemoData, count: int) -> list[dt.date]:
    """The last ``count`` quarter ends whose measurement (ten days later) is done by the as-of date."""
    ends = []
    day = data.cal.month_start
    while len(ends) < count:
        if day.month in (4, 7, 10, 1):
            end = day - DAY
            if end + dt.timedelta(days=10) <= data.cal.as_of:
                ends.append(end)
        day = add_months(day, -1)
    return ends


def _actual(rng, target: float, lowest: float) -> float:
    if lowest >= target or rng.random() < 0.7:
        return float(target if lowest >= target else round(rng.uniform(target, min(100, target + 3)), 1))
    return round(rng.uniform(lowest, target - 0.1), 1)


def build_measurements(data: DemoData) -> None:
    rng, org = data.rng, data.org
    rows = data.records("B-10")
    evaluators = [org.office[0], org.office[1], org.manager]
    for q, end in enumerate(reversed(_quarter_ends(data, 2))):
        metrics = METRICS + ((SELF_CHECK,) if q == 1 else ())
        for control, metric, method, target, lowest in metrics:
            rows.append(Rec("measure_id", measure_id=None, control_id=control, metric=metric, method=method,
                            target=target, actual=_actual(rng, target, lowest),
                            evaluated_on=end + dt.timedelta(days=rng.randint(5, 10)), evaluator=rng.choice(evaluators),
                            notes=f"{end:%Y年%m月}末時点"))
    number(rows, lambda i, _: f"M-{i:02d}")


def build_reviews(data: DemoData) -> None:
    rng, org = data.rng, data.org
    rows = data.records("B-11")
    for day in reversed(data.cal.last_februaries(2)):
        for subject, (method, monitored, result) in SUBJECT_TEXT.items():
            n = rng.randint(6, 9)
            rows.append(Rec("review_id", review_id=None, subject=subject, method=method, monitored_when=monitored,
                            evaluated_when="毎年2月", department=ADMIN,
                            result=result.format(n=n, m=n - rng.randint(0, 2)), evaluated_on=day, evaluator=org.manager))


def number_reviews(data: DemoData) -> None:
    number([r for r in data.records("B-11") if r is not None], lambda i, r: f"ER-{r['evaluated_on']:%Y}-{i:02d}")


def build_objectives(data: DemoData) -> None:
    cal, rng = data.cal, data.rng
    months = cal.fy_months(cal.fy)
    elapsed = {m.month for m in months if m <= cal.month_start}
    february = dt.date(cal.fy + 1, 2, 1)
    for i, (objective, metric, target, dept, lowest) in enumerate(OBJECTIVE_LIST, start=1):
        rec = Rec("objective_id", objective_id=f"O-{cal.fy}-{i:02d}", objective=objective, metric=metric, target=target,
                  department=dept)
        for m in FISCAL_MONTHS:
            rec[f"m{m:02d}"] = _actual(rng, target, lowest) if m in elapsed else None
        if cal.as_of >= february:
            rec["evaluation"] = "年間を通じて概ね目標を達成。次年度も同じ目標で継続する"
            rec["evaluated_on"] = min(february + dt.timedelta(days=9), cal.as_of)
        data.records("B-26").append(rec)


def build_monitoring(data: DemoData) -> None:
    build_measurements(data)
    build_reviews(data)
    build_objectives(data)
