"""B-26 情報セキュリティ目標管理表 — information security objectives (manual §6.2, §9.1)."""

from isms_xl.expr import LastOf, Ref, Verdict
from isms_xl.forms._columns import date, dept, enum, ident, long_text, number, text
from isms_xl.schema import Approver, FormSpec, Layout

ACHIEVED, NOT_ACHIEVED = "達成", "未達"
MONTHLY = "monthly"

# The fiscal year runs April – March (method.md "Fiscal year"); actuals are recorded every month (§9.1).
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December")

MONTH_COLUMNS = tuple(
    number(f"m{m:02d}", f"{m}月", _EN_MONTHS[m - 1], group=MONTHLY,
           synonyms=(f"{m}月実績", f"{m:02d}月", f"実績({m}月)", _EN_FULL[m - 1]), width=6)
    for m in FISCAL_MONTHS
)

SPEC = FormSpec(
    form_id="B-26",
    ja="情報セキュリティ目標管理表",
    en="Information security objectives",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§6.2, §9.1",
    columns=(
        ident("objective_id", "目標ID", "Objective ID", synonyms=("目標番号", "目標No", "No", "Objective No"), width=8),
        long_text("objective", "情報セキュリティ目標", "Objective",
                  synonyms=("目標", "セキュリティ目標", "目的", "目標内容", "Security objective"), width=28),
        text("metric", "指標", "Metric", synonyms=("評価指標", "測定指標", "KPI", "管理指標", "Indicator"), width=18),
        number("target", "目標値", "Target", synonyms=("目標数値", "基準値", "Target value", "Goal"), width=8),
        dept("department", "担当部門", "Department", synonyms=("担当", "部門", "主管部門", "実施部門", "Dept"), width=11),
        *MONTH_COLUMNS,
        enum("achievement", "達成状況", "Achievement", (ACHIEVED, NOT_ACHIEVED),
             computed=Verdict(LastOf(MONTHLY), ">=", Ref("target"), ACHIEVED, NOT_ACHIEVED),
             synonyms=("達成", "達成度", "達成可否", "進捗", "Status"),
             rule="latest monthly actual ≥ target (assumes higher is better)", width=9),
        long_text("evaluation", "評価", "Evaluation", synonyms=("年度評価", "評価結果", "2月評価", "所見", "Annual evaluation"),
                  rule="the February evaluation (§9.1)", width=26),
        date("evaluated_on", "評価日", "Evaluated on", synonyms=("評価年月日", "評価実施日", "Evaluation date"), width=11),
    ),
)
