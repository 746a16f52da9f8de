"""B-02 リスクアセスメント結果表 — risk assessment results (manual §6.1.2 – §6.1.8)."""

from isms_xl.expr import Band, Coalesce, Ref, RiskValue
from isms_xl.forms._columns import controls, date, enum, ident, ids, integer, level, notes, person, text
from isms_xl.schema import Approver, FormSpec, Layout

RETAIN, REDUCE, SHARE, AVOID = "受容", "低減", "共有", "回避"
TREATMENTS = (RETAIN, REDUCE, SHARE, AVOID)
EVALUATIONS = ("原則受容", "受容可能", "リスク対応")

SPEC = FormSpec(
    form_id="B-02",
    ja="リスクアセスメント結果表",
    en="Risk assessment results",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§6.1.2",
    columns=(
        ident("risk_id", "リスクID", "Risk ID", synonyms=("リスク番号", "リスクNo", "No", "Risk No", "Risk number"), width=10),
        ids("asset_id", "資産ID", "Asset ID", ref="B-01", single=True, required=True,
            synonyms=("資産番号", "資産No", "対象資産ID", "Asset No"), width=10),
        text("asset_name", "資産名", "Asset", synonyms=("情報資産名", "対象資産", "Asset name"),
             rule="should match B-01 (warning)", width=22),
        text("affected", "影響を受ける特性", "Affected properties",
             synonyms=("影響を受けるCIA", "CIA", "特性", "Affected CIA", "CIA affected"), rule="C/I/A (機/完/可)", width=9),
        text("threat", "脅威", "Threat", required=True, synonyms=("想定される脅威", "脅威の内容", "Threat description"), width=24),
        level("threat_level", "脅威レベル", "Threat level", required=True,
              synonyms=("脅威の大きさ", "脅威の程度", "脅威度", "Threat rating", "Likelihood"), width=7),
        text("vulnerability", "ぜい弱性", "Vulnerability", required=True,
             synonyms=("脆弱性", "脆弱性の内容", "ぜい弱性の内容", "Weakness"), width=24),
        level("vulnerability_level", "ぜい弱性レベル", "Vulnerability level", required=True,
              synonyms=("脆弱性レベル", "ぜい弱性の大きさ", "脆弱性の大きさ", "脆弱性の程度", "Vulnerability rating"), width=7),
        level("impact", "事業に与える損害", "Impact",
              synonyms=("損害", "影響度", "影響", "事業への損害", "事業への影響", "Business impact", "Consequence"),
              rule="blank → max of the asset's ratings over the affected properties", width=7),
        integer("risk_value", "リスク値", "Risk value",
                computed=RiskValue(Ref("impact"), Ref("threat_level"), Ref("vulnerability_level")),
                band_of="risk_value", synonyms=("リスク値(計算)", "リスクの大きさ", "リスクレベル", "Risk score", "Risk level"),
                rule="impact × (threat + vulnerability)", width=7),
        text("evaluation", "評価", "Evaluation", computed=Band(Ref("risk_value")), band_of="risk_value",
             synonyms=("リスク評価", "評価結果", "判定", "Risk evaluation"), rule="原則受容 / 受容可能 / リスク対応", width=10),
        enum(
            "treatment", "リスク対応", "Treatment", TREATMENTS, required=True,
            synonyms=("対応", "リスク対応方針", "対応方針", "リスク対応の選択肢", "Risk treatment", "Treatment option"),
            aliases=((RETAIN, ("保有", "受容(保有)", "受容（保有）", "retain", "accept")),
                     (REDUCE, ("低減", "reduce", "mitigate", "modify")),
                     (SHARE, ("移転", "共有(移転)", "共有（移転）", "share", "transfer")),
                     (AVOID, ("回避", "avoid", "terminate"))),
            width=8),
        controls("controls", "管理策", "Controls", synonyms=("管理策番号", "選択した管理策", "適用管理策", "Annex A controls", "Controls selected"),
                 rule="required when 低減", width=16),
        ids("plan_ids", "対応計画ID", "Treatment plan IDs", ref="B-03",
            synonyms=("計画ID", "リスク対応計画ID", "対応計画番号", "Plan ID", "Treatment plan"), rule="required when treatment ≠ 受容", width=10),
        level("residual_impact", "対策後損害", "Residual impact", synonyms=("対策後の損害", "残留損害", "Residual impact level"),
              rule="blank → the impact", width=7),
        level("residual_threat_level", "対策後脅威レベル", "Residual threat level",
              synonyms=("対策後の脅威レベル", "残留脅威レベル", "Residual threat"), rule="required when 低減", width=7),
        level("residual_vulnerability_level", "対策後ぜい弱性レベル", "Residual vulnerability level",
              synonyms=("対策後脆弱性レベル", "対策後のぜい弱性レベル", "残留脆弱性レベル", "Residual vulnerability"), rule="required when 低減", width=7),
        integer("residual_risk", "残留リスク値", "Residual risk",
                computed=RiskValue(Coalesce(Ref("residual_impact"), Ref("impact")), Ref("residual_threat_level"), Ref("residual_vulnerability_level")),
                band_of="residual_risk", synonyms=("残留リスク", "対策後リスク値", "Residual risk value"), width=7),
        text("residual_evaluation", "残留リスク評価", "Residual evaluation", computed=Band(Ref("residual_risk")), band_of="residual_risk",
             synonyms=("対策後評価", "残留リスクの評価", "Residual risk evaluation"), width=10),
        person("risk_owner", "リスク所有者", "Risk owner", required=True, synonyms=("リスクオーナー", "所有者", "Owner"), width=12),
        date("owner_approved_on", "リスク所有者承認日", "Owner approved on",
             synonyms=("所有者承認日", "承認日", "Risk owner approval", "Approved on"), rule="required when residual > 6 is retained", width=11),
        text("committee_approval", "推進委員会承認", "Committee approval",
             synonyms=("ISMS推進委員会承認", "委員会承認", "Committee approved"), rule="required when value ≥ 10 and treatment 受容", width=12),
        date("assessed_on", "評価日", "Assessed on", synonyms=("アセスメント実施日", "評価実施日", "Assessment date"),
             rule="warning when older than 12 months", width=11),
        notes(width=22),
    ),
)
