"""B-10 管理策測定評価表 — control effectiveness measurement (manual §9.1)."""

from isms_xl.expr import Ref, Verdict
from isms_xl.forms._columns import controls, date, enum, ident, long_text, notes, number, person, text
from isms_xl.schema import Approver, FormSpec, Layout

ACHIEVED, NOT_ACHIEVED = "達成", "未達"

SPEC = FormSpec(
    form_id="B-10",
    ja="管理策測定評価表",
    en="Control effectiveness measurement",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§9.1",
    columns=(
        ident("measure_id", "測定ID", "Measurement ID", synonyms=("測定番号", "測定No", "No", "Measurement No"), width=9),
        controls("control_id", "管理策番号", "Control", single=True,
                 synonyms=("管理策", "管理策No", "管理策ID", "対象管理策", "Control ID"), width=11),
        text("metric", "測定項目", "Metric", synonyms=("測定指標", "指標", "評価項目", "Measure", "KPI"), width=24),
        long_text("method", "測定方法", "Method", synonyms=("測定手段", "評価方法", "算出方法", "How measured"), width=24),
        number("target", "目標値", "Target", synonyms=("目標", "基準値", "Target value", "Goal"), width=9),
        number("actual", "実績値", "Actual", synonyms=("実績", "測定値", "測定結果", "Actual value", "Result"), width=9),
        enum("achieved", "達成", "Achieved", (ACHIEVED, NOT_ACHIEVED),
             computed=Verdict(Ref("actual"), ">=", Ref("target"), ACHIEVED, NOT_ACHIEVED),
             synonyms=("達成状況", "達成度", "判定", "達成可否", "Achievement"),
             rule="達成 when actual ≥ target (assumes higher is better; blank unless both are numbers)", width=8),
        date("evaluated_on", "評価日", "Evaluated on", synonyms=("測定日", "評価年月日", "Evaluation date"), width=11),
        person("evaluator", "評価者", "Evaluator", synonyms=("測定者", "評価担当", "担当者", "Evaluated by"), width=12),
        notes(width=20),
    ),
)
