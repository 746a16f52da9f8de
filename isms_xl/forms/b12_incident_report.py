"""B-12 セキュリティインシデント報告書 — security incident report (manual: Annex A 5.24 – 5.28)."""

from isms_xl.forms._columns import date, datetime_, enum, ident, ids, long_text, person
from isms_xl.schema import Approver, FormSpec, Layout

HIGH, MEDIUM, LOW = "高", "中", "低"
OPEN, CLOSED = "対応中", "完了"

SPEC = FormSpec(
    form_id="B-12",
    ja="セキュリティインシデント報告書",
    en="Security incident report",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="Annex A 5.24 – 5.28",
    columns=(
        ident("incident_id", "インシデントID", "Incident ID",
              synonyms=("インシデント番号", "インシデントNo", "報告書番号", "管理番号", "Incident No"), width=14),
        datetime_("occurred_at", "発生日時", "Occurred at", synonyms=("発生日", "発生時刻", "発生年月日時", "Occurred"), width=18),
        datetime_("detected_at", "発見日時", "Detected at", synonyms=("発見日", "検知日時", "認知日時", "Detected"), width=18),
        datetime_("reported_at", "報告日時", "Reported at", synonyms=("報告日", "第一報日時", "連絡日時", "Reported"), width=18),
        person("reporter", "報告者", "Reported by", synonyms=("発見者", "第一報告者", "報告者名", "Reporter"), width=16),
        ids("assets", "影響を受けた資産", "Affected assets", ref="B-01",
            synonyms=("対象資産", "影響資産", "関連資産", "資産ID", "Assets affected"), width=24),
        long_text("description", "内容", "Description",
                  synonyms=("インシデントの内容", "事象の内容", "概要", "発生内容", "Details"), width=50),
        enum("severity", "重大度", "Severity", (HIGH, MEDIUM, LOW),
             synonyms=("重要度", "影響度", "レベル", "深刻度", "Impact level"),
             aliases=((HIGH, ("大", "重大", "H", "high", "3")), (MEDIUM, ("M", "medium", "2")), (LOW, ("小", "軽微", "L", "low", "1"))),
             width=8),
        long_text("containment", "応急処置", "Containment",
                  synonyms=("初動対応", "暫定処置", "応急対応", "Immediate action", "Initial response"), width=50),
        long_text("cause", "原因", "Cause", synonyms=("発生原因", "原因分析", "根本原因", "Root cause"), width=50),
        long_text("prevention", "再発防止策", "Preventive measures",
                  synonyms=("再発防止", "恒久対策", "再発防止対策", "Prevention", "Corrective measures"), width=50),
        ids("corrective_id", "是正ID", "Corrective action ID", ref="B-24",
            synonyms=("是正処置ID", "是正番号", "是正処置番号", "Corrective action"), rule="required when 重大度 高", width=14),
        ids("event_id", "事象ID", "Event ID", ref="B-13",
            synonyms=("事象番号", "事象記録ID", "関連事象ID", "Event No"), width=14),
        enum("status", "状況", "Status", (OPEN, CLOSED),
             synonyms=("対応状況", "進捗", "ステータス", "Progress"),
             aliases=((OPEN, ("未完了", "調査中", "open", "in progress")), (CLOSED, ("完了済", "済", "終了", "closed", "done"))),
             width=10),
        date("closed_on", "完了日", "Closed on", synonyms=("対応完了日", "終結日", "クローズ日", "Closure date"), width=12),
    ),
)
