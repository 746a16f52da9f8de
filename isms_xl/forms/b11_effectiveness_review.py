"""B-11 ISMSの有効性レビュー実施結果表 — ISMS effectiveness review, the §9.1 table (manual §9.1)."""

from isms_xl.forms._columns import date, dept, enum, ident, long_text, person, text
from isms_xl.schema import Approver, FormSpec, Layout

# The four monitoring subjects of the manual's §9.1 table; each is evaluated every February.
OBJECTIVES, CONTROLS, ISMS, SUPPLIERS = "設定したセキュリティ目標", "管理策の有効性", "ISMSの有効性", "供給者のパフォーマンス"
SUBJECTS = (OBJECTIVES, CONTROLS, ISMS, SUPPLIERS)

SPEC = FormSpec(
    form_id="B-11",
    ja="ISMSの有効性レビュー実施結果表",
    en="ISMS effectiveness review",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§9.1",
    columns=(
        ident("review_id", "レビューID", "Review ID", synonyms=("レビュー番号", "レビューNo", "No", "Review No"), width=9),
        enum("subject", "監視・測定対象", "Subject", SUBJECTS,
             synonyms=("監視測定対象", "測定対象", "対象", "評価対象", "Monitored subject"),
             aliases=((OBJECTIVES, ("セキュリティ目標", "情報セキュリティ目標", "目標", "security objectives")),
                      (CONTROLS, ("管理策", "管理策の有効性評価", "control effectiveness")),
                      (ISMS, ("ISMS", "ISMS有効性", "ISMS effectiveness")),
                      # The manual's own table writes 供給業者 (supplier); 委託先 is the forms' word.
                      (SUPPLIERS, ("供給業者のパフォーマンス", "供給者", "委託先のパフォーマンス", "supplier performance"))),
             width=18),
        long_text("method", "分析・評価方法", "Analysis and evaluation method",
                  synonyms=("評価方法", "分析方法", "分析評価方法", "Method"), width=22),
        text("monitored_when", "監視及び測定の実施時期", "When monitored",
             synonyms=("実施時期", "監視・測定の実施時期", "測定時期", "Monitoring frequency"), width=12),
        text("evaluated_when", "結果の分析及び評価の時期", "When evaluated",
             synonyms=("評価時期", "分析・評価の時期", "分析及び評価の時期", "Evaluation timing"), width=12),
        dept("department", "担当部門", "Department",
             synonyms=("担当部門(実施者)", "実施者", "担当", "部門", "Responsible department"), width=12),
        long_text("result", "結果", "Result", synonyms=("評価結果", "レビュー結果", "分析・評価結果", "Findings"), width=30),
        date("evaluated_on", "評価日", "Evaluated on", synonyms=("レビュー日", "実施日", "評価年月日", "Evaluation date"), width=11),
        person("evaluator", "評価者", "Evaluator", synonyms=("レビュー実施者", "評価担当", "Reviewed by", "Evaluated by"), width=12),
    ),
)
