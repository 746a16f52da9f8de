"""B-04 法的要求事項登録簿 — legal and regulatory requirements register (manual §4.2; Annex A 5.31)."""

from isms_xl.forms._columns import controls, date, enum, ident, long_text, notes, person, text
from isms_xl.schema import Approver, FormSpec, Layout

COMPLIED, IN_PROGRESS, NOT_COMPLIED = "対応済", "対応中", "未対応"

SPEC = FormSpec(
    form_id="B-04",
    ja="法的要求事項登録簿",
    en="Legal and regulatory requirements register",
    layout=Layout.TABLE,
    approver=Approver.PRESIDENT,
    clause="§4.2; Annex A 5.31",
    columns=(
        ident("req_id", "登録ID", "Entry ID", synonyms=("登録番号", "登録No", "No", "管理番号", "Entry No"), width=9),
        text("law", "法令・規制名", "Law or regulation", required=True,
             synonyms=("法令名", "法令等", "法規制", "規制名", "Law", "Regulation"), width=24),
        text("authority", "所管", "Authority", synonyms=("所管官庁", "所管省庁", "監督官庁", "Regulator"), width=12),
        text("clause", "該当条項", "Relevant articles", synonyms=("条項", "該当条文", "関連条項", "Article", "Section"), width=12),
        long_text("requirement", "要求事項の概要", "Requirement", required=True,
                  synonyms=("要求事項", "要求内容", "概要", "Requirement summary", "Obligation"), width=32),
        text("scope", "対象業務", "Affected operations", synonyms=("対象", "適用業務", "関連業務", "Scope", "Applies to"), width=16),
        enum("status", "対応状況", "Compliance status", (COMPLIED, IN_PROGRESS, NOT_COMPLIED),
             synonyms=("遵守状況", "順守状況", "状況", "Status", "Compliance"),
             aliases=((COMPLIED, ("対応済み", "済", "遵守", "順守", "compliant", "done")),
                      (IN_PROGRESS, ("対応予定", "in progress", "partially compliant")),
                      (NOT_COMPLIED, ("未", "未対応(要対応)", "non-compliant", "not started"))),
             width=9),
        controls("controls", "関連管理策", "Related controls",
                 synonyms=("管理策", "管理策番号", "対応管理策", "Controls", "Annex A controls"), width=14),
        person("responsible", "担当", "Responsible", synonyms=("担当者", "責任者", "確認者", "Owner"), width=12),
        date("checked_on", "最終確認日", "Last checked", synonyms=("確認日", "最終確認年月日", "Checked on", "Last reviewed"), width=11),
        date("next_check_on", "次回確認予定日", "Next check due",
             synonyms=("次回確認日", "次回確認予定", "次回見直し日", "Next review", "Next check"),
             rule="error when past", width=11),
        notes(width=20),
    ),
)
