"""B-17 新規委託先評価表 — new supplier evaluation (manual: Annex A 5.19, 5.20)."""

from isms_xl.expr import Product, Ref, Setting, SumOf, Verdict
from isms_xl.forms._columns import date, enum, ident, ids, integer, long_text, person, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Layout

PASS, FAIL = "合格", "不合格"

# The eight default criteria and their maximum points (100 in all). Certification, the NDA,
# the management structure and incident response weigh most: they are what Annex A 5.19/5.20
# ask of a supplier agreement; the rest are evidence of day-to-day practice.
DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    ("情報セキュリティ認証の取得状況", 15),
    ("機密保持契約の締結", 15),
    ("管理体制・責任者", 15),
    ("従業員教育", 10),
    ("再委託先の管理", 10),
    ("事故発生時の対応", 15),
    ("物理的セキュリティ", 10),
    ("技術的対策", 10),
)

SPEC = FormSpec(
    form_id="B-17",
    ja="新規委託先評価表",
    en="New supplier evaluation",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="Annex A 5.19, 5.20",
    columns=(
        ident("evaluation_id", "評価ID", "Evaluation ID", synonyms=("評価番号", "評価No", "管理番号", "No", "Evaluation No"), width=14),
        ids("supplier_id", "委託先ID", "Supplier ID", ref="B-19", single=True,
            synonyms=("委託先番号", "委託先No", "取引先ID", "Supplier No"), width=14),
        date("evaluated_on", "評価日", "Evaluated on", synonyms=("評価年月日", "実施日", "Evaluation date"), width=14),
        integer("total", "合計点", "Total score", computed=SumOf("criteria.score"),
                synonyms=("合計", "総合点", "評価合計", "得点合計", "Total"), rule="sum of 評価点", width=10),
        enum("verdict", "判定", "Verdict", (PASS, FAIL),
             computed=Verdict(Ref("total"), ">=", Product(Setting("b17_pass_ratio"), SumOf("criteria.max_points")), PASS, FAIL),
             synonyms=("評価結果", "合否", "合否判定", "総合判定", "Result"),
             rule="合格 when the total ≥ 70 % of the maximum (setting b17_pass_ratio)", width=10),
        person("evaluator", "評価者", "Evaluator", synonyms=("評価担当者", "担当者", "評価実施者", "Evaluated by"), width=16),
        person("approver", "承認者", "Approved by", synonyms=("承認", "承認者名", "決裁者", "Approver"), width=16),
    ),
    tables=(
        EmbeddedTable(
            "criteria", "評価項目", "Criteria",
            columns=(
                text("item", "評価項目", "Criterion", synonyms=("項目", "評価基準", "評価内容", "Item"), width=30),
                integer("max_points", "配点", "Max points", minimum=0, synonyms=("満点", "最高点", "配点(点)", "Weight", "Maximum"), width=8),
                integer("score", "評価点", "Score", minimum=0, synonyms=("得点", "点数", "評点", "Points"),
                        rule="0 … 配点", width=8),
                long_text("remarks", "所見", "Remarks", synonyms=("コメント", "評価コメント", "確認内容", "根拠", "Comments"), width=40),
            ),
            rows=len(DEFAULT_CRITERIA),
            # Item and max points are pre-filled; numbers stay numbers so SUM counts them.
            default_rows=DEFAULT_CRITERIA,
        ),
    ),
)
