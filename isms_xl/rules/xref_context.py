"""XREF-020, 021 (B-27 risks and opportunities, §6.1.1) and XREF-030, 031 (B-04 legal register)."""

from __future__ import annotations

from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.forms.b04_legal_register import NOT_COMPLIED
from isms_xl.rules._util import ids_of as _refs, written as _written
from isms_xl.rules.registry import CheckContext, rule


@rule("XREF-020", "error", ("B-27", "B-02"), "B-27の関連リスクIDがB-02にない", "B-27 item refers to a risk id not in B-02")
def xref_020(ctx: CheckContext) -> Iterator[Finding]:
    risks = ctx.by_id("B-02")
    for item in ctx.records("B-27"):
        missing = [r for r in _refs(item.values.get("related_risks")) if r not in risks]
        if missing:
            yield ctx.at("B-27", item, "related_risks", item.values.get("related_risks"),
                         f"関連リスクID {', '.join(missing)} がリスクアセスメント結果表（B-02）にありません",
                         f"Related risk id(s) {', '.join(missing)} not in the risk assessment (B-02)")


@rule("XREF-021", "warning", ("B-27",), "有効性評価が最終評価から12か月以上ない",
      "B-27 item without 有効性評価 more than 12 months after its last evaluation")
def xref_021(ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.months_ago(12)
    for item in ctx.records("B-27"):
        day = item.values.get("evaluated_on")
        if day is not None and day < limit:  # never evaluated (blank) cannot be dated: not judged here
            yield ctx.at("B-27", item, "evaluated_on", day,
                         f"最後の有効性評価（{day}）から12か月以上経過しています。対処した活動の有効性を評価し、評価日を更新してください（§6.1.1）",
                         f"Last effectiveness evaluation on {day}, more than 12 months ago; evaluate the action's "
                         f"effectiveness again and update the date (§6.1.1)")


@rule("XREF-030", "error", ("B-04",), "B-04の次回確認予定日を過ぎている", "B-04 次回確認予定日 is past")
def xref_030(ctx: CheckContext) -> Iterator[Finding]:
    for req in ctx.records("B-04"):
        day = req.values.get("next_check_on")
        if day is not None and day < ctx.today:
            yield ctx.at("B-04", req, "next_check_on", day,
                         f"次回確認予定日 {day} を過ぎています。{req.values.get('law') or '法令'}の要求事項を確認し、最終確認日と次回確認予定日を更新してください",
                         f"Next check was due {day} and has passed; review the requirement and update the last and next check dates")


@rule("XREF-031", "warning", ("B-04",), "未対応の要求事項に関連管理策がない", "B-04 requirement 未対応 with no related control")
def xref_031(ctx: CheckContext) -> Iterator[Finding]:
    for req in ctx.records("B-04"):
        if req.values.get("status") == NOT_COMPLIED and not _written(req, "controls"):
            yield ctx.at("B-04", req, "controls", None,
                         f"{req.values.get('law') or '要求事項'}は未対応ですが、関連管理策がありません（対応に用いる管理策を記入してください）",
                         "Requirement 未対応 (not complied with) without a related control; name the controls that will address it")
