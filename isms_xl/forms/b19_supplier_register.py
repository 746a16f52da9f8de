"""B-19 委託先管理台帳 — supplier register (manual: Annex A 5.19 – 5.22)."""

from isms_xl.forms._columns import date, dept, enum, ident, ids, text
from isms_xl.schema import Approver, FormSpec, Layout

SIGNED, NOT_SIGNED = "締結済", "未締結"
ACTIVE, ENDED = "取引中", "取引終了"
CERTIFICATIONS = ("ISMS", "Pマーク", "なし", "その他")

SPEC = FormSpec(
    form_id="B-19",
    ja="委託先管理台帳",
    en="Supplier register",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="Annex A 5.19 – 5.22",
    columns=(
        ident("supplier_id", "委託先ID", "Supplier ID", synonyms=("委託先番号", "委託先No", "取引先ID", "No", "Supplier No"), width=9),
        text("name", "委託先名", "Supplier", synonyms=("委託先", "会社名", "取引先名", "業者名", "Supplier name", "Vendor"), width=22),
        text("service", "委託業務", "Service", synonyms=("委託内容", "委託業務内容", "業務内容", "Outsourced service", "Scope of work"), width=22),
        ids("assets", "取扱う情報資産", "Assets handled", ref="B-01",
            synonyms=("取り扱う情報資産", "取扱情報資産", "情報資産", "資産ID", "Assets"), width=14),
        date("contract_on", "契約日", "Contract date", synonyms=("契約締結日", "契約開始日", "取引開始日", "Contract start"), width=11),
        date("contract_end_on", "契約終了日", "Contract end", synonyms=("契約期限", "契約満了日", "契約期間満了日", "Contract end date"), width=11),
        enum("nda", "機密保持契約", "NDA", (SIGNED, NOT_SIGNED),
             synonyms=("NDA", "秘密保持契約", "機密保持契約締結", "Non-disclosure agreement"),
             aliases=((SIGNED, ("締結", "締結済み", "済", "有", "○", "〇", "yes", "signed")),
                      (NOT_SIGNED, ("未", "無", "なし", "×", "no", "not signed"))),
             width=9),
        enum("subcontracting", "再委託", "Subcontracting", ("有", "無"),
             synonyms=("再委託の有無", "再委託有無", "再委託先", "Subcontractors"),
             aliases=(("有", ("あり", "有り", "○", "〇", "yes", "y")), ("無", ("なし", "無し", "×", "-", "no", "n"))),
             width=8),
        enum("certification", "認証", "Certification", CERTIFICATIONS,
             synonyms=("取得認証", "認証取得", "認証取得状況", "第三者認証", "Certificates"),
             aliases=(("ISMS", ("ISO27001", "ISO/IEC 27001", "ISO 27001", "ISMS認証", "ISMS(ISO27001)")),
                      ("Pマーク", ("プライバシーマーク", "P-mark", "PMS", "Privacy Mark")),
                      ("なし", ("無", "無し", "未取得", "-", "none")),
                      ("その他", ("other",))),
             width=10),
        ids("initial_evaluation_id", "初回評価ID", "Initial evaluation ID", ref="B-17", single=True,
            synonyms=("新規評価ID", "初回評価番号", "新規委託先評価ID", "Initial evaluation"), width=10),
        date("last_evaluated_on", "最新継続評価日", "Last periodic evaluation", derived_from=("B-18",),
             synonyms=("最新評価日", "継続評価日", "最終評価日", "Last evaluated"),
             rule="the latest B-18 evaluation date of this supplier", width=11),
        dept("department", "担当部門", "Department", synonyms=("管理部門", "主管部門", "部門", "Dept"), width=11),
        enum("status", "状態", "Status", (ACTIVE, ENDED),
             synonyms=("取引状況", "取引状態", "ステータス", "Active"),
             aliases=((ACTIVE, ("取引継続", "継続", "契約中", "active")), (ENDED, ("終了", "契約終了", "取引停止", "ended", "inactive"))),
             width=9),
    ),
)
