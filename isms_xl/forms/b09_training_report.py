"""B-09 教育訓練実施報告書 — training report (manual §7.2, §7.3)."""

from isms_xl.expr import Ratio, Ref
from isms_xl.forms._columns import col, date, dept, ident, ids, integer, long_text, person, text
from isms_xl.schema import Approver, EmbeddedTable, FormSpec, Kind, Layout

SPEC = FormSpec(
    form_id="B-09",
    ja="教育訓練実施報告書",
    en="Training report",
    layout=Layout.CARD,
    approver=Approver.ISMS_MANAGER,
    clause="§7.2, §7.3",
    columns=(
        ident("report_id", "報告ID", "Report ID", synonyms=("報告番号", "報告書No", "報告書番号", "No", "Report No"), width=12),
        ids("course_id", "教育ID", "Course ID", ref="B-08", single=True,
            synonyms=("教育番号", "研修ID", "研修番号", "Course No"), width=12),
        date("held_on", "実施日", "Held on", synonyms=("開催日", "研修日", "実施年月日", "Date held"), width=12),
        text("instructor", "講師", "Instructor", synonyms=("講師名", "担当講師", "教育担当", "Trainer", "Lecturer"), width=16),
        integer("target_count", "対象者数", "Participants expected", minimum=0,
                synonyms=("対象人数", "対象者", "受講対象者数", "Target count", "Expected"), width=8),
        integer("attended_count", "受講者数", "Participants attended", minimum=0,
                synonyms=("受講人数", "参加者数", "出席者数", "Attended", "Attendees"), width=8),
        col("attendance_rate", "受講率", "Attendance rate", Kind.PERCENT,
            computed=Ratio(Ref("attended_count"), Ref("target_count")),
            synonyms=("参加率", "出席率", "受講割合", "Attendance", "Participation rate"),
            rule="受講者数 ÷ 対象者数", width=8),
        long_text("understanding", "理解度評価", "Understanding",
                  synonyms=("理解度", "理解度確認", "理解度テスト結果", "Assessment", "Evaluation of understanding"), width=40),
        long_text("follow_up", "未受講者へのフォロー", "Follow-up for absentees",
                  synonyms=("未受講者フォロー", "フォロー", "フォローアップ", "未受講者対応", "Follow-up"),
                  rule="required when the attendance rate is below 100 %", width=40),
        person("reporter", "報告者", "Reported by", synonyms=("作成者", "報告者名", "記入者", "Reporter"), width=16),
    ),
    tables=(
        EmbeddedTable(
            "absentees", "未受講者", "Absentees",
            columns=(
                person("name", "氏名", "Name", synonyms=("名前", "未受講者名", "社員名", "Full name"), width=16),
                dept("department", "所属", "Department", synonyms=("所属部門", "部門", "部署", "Dept"), width=14),
                date("follow_up_on", "フォロー予定日", "Follow-up due",
                     synonyms=("フォロー日", "補講予定日", "受講予定日", "Follow-up date"), width=12),
            ),
            rows=10,
        ),
    ),
)
