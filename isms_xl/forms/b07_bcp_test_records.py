"""B-07 事業継続計画テスト結果記録 — BCP test records (manual: Annex A 5.30)."""

from isms_xl.expr import Ref, Verdict
from isms_xl.forms._columns import date, enum, ident, ids, long_text, number, person
from isms_xl.schema import Approver, FormSpec, Layout

PASS, FAIL = "合格", "不合格"
METHODS = ("机上訓練", "機能テスト", "全体訓練")

SPEC = FormSpec(
    form_id="B-07",
    ja="事業継続計画テスト結果記録",
    en="BCP test records",
    layout=Layout.TABLE,
    approver=Approver.PRESIDENT,
    clause="Annex A 5.30",
    columns=(
        ident("test_id", "テストID", "Test ID", synonyms=("テスト番号", "訓練ID", "訓練番号", "No", "Test No"), width=9),
        ids("plan_id", "計画ID", "Plan ID", ref="B-06",
            synonyms=("事業継続計画ID", "BCP ID", "対象計画", "計画番号", "BC plan"), width=10),
        date("tested_on", "実施日", "Tested on", synonyms=("テスト実施日", "訓練実施日", "実施年月日", "Test date"), width=11),
        enum("method", "方法", "Method", METHODS,
             synonyms=("テスト方法", "訓練方法", "実施方法", "訓練種別", "Test type"),
             aliases=(("机上訓練", ("机上", "机上演習", "机上テスト", "tabletop", "tabletop exercise")),
                      ("機能テスト", ("機能訓練", "部分訓練", "functional test", "functional exercise")),
                      ("全体訓練", ("総合訓練", "全社訓練", "full-scale", "full-scale exercise", "full test"))),
             width=10),
        number("target_rto_hours", "目標復旧時間", "Target RTO (hours)", minimum=0,
               synonyms=("目標復旧時間(時間)", "RTO", "目標時間", "Target RTO"), rule="hours", width=9),
        number("actual_hours", "実績復旧時間", "Actual recovery time (hours)", minimum=0,
               synonyms=("実績復旧時間(時間)", "復旧時間", "実績時間", "所要時間", "Actual recovery time"), rule="hours", width=9),
        enum("result", "結果", "Result", (PASS, FAIL),
             computed=Verdict(Ref("actual_hours"), "<=", Ref("target_rto_hours"), PASS, FAIL),
             synonyms=("判定", "テスト結果", "評価", "合否", "Outcome"), rule="合格 when actual ≤ target", width=8),
        long_text("issues", "課題", "Issues", synonyms=("問題点", "課題・改善点", "改善点", "Findings", "Lessons learned"), width=28),
        ids("corrective_id", "是正ID", "Corrective action ID", ref="B-24",
            synonyms=("是正処置ID", "是正番号", "是正処置番号", "Corrective action"), rule="required when 不合格", width=10),
        person("tester", "実施責任者", "Test lead", synonyms=("責任者", "実施者", "テスト責任者", "訓練責任者", "Responsible"), width=12),
    ),
)
