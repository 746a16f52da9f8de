"""B-16 個人情報取扱いに関する同意書 — consent to personal-data handling (manual: Annex A 5.34)."""

from isms_xl.forms._columns import date, enum, ident, long_text, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Layout

AGREE, DISAGREE = "同意する", "同意しない"

SPEC = FormSpec(
    form_id="B-16",
    ja="個人情報取扱いに関する同意書",
    en="Consent to personal-data handling",
    layout=Layout.CARD,
    approver=Approver.PRESIDENT,
    clause="Annex A 5.34",
    columns=(
        ident("consent_id", "同意ID", "Consent ID", synonyms=("同意書番号", "同意番号", "管理番号", "No", "Consent No"), width=14),
        # The data subject may be an applicant, a customer or a staff member: plain text, not a
        # person checked against the staff list.
        text("name", "氏名", "Name", synonyms=("同意者", "同意者氏名", "本人氏名", "Full name", "Data subject"), width=18),
        date("consented_on", "同意日", "Consented on", synonyms=("同意年月日", "署名日", "提出日", "Date of consent"), width=14),
        date("withdrawn_on", "撤回日", "Withdrawn on", synonyms=("同意撤回日", "撤回年月日", "Withdrawal date"), width=14),
        text("signature", "署名", "Signature", synonyms=("署名欄", "自署", "署名・捺印", "記名押印", "Signed"), width=18),
    ),
    tables=(
        EmbeddedTable(
            "purposes", "利用目的", "Purposes of use",
            columns=(
                long_text("purpose", "利用目的", "Purpose", synonyms=("目的", "利用の目的", "個人情報の利用目的", "Purpose of use"), width=50),
                # Per-purpose consent, as Japanese consent forms print a check box per purpose.
                enum("agreed", "同意", "Agreed", (AGREE, DISAGREE),
                     synonyms=("同意欄", "同意有無", "同意の有無", "Consent"),
                     aliases=((AGREE, ("同意", "○", "〇", "☑", "✓", "はい", "yes")),
                              (DISAGREE, ("不同意", "×", "いいえ", "no"))),
                     width=10),
            ),
            rows=6,
        ),
    ),
)
