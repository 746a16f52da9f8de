"""B-14 入退室管理票(外部・従業員) — entry/exit log for visitors and staff (manual: Annex A 7.2)."""

from isms_xl.forms._columns import date, enum, ident, person, text, time_
from isms_xl.schema import Approver, FormSpec, Layout

EXTERNAL, STAFF = "外部", "従業員"

SPEC = FormSpec(
    form_id="B-14",
    ja="入退室管理票(外部・従業員)",
    en="Entry and exit log",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="Annex A 7.2",
    columns=(
        # forms.md gives the log no id, but every table form is keyed by its first column and
        # findings must name a row that survives sorting and inserted rows; a paper log's
        # line number serves the same purpose (e.g. 2026-04-01-01).
        ident("entry_id", "記録ID", "Entry ID", synonyms=("記録番号", "No", "番号", "連番", "Entry No"), width=9),
        date("entry_on", "日付", "Date", synonyms=("入室日", "年月日", "来訪日", "Entry date"), width=11),
        # A visitor is not on the staff list, so this is plain text, not a checked person.
        text("name", "氏名", "Name", synonyms=("名前", "来訪者名", "入室者氏名", "Full name", "Visitor"), width=14),
        text("organisation", "所属・会社名", "Organisation",
             synonyms=("会社名", "所属", "所属会社", "所属部署", "Company"), width=18),
        enum("kind", "区分", "Kind", (EXTERNAL, STAFF),
             synonyms=("入室者区分", "種別", "外部/従業員", "Category", "Type"),
             aliases=((EXTERNAL, ("外部者", "社外", "来訪者", "訪問者", "visitor", "external")),
                      (STAFF, ("社員", "社内", "従業者", "職員", "staff", "employee"))),
             width=8),
        time_("entered_at", "入室時刻", "Entered", synonyms=("入室時間", "入室", "入館時刻", "Time in"), width=8),
        time_("left_at", "退室時刻", "Left", synonyms=("退室時間", "退室", "退館時刻", "Time out"),
              rule="≥ 入室時刻", width=8),
        text("purpose", "目的", "Purpose", synonyms=("入室目的", "来訪目的", "用件", "Reason for visit"), width=20),
        person("escort", "立会者", "Escort", synonyms=("立会人", "同行者", "案内者", "応対者", "Host"),
               rule="required for 外部", width=12),
        text("badge", "入館証番号", "Badge No", synonyms=("入館証No", "入館証", "カード番号", "ゲストカード番号", "Badge"), width=9),
    ),
)
