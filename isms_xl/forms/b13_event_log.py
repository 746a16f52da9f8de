"""B-13 情報セキュリティ事象記録簿 — security event log (manual §9.1.1)."""

from isms_xl.forms._columns import date, enum, ident, ids, long_text, person
from isms_xl.schema import Approver, FormSpec, Layout

INCIDENT, NOT_INCIDENT = "該当", "非該当"

SPEC = FormSpec(
    form_id="B-13",
    ja="情報セキュリティ事象記録簿",
    en="Security event log",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§9.1.1",
    columns=(
        ident("event_id", "事象ID", "Event ID", synonyms=("事象番号", "事象No", "記録番号", "No", "Event No"), width=9),
        date("recorded_on", "記録日", "Recorded on", synonyms=("記入日", "発生日", "記録年月日", "Date"), width=11),
        person("recorder", "記録者", "Recorded by", synonyms=("記入者", "報告者", "IS推進委員", "ISMS推進委員", "Recorder"),
               rule="an ISMS推進委員 (§9.1.1 (2))", width=12),
        long_text("description", "事象の内容", "Event",
                  synonyms=("内容", "事象", "気づき事項", "事象内容", "Description"), width=34),
        enum("is_incident", "インシデント該当", "Incident?", (INCIDENT, NOT_INCIDENT),
             synonyms=("インシデント該当有無", "インシデント判定", "インシデント", "該当有無", "Is incident"),
             aliases=((INCIDENT, ("該当する", "○", "〇", "有", "はい", "yes", "y")),
                      (NOT_INCIDENT, ("該当しない", "×", "無", "いいえ", "-", "no", "n"))),
             width=10),
        ids("incident_id", "インシデントID", "Incident ID", ref="B-12", single=True,
            synonyms=("インシデント番号", "インシデントNo", "インシデント報告書番号", "Incident No"),
            rule="required when 該当", width=11),
        long_text("response", "対応結果", "Response", synonyms=("対応内容", "対応", "処置結果", "Action taken"),
                  rule="§9.1.1 (4)", width=28),
        long_text("improvement", "改善提案", "Improvement", synonyms=("改善案", "改善点", "提案", "Suggestion"), width=24),
    ),
)
