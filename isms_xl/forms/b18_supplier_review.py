"""B-18 委託先継続評価表 — periodic supplier evaluation (manual §9.1; Annex A 5.22)."""

from isms_xl.expr import Grade, Ref, SumOf
from isms_xl.forms._columns import date, enum, ident, ids, integer, level, long_text, person, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Layout

CONTINUE, CONDITIONAL, STOP = "継続", "条件付継続", "取引停止"

# Five criteria scored 1–3, so the total runs 5–15 (the b18_grades setting's ladder).
DEFAULT_CRITERIA: tuple[tuple[str], ...] = (
    ("品質",),
    ("納期",),
    ("セキュリティ事故の有無",),
    ("契約遵守",),
    ("報告の適時性",),
)

SPEC = FormSpec(
    form_id="B-18",
    ja="委託先継続評価表",
    en="Periodic supplier evaluation",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="§9.1; Annex A 5.22",
    columns=(
        ident("evaluation_id", "評価ID", "Evaluation ID", synonyms=("評価番号", "評価No", "管理番号", "No", "Evaluation No"), width=14),
        # forms.md names no target form here; the supplier is a B-19 record (XREF-101 resolves it).
        ids("supplier_id", "委託先ID", "Supplier ID", ref="B-19", single=True,
            synonyms=("委託先番号", "委託先No", "取引先ID", "Supplier No"), width=14),
        date("evaluated_on", "評価日", "Evaluated on", synonyms=("評価年月日", "実施日", "Evaluation date"), width=14),
        text("period", "評価対象期間", "Period evaluated",
             synonyms=("対象期間", "評価期間", "期間", "Evaluation period", "Period"), width=24),
        integer("total", "合計点", "Total score", computed=SumOf("criteria.score"),
                synonyms=("合計", "総合点", "評価合計", "得点合計", "Total"), rule="sum of 評価点 (5–15)", width=10),
        enum("verdict", "判定", "Verdict", (CONTINUE, CONDITIONAL, STOP),
             computed=Grade(Ref("total"), "b18_grades", STOP),
             synonyms=("評価結果", "総合判定", "取引判定", "今後の取引", "Decision"),
             aliases=((CONTINUE, ("取引継続", "継続取引", "continue")),
                      (CONDITIONAL, ("条件付き継続", "条件付取引継続", "conditional")),
                      (STOP, ("取引中止", "停止", "中止", "terminate", "stop"))),
             rule="from the total: ≥ 12 継続, ≥ 9 条件付継続, else 取引停止 (setting b18_grades)", width=12),
        person("evaluator", "評価者", "Evaluator", synonyms=("評価担当者", "担当者", "評価実施者", "Evaluated by"), width=16),
    ),
    tables=(
        EmbeddedTable(
            "criteria", "評価項目", "Criteria",
            columns=(
                text("item", "評価項目", "Criterion", synonyms=("項目", "評価基準", "評価内容", "Item"), width=30),
                level("score", "評価点", "Score", synonyms=("得点", "点数", "評点", "評価", "Points"), rule="1–3", width=8),
                long_text("remarks", "所見", "Remarks", synonyms=("コメント", "評価コメント", "確認内容", "根拠", "Comments"), width=40),
            ),
            rows=len(DEFAULT_CRITERIA),
            default_rows=DEFAULT_CRITERIA,
        ),
    ),
)
