"""B-08 年間教育計画表 — annual training plan (manual §7.2, §7.3)."""

from isms_xl.forms._columns import enum, ident, month, notes, number, text
from isms_xl.schema import Approver, FormSpec, Layout

METHODS = ("集合研修", "eラーニング", "OJT", "外部研修")

SPEC = FormSpec(
    form_id="B-08",
    ja="年間教育計画表",
    en="Annual training plan",
    layout=Layout.TABLE,
    approver=Approver.ISMS_MANAGER,
    clause="§7.2, §7.3",
    columns=(
        ident("course_id", "教育ID", "Course ID", synonyms=("教育番号", "研修ID", "研修番号", "No", "Course No"), width=9),
        text("course", "教育名", "Course", synonyms=("研修名", "教育内容", "教育テーマ", "教育訓練名", "Course title", "Training"), width=26),
        text("audience", "対象者", "Audience", synonyms=("対象", "受講対象者", "受講者", "対象部門", "Target audience"), width=16),
        month("planned_month", "実施予定月", "Planned month",
              synonyms=("実施予定", "予定月", "実施月", "実施時期", "Planned", "Month"), width=10),
        enum("method", "実施方法", "Delivery", METHODS,
             synonyms=("教育方法", "研修形式", "形式", "方法", "Method", "Format"),
             aliases=(("集合研修", ("集合教育", "社内研修", "講義", "classroom", "class")),
                      ("eラーニング", ("e-ラーニング", "e-learning", "elearning", "オンライン研修", "web研修")),
                      ("OJT", ("職場内訓練", "on-the-job training", "on the job")),
                      ("外部研修", ("外部セミナー", "社外研修", "セミナー", "external", "external training"))),
             width=11),
        text("instructor", "講師", "Instructor", synonyms=("講師名", "担当講師", "教育担当", "Trainer", "Lecturer"), width=12),
        number("hours", "時間", "Hours", minimum=0, synonyms=("時間数", "所要時間", "研修時間", "教育時間", "Duration"), width=7),
        notes(width=20),
    ),
)
