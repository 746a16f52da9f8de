"""B-21 内部監査員登録台帳 — internal auditor register (manual §7.2, §9.2)."""

from isms_xl.forms._columns import date, dept, enum, ident, person, text
from isms_xl.schema import Approver, FormSpec, Layout

VALID, EXPIRED = "有効", "失効"

SPEC = FormSpec(
    form_id="B-21",
    ja="内部監査員登録台帳",
    en="Internal auditor register",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§7.2, §9.2",
    columns=(
        ident("auditor_id", "監査員ID", "Auditor ID", synonyms=("監査員番号", "登録番号", "監査員No", "No", "Auditor No"), width=9),
        person("name", "氏名", "Name", synonyms=("監査員名", "監査員氏名", "名前", "Full name"), width=12),
        dept("department", "所属部門", "Department", synonyms=("所属", "部門", "部署", "Dept"), width=11),
        text("training", "研修修了", "Training completed",
             synonyms=("修了研修", "研修名", "受講研修", "内部監査員研修", "Training"), width=22),
        date("trained_on", "修了日", "Completed on", synonyms=("研修修了日", "受講日", "修了年月日", "Training date"), width=11),
        date("registered_on", "登録日", "Registered on", synonyms=("登録年月日", "任命日", "Registration date"), width=11),
        date("valid_until", "有効期限", "Valid until", synonyms=("有効期間", "登録期限", "資格有効期限", "Expiry", "Expires"), width=11),
        enum("status", "状態", "Status", (VALID, EXPIRED),
             synonyms=("登録状態", "資格状態", "ステータス", "Active"),
             aliases=((VALID, ("登録中", "有効中", "valid", "active")), (EXPIRED, ("期限切れ", "抹消", "登録抹消", "expired", "inactive"))),
             width=8),
    ),
)
