"""B-01 情報資産台帳 — information asset register (manual §6.1.2)."""

from isms_xl.expr import MaxOf
from isms_xl.forms._columns import date, dept, enum, ident, level, notes, person, text
from isms_xl.schema import Approver, FormSpec, Layout

CATEGORIES = ("電子データ", "紙媒体", "ソフトウェア", "ハードウェア", "ネットワーク", "サービス", "人", "施設", "その他")
IN_USE, DISPOSED = "使用中", "廃棄済"

SPEC = FormSpec(
    form_id="B-01",
    ja="情報資産台帳",
    en="Information asset register",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§6.1.2",
    columns=(
        ident("asset_id", "資産ID", "Asset ID", synonyms=("資産番号", "資産No", "管理番号", "Asset No", "Asset number"), width=10),
        text("name", "資産名", "Asset", required=True, synonyms=("情報資産名", "資産の名称", "名称", "Asset name", "Name"), width=26),
        enum("category", "分類", "Category", CATEGORIES, required=True, synonyms=("資産分類", "種別", "種類", "Type", "Asset type"), width=12),
        dept("department", "管理部門", "Department", required=True, synonyms=("部門", "所管部門", "担当部門", "部署", "Dept"), width=11),
        person("owner", "管理責任者", "Owner", required=True, synonyms=("資産管理者", "資産所有者", "責任者", "オーナー", "Asset owner"), width=12),
        text("location", "保管場所", "Location", synonyms=("保存場所", "所在", "設置場所", "Storage"), width=16),
        text("users", "利用者範囲", "Users", synonyms=("利用者", "利用範囲", "アクセス範囲", "User scope"), width=14),
        level("confidentiality", "機密性", "Confidentiality", required=True, synonyms=("C", "機密性(C)", "Conf"), width=7),
        level("integrity", "完全性", "Integrity", required=True, synonyms=("I", "完全性(I)", "Int"), width=7),
        level("availability", "可用性", "Availability", required=True, synonyms=("A", "可用性(A)", "Avail"), width=7),
        level("value", "資産価値", "Asset value", computed=MaxOf(("confidentiality", "integrity", "availability")),
              synonyms=("重要度", "資産の重要度", "Value", "Criticality"), rule="max(C, I, A)", width=8),
        enum("personal_data", "個人情報", "Personal data", ("有", "無"), synonyms=("個人情報の有無", "個人情報含む", "PII"),
             aliases=(("有", ("あり", "有り", "yes", "y", "○")), ("無", ("なし", "無し", "no", "n", "-"))), width=8),
        text("retention", "保管期限", "Retention", synonyms=("保存期間", "保管期間", "保存期限"), width=10),
        text("disposal", "廃棄方法", "Disposal", synonyms=("廃棄手順", "処分方法", "Disposal method"), width=14),
        date("registered_on", "登録日", "Registered", synonyms=("登録年月日", "作成日", "Registered on"), width=11),
        date("reviewed_on", "最終見直し日", "Last reviewed", synonyms=("見直し日", "最終更新日", "更新日", "Reviewed on"),
             rule="warning when older than 12 months", width=11),
        enum("status", "状態", "Status", (IN_USE, DISPOSED), synonyms=("ステータス", "使用状況", "状況"),
             aliases=((IN_USE, ("利用中", "稼働中", "in use", "active")), (DISPOSED, ("廃棄", "廃棄済み", "disposed", "retired"))),
             rule="default 使用中", width=8),
        notes(width=20),
    ),
)
