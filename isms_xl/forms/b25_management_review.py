"""B-25 ISMSマネジメントレビュー議事録 — management review minutes (manual §9.3)."""

from isms_xl.forms._columns import date, ident, long_text, person
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Layout

# ISO/IEC 27001:2022 §9.3.2 a) – g), one printed row each; XREF-131 warns when one is left empty.
INPUTS: tuple[str, ...] = (
    "前回までのマネジメントレビューの結果とった処置の状況",
    "外部及び内部の課題の変化",
    "利害関係者のニーズ及び期待の変化",
    "情報セキュリティパフォーマンスに関するフィードバック (不適合及び是正処置 / 監視及び測定の結果 / 監査結果 / 目的の達成)",
    "利害関係者からのフィードバック",
    "リスクアセスメントの結果及びリスク対応計画の状況",
    "継続的改善の機会",
)

SPEC = FormSpec(
    form_id="B-25",
    ja="ISMSマネジメントレビュー議事録",
    en="Management review minutes",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="§9.3",
    columns=(
        ident("review_id", "回次", "Review No", synonyms=("開催回", "開催回次", "レビュー回次", "レビューID", "Session"), width=12),
        date("held_on", "開催日", "Held on", synonyms=("実施日", "開催年月日", "日時", "Meeting date"), width=14),
        person("chair", "議長", "Chair", synonyms=("議長名", "司会", "Chairperson"), rule="社長 (top management)", width=16),
        long_text("attendees", "出席者", "Attendees", synonyms=("参加者", "出席者名", "メンバー", "Participants"), width=60),
        person("approved_by", "承認者", "Approved by", synonyms=("承認", "承認者名", "決裁者", "Approver"), width=16),
    ),
    tables=(
        EmbeddedTable(
            "inputs", "インプット", "Inputs (§9.3.2)",
            columns=(
                long_text("input_item", "インプット", "Input", synonyms=("インプット項目", "報告事項", "議題", "Agenda item"), width=36),
                long_text("report", "報告内容", "Report", synonyms=("内容", "報告", "報告の概要", "Summary"), width=50),
                person("reporter", "報告者", "Reported by", synonyms=("報告担当", "説明者", "担当", "Presenter"), width=14),
            ),
            rows=len(INPUTS),
            default_rows=tuple((text,) for text in INPUTS),
        ),
        EmbeddedTable(
            "outputs", "決定事項", "Outputs (decisions)",
            columns=(
                long_text("decision", "決定事項", "Decision",
                          synonyms=("アウトプット", "指示事項", "決定内容", "社長指示", "Output"), width=50),
                person("assignee", "担当", "Assigned to", synonyms=("担当者", "責任者", "実施者", "Owner"), width=14),
                date("due_on", "期限", "Due", synonyms=("完了期限", "実施期限", "期日", "Due date"), width=12),
            ),
            rows=8,
        ),
    ),
)
