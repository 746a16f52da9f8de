"""B-15 機密保持誓約書 — confidentiality pledge (manual: Annex A 6.1, 6.5, 6.6)."""

from isms_xl.forms._columns import date, enum, ident, long_text, person, text
from isms_xl.schema import Approver, FormSpec, Layout

JOINING, LEAVING, CONTRACTOR = "入社時", "退職時", "委託先要員"

PLEDGE_TEXT = """\
代表取締役社長 殿

私は、貴社の業務に従事するにあたり（退職時にあっては退職にあたり）、次の事項を誓約いたします。

1. 業務上知り得た貴社及び顧客・取引先の機密情報（個人情報を含む）を、業務の目的以外に使用せず、\
在職中も退職後も第三者に開示又は漏えいしません。
2. 貴社の情報セキュリティ基本方針及び関連する規程・手順を遵守し、情報資産を適切に取り扱います。
3. 機密情報を含む書類、電子データ及び記録媒体を、許可なく複製し、又は社外へ持ち出しません。
4. 退職時又は業務終了時には、貴社から貸与された機器、書類、記録媒体その他の情報資産を速やかに返却し、\
手元に残る機密情報の複製を消去します。
5. 情報セキュリティ上の事故やその疑いを知ったときは、直ちに上長又はISMS事務局に報告します。
6. 本誓約に違反して貴社に損害を与えたときは、法令及び就業規則等に基づく責任を負うことを承諾します。
"""

SPEC = FormSpec(
    form_id="B-15",
    ja="機密保持誓約書",
    en="Confidentiality pledge",
    layout=Layout.CARD,
    approver=Approver.PRESIDENT,
    clause="Annex A 6.1, 6.5, 6.6",
    body_text=PLEDGE_TEXT,
    columns=(
        ident("pledge_id", "誓約ID", "Pledge ID", synonyms=("誓約書番号", "誓約番号", "管理番号", "No", "Pledge No"), width=14),
        # Checked against the staff list (XREF-090); a 委託先要員 is not on it, hence a warning at most.
        person("name", "氏名", "Name", synonyms=("誓約者", "誓約者氏名", "名前", "Full name", "Signatory"), width=18),
        # Text, not a checked department: a 委託先要員 belongs to the contractor's company.
        text("department", "所属", "Department", synonyms=("所属部門", "部門", "部署", "所属会社", "Dept"), width=18),
        enum("kind", "区分", "Kind", (JOINING, LEAVING, CONTRACTOR),
             synonyms=("誓約区分", "種別", "提出時期", "Type", "Occasion"),
             aliases=((JOINING, ("入社", "採用時", "着任時", "joining", "on joining")),
                      (LEAVING, ("退職", "退社時", "離任時", "leaving", "on leaving")),
                      (CONTRACTOR, ("委託先", "委託先従業員", "派遣社員", "外部要員", "contractor"))),
             width=12),
        date("signed_on", "誓約日", "Signed on", synonyms=("署名日", "提出日", "誓約年月日", "Date signed"), width=14),
        long_text("body", "誓約事項", "Pledge", synonyms=("誓約内容", "誓約文", "本文", "Terms", "Undertakings"),
                  rule="the pledge text from the template", width=60),
        text("signature", "署名", "Signature", synonyms=("署名欄", "自署", "署名・捺印", "記名押印", "Signed"), width=18),
    ),
)
