"""B-20 内部監査実施計画書 — internal audit plan (manual §9.2)."""

from isms_xl.forms._columns import date, dept, ident, ids, long_text, person, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Layout

SPEC = FormSpec(
    form_id="B-20",
    ja="内部監査実施計画書",
    en="Internal audit plan",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="§9.2",
    columns=(
        ident("audit_id", "監査ID", "Audit ID", synonyms=("監査番号", "監査No", "計画番号", "No", "Audit No"), width=14),
        # Text: people write 2026年度, 令和8年度 or FY2026 as often as a bare year.
        text("fiscal_year", "年度", "Fiscal year", synonyms=("実施年度", "監査年度", "対象年度", "FY", "Year"), width=12),
        long_text("objective", "監査目的", "Audit objective", synonyms=("目的", "監査の目的", "Objective", "Purpose"), width=50),
        long_text("criteria", "監査基準", "Audit criteria",
                  synonyms=("監査の基準", "基準", "監査基準文書", "Criteria"), rule="e.g. JIS Q 27001:2023, ISMS-A-03, ISMS-A-04", width=50),
        person("lead", "監査責任者", "Lead auditor", synonyms=("内部監査責任者", "主任監査員", "リーダー", "Audit lead"), width=16),
        person("approved_by", "承認者", "Approved by", synonyms=("承認", "承認者名", "ISMS管理責任者", "Approver"), width=16),
    ),
    tables=(
        EmbeddedTable(
            "schedule", "監査日程", "Schedule",
            columns=(
                date("audit_on", "実施日", "Date", synonyms=("監査日", "実施予定日", "日付", "Audit date"), width=12),
                dept("department", "対象部門", "Department audited", synonyms=("被監査部門", "監査対象部門", "部門", "Auditee department"), width=14),
                text("scope", "監査範囲(箇条・管理策)", "Scope (clauses and controls)",
                     synonyms=("監査範囲", "対象箇条", "箇条・管理策", "監査対象", "Scope"), width=28),
                ids("auditor_ids", "監査員ID", "Auditor IDs", ref="B-21",
                    synonyms=("監査員", "監査員番号", "担当監査員", "Auditors"),
                    rule="not from the department audited (§9.2 objectivity)", width=14),
                text("auditees", "被監査者", "Auditees", synonyms=("対応者", "被監査者名", "面談者", "Auditee"), width=16),
            ),
            rows=10,
        ),
    ),
)
