"""B-27 リスク一覧表 — risks and opportunities from the context (manual §4.1, §4.2, §6.1.1)."""

from isms_xl.forms._columns import controls, date, enum, ident, ids, long_text, notes, person
from isms_xl.schema import Approver, FormSpec, Layout

SOURCES = ("外部の課題", "内部の課題", "利害関係者の要求事項")

SPEC = FormSpec(
    form_id="B-27",
    ja="リスク一覧表",
    en="Risks and opportunities",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§4.1, §4.2, §6.1.1",
    columns=(
        ident("item_id", "項目ID", "Item ID", synonyms=("項目番号", "No", "Item No"), width=9),
        enum("source", "区分", "Source", SOURCES, required=True, synonyms=("課題区分", "分類", "Category"),
             aliases=(("外部の課題", ("外部", "external issue")), ("内部の課題", ("内部", "internal issue")),
                      ("利害関係者の要求事項", ("利害関係者", "interested parties"))), width=14),
        long_text("issue", "課題・要求事項", "Issue or requirement", required=True, synonyms=("課題", "要求事項", "Issue"), width=26),
        enum("kind", "種別", "Kind", ("リスク", "機会"), required=True, synonyms=("リスク/機会", "Type"),
             aliases=(("リスク", ("risk",)), ("機会", ("opportunity",))), width=7),
        long_text("description", "内容", "Description", required=True, synonyms=("リスク・機会の内容", "Description of risk"), width=28),
        long_text("action", "対処する活動", "Action", required=True, synonyms=("対応策", "取組み", "Planned action"),
                  rule="§6.1.1 (4)", width=26),
        ids("related_risks", "関連リスクID", "Related risks", ref="B-02", synonyms=("リスクID", "Risk IDs"), width=14),
        controls("related_controls", "関連管理策", "Related controls", synonyms=("管理策", "Controls"), width=14),
        person("responsible", "担当", "Responsible", required=True, synonyms=("担当者", "責任者", "Owner"), width=12),
        long_text("effectiveness", "有効性評価", "Effectiveness", synonyms=("有効性の評価", "評価結果", "Effectiveness review"),
                  rule="§6.1.1 (6)", width=22),
        date("evaluated_on", "評価日", "Evaluated on", synonyms=("有効性評価日", "Evaluation date"), width=11),
        notes(width=18),
    ),
)
