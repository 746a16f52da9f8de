"""B-05 事業継続リスクアセスメント — business continuity risk assessment (manual: Annex A 5.29, 5.30)."""

from isms_xl.expr import Product, Ref
from isms_xl.forms._columns import ident, ids, integer, level, long_text, notes, text
from isms_xl.schema import Approver, FormSpec, Layout

# A business process with a BC risk at or above this needs a B-06 plan (forms.md B-05 plan_id).
PLAN_REQUIRED_FROM = 6

SPEC = FormSpec(
    form_id="B-05",
    ja="事業継続リスクアセスメント",
    en="Business continuity risk assessment",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="Annex A 5.29, 5.30",
    columns=(
        ident("process_id", "業務ID", "Process ID", synonyms=("業務番号", "業務No", "プロセスID", "No", "Process No"), width=9),
        text("process", "業務名", "Business process",
             synonyms=("業務", "対象業務", "重要業務", "プロセス名", "Process", "Business process name"), width=22),
        level("impact", "停止時の影響", "Impact of disruption",
              synonyms=("停止時影響", "影響度", "事業への影響", "業務停止の影響", "Impact", "Business impact"), width=8),
        level("likelihood", "発生可能性", "Likelihood",
              synonyms=("発生頻度", "発生の可能性", "可能性", "起こりやすさ", "Probability"), width=8),
        integer("bc_risk", "BCリスク値", "BC risk", computed=Product(Ref("impact"), Ref("likelihood")),
                synonyms=("リスク値", "事業継続リスク値", "BCリスク", "BC risk value", "Risk score"),
                rule="impact × likelihood (1–9)", width=8),
        integer("mtpd_hours", "最大許容停止時間(時間)", "MTPD (hours)", minimum=0,
                synonyms=("最大許容停止時間", "許容停止時間", "MTPD", "MTPD(h)", "Maximum tolerable period of disruption"), width=10),
        integer("rto_hours", "目標復旧時間(時間)", "RTO (hours)", minimum=0,
                synonyms=("目標復旧時間", "RTO", "RTO(h)", "Recovery time objective"), rule="must be ≤ MTPD", width=10),
        integer("rpo_hours", "目標復旧時点(時間)", "RPO (hours)", minimum=0,
                synonyms=("目標復旧時点", "RPO", "RPO(h)", "Recovery point objective"), width=10),
        ids("assets", "依存資産", "Dependent assets", ref="B-01",
            synonyms=("依存する資産", "関連資産", "資産ID", "必要な資産", "Assets", "Asset IDs"), width=14),
        long_text("measures", "対策", "Measures", synonyms=("対策内容", "事業継続対策", "対応策", "Mitigation", "Countermeasures"), width=28),
        ids("plan_id", "事業継続計画ID", "BC plan ID", ref="B-06",
            synonyms=("BCP ID", "BCP番号", "計画ID", "事業継続計画", "BC plan"),
            rule=f"required when BC risk ≥ {PLAN_REQUIRED_FROM}", width=11),
        notes(width=20),
    ),
)
