"""The HTML report: one self-contained page (inline CSS and SVG, no external resource, no script)
that the ISMS office opens in a browser.

It shows the counts by severity, what is new and what was resolved since the previous run, the
pictures (risk heat map inherent next to residual, treatment-plan progress, trend of findings over
past runs) and every finding grouped by form and rule, each with a link to its workbook and the
``Sheet!C12`` text of its cell.

Every text that comes from a workbook, a file name or the configuration goes through jinja2's
autoescaping; nothing is marked safe except the SVG that ``charts`` builds (and escapes) itself.

Links: a relative reference from the report to the workbook, which the browser resolves against
the report's own ``file:`` URL, with the cell as fragment ``#'Sheet'!C12``. Excel honours that
fragment when the link is followed inside Office (the page opened in Excel or Word, the link
pasted into a workbook); a browser hands Excel the file but not the fragment, so the workbook
opens at the sheet it was saved on. That is why the cell is also printed beside each link, and
why the xlsx report (``xlsx_report``), whose links Excel follows to the cell, exists.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

import jinja2

from isms_xl.check import CheckRun
from isms_xl.findings import Finding
from isms_xl.forms import FORMS
from isms_xl.history import RunDelta, finding_key
from isms_xl.report import charts
from isms_xl.report.json_report import finding_json
from isms_xl.rules.registry import RULES
from isms_xl.rules.registry import rule_order

__all__ = ["render_html", "cell_text", "link_location", "workbook_target", "html_href", "SEVERITY_LABELS"]

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {
    "ja": {"error": "エラー", "warning": "警告", "info": "情報"},
    "en": {"error": "Error", "warning": "Warning", "info": "Info"},
}

TEXT = {
    "ja": {
        "title": "ISMS 記録の検査結果",
        "folder": "フォルダ", "today": "基準日", "checked_at": "検査日時", "tool": "ツール",
        "nav_summary": "概要", "nav_pictures": "図", "nav_changes": "前回からの変化", "nav_findings": "指摘事項",
        "summary": "概要", "total": "計", "form": "様式", "name": "名称", "count_unit": "件",
        "by_form": "様式別の件数",
        "new": "新規", "resolved": "解消", "suppressed": "抑止中",
        "pictures": "図で見る",
        "heatmap": "リスクの分布（B-02 リスクアセスメント結果表）",
        "heatmap_note": "行は事業に与える損害、列は脅威レベルとぜい弱性レベル（マニュアルの受容基準表と同じ並び）。"
                        "数字は各マスのリスクの件数、左上の小さな数字はリスク値です。",
        "inherent": "固有リスク（対策前）", "residual": "残留リスク（対策後）",
        "residual_note": "残留リスクは、低減のリスクは対策後のレベル（対策後損害が空欄なら損害）で、"
                         "それ以外（受容・共有・回避）は評価時のレベルで数えています。",
        "band": "評価", "range": "リスク値",
        "unplaced": "図に入らないリスク",
        "unplaced_note": "図に入らないリスクは、レベルが空欄か 1〜3 以外のもの、低減で対策後のレベルが空欄のものです。",
        "no_b02": "B-02 リスクアセスメント結果表がフォルダにないため、ヒートマップはありません。",
        "progress": "リスク対応計画の進捗（B-03 リスク対応計画書）",
        "plans_total": "全計画", "overdue": "期限超過", "overdue_note": "完了予定日を過ぎて、完了・中止になっていない計画",
        "no_b03": "B-03 リスク対応計画書がフォルダにないため、進捗はありません。",
        "trend": "検出件数の推移", "trend_none": "記録された実行がまだありません（--no-history で実行しています）。",
        "trend_one": "記録された実行が 1 回だけです。次回から推移が見えます。",
        "changes": "前回からの変化",
        "no_history": "履歴を記録していないため、前回との比較はありません。",
        "first_run": "初めて記録した実行です。比較する前回の実行はありません。",
        "previous": "前回の実行", "none_new": "新しい指摘はありません。", "none_resolved": "解消した指摘はありません。",
        "findings": "指摘事項（様式・ルール別）", "no_findings": "指摘事項はありません。",
        "severity": "重大度", "rule": "ルール", "place": "場所", "record": "レコード", "value": "値",
        "message": "内容", "first_seen": "初回検出", "other_form": "様式なし",
        "suppressed_title": "抑止中の指摘（isms_xl_suppressions.toml）", "reason": "理由", "expires": "期限",
        "problems": "読めなかった・確認しなかったブック", "workbook": "ブック", "kind": "種類",
        "kinds": {"unreadable": "読めない", "not_a_form": "様式ではない", "duplicate": "重複"},
        "missing": "フォルダにない様式",
        "links_note": "リンクはこのレポートの場所からの相対パスです。ブラウザからはブックは開きますが、"
                      "セル位置（#'シート'!セル）は Excel に渡されないことがあるため、各リンクの横にセル位置を表示しています。"
                      "セルまで移動するリンクは xlsx 版の検査結果ブックをご利用ください。",
    },
    "en": {
        "title": "ISMS records check",
        "folder": "Folder", "today": "As of", "checked_at": "Checked at", "tool": "Tool",
        "nav_summary": "Summary", "nav_pictures": "Pictures", "nav_changes": "Changes", "nav_findings": "Findings",
        "summary": "Summary", "total": "Total", "form": "Form", "name": "Name", "count_unit": "",
        "by_form": "Findings by form",
        "new": "New", "resolved": "Resolved", "suppressed": "Suppressed",
        "pictures": "At a glance",
        "heatmap": "Risks (B-02 Risk assessment results)",
        "heatmap_note": "Rows: impact; columns: threat level, then vulnerability level (the layout of the manual's "
                        "acceptance table). Large numbers count the risks in each cell; the small number is the risk value.",
        "inherent": "Inherent risk (before treatment)", "residual": "Residual risk (after treatment)",
        "residual_note": "Residual risk uses the levels after treatment for risks treated by 低減 (reduce; the "
                         "impact when no residual impact is given) and the assessed levels for the others.",
        "band": "Evaluation", "range": "Risk value",
        "unplaced": "Not on the map",
        "unplaced_note": "Risks not on the map have a level blank or outside 1–3, or are 低減 without residual levels.",
        "no_b02": "No heat map: B-02 (risk assessment results) is not in the folder.",
        "progress": "Treatment plans (B-03 Risk treatment plan)",
        "plans_total": "All plans", "overdue": "Overdue", "overdue_note": "past the due date and neither done nor cancelled",
        "no_b03": "No progress chart: B-03 (risk treatment plan) is not in the folder.",
        "trend": "Findings over time", "trend_none": "No recorded runs yet (this run used --no-history).",
        "trend_one": "Only one recorded run so far; the trend shows from the next run on.",
        "changes": "Since the previous run",
        "no_history": "No comparison: this run was not recorded in the history.",
        "first_run": "This is the first recorded run; there is no previous run to compare with.",
        "previous": "Previous run", "none_new": "No new findings.", "none_resolved": "No resolved findings.",
        "findings": "Findings by form and rule", "no_findings": "No findings.",
        "severity": "Severity", "rule": "Rule", "place": "Location", "record": "Record", "value": "Value",
        "message": "Message", "first_seen": "First seen", "other_form": "No form",
        "suppressed_title": "Suppressed findings (isms_xl_suppressions.toml)", "reason": "Reason", "expires": "Expires",
        "problems": "Workbooks not read or not checked", "workbook": "Workbook", "kind": "Kind",
        "kinds": {"unreadable": "unreadable", "not_a_form": "not a form", "duplicate": "duplicate"},
        "missing": "Forms not in the folder",
        "links_note": "Links are relative to this report's location. A browser opens the workbook but may not "
                      "pass the cell (#'Sheet'!Cell) on to Excel, so each link shows its cell beside it. The xlsx "
                      "report's links go to the cell.",
    },
}

# --- locations and links ---------------------------------------------------------------------------

_CELL = re.compile(r"^(\$?[A-Z]{1,3}\$?\d+(:\$?[A-Z]{1,3}\$?\d+)?|\d+:\d+|[A-Z]{1,3}:[A-Z]{1,3})$")
# Characters a URL path may not hold as they are (others, Japanese included, are valid IRI text).
_PATH_ESCAPES = {c: f"%{ord(c):02X}" for c in '%"<>`#?{}|\\^[] '}
_FRAGMENT_ESCAPES = {c: f"%{ord(c):02X}" for c in '%"<>` '}


def _iri_escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, f"%{ord(ch):02X}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch) for ch in text)


def _sheet_needs_quotes(sheet: str) -> bool:
    # Excel quotes a sheet name in a reference unless it is letters, digits and underscores
    # (Japanese letters count) not starting with a digit and not looking like a cell.
    return not re.fullmatch(r"[^\W\d]\w*", sheet) or bool(re.fullmatch(r"[A-Za-z]{1,3}\d+", sheet))


def cell_text(sheet: str | None, cell: str | None) -> str:
    """What a person reads (and could type into Excel's Go To box): ``Sheet!C12``, quoted as
    Excel quotes it (``'入退室管理票(外部・従業員)'!G27``)."""
    if not cell:
        return sheet or ""
    if not sheet:
        return cell
    name = "'" + sheet.replace("'", "''") + "'" if _sheet_needs_quotes(sheet) else sheet
    return f"{name}!{cell}"


def link_location(sheet: str | None, cell: str | None) -> str | None:
    """The location part of a hyperlink, ``'Sheet'!C12`` (always quoted), or None when the finding
    has no cell Excel could go to."""
    if not sheet or not cell or not _CELL.match(cell.upper()):
        return None
    return "'" + sheet.replace("'", "''") + "'!" + cell.upper().replace("$", "")


def workbook_target(report_dir: Path, folder: Path, workbook: str) -> tuple[str, bool]:
    """The workbook's path relative to the report's folder (forward slashes), and True; or its
    absolute path and False when there is no relative path (another drive on Windows)."""
    target = Path(os.path.abspath(Path(folder) / workbook))
    try:
        rel = os.path.relpath(target, os.path.abspath(report_dir))
    except ValueError:
        return str(target), False
    return PurePath(rel).as_posix(), True


def html_href(report_dir: Path, folder: Path, workbook: str | None, sheet: str | None, cell: str | None) -> str | None:
    """A link from the report to the workbook's cell: relative reference + ``#'Sheet'!C12``."""
    if not workbook:
        return None
    path, relative = workbook_target(report_dir, folder, workbook)
    href = _iri_escape(path, _PATH_ESCAPES) if relative else Path(path).as_uri()
    location = link_location(sheet, cell)
    return href + ("#" + _iri_escape(location, _FRAGMENT_ESCAPES) if location else "")


# --- view model ------------------------------------------------------------------------------------


def _value_text(value: Any, limit: int = 160) -> str:
    if value is None:
        return ""
    if isinstance(value, (tuple, list)):
        text = ", ".join(_value_text(v, limit) for v in value)
    elif isinstance(value, (dt.datetime, dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rule_title(rule_id: str, lang: str) -> str:
    rule = RULES.get(rule_id)
    return rule.title(lang) if rule else ""


def _form_name(form_id: str | None, lang: str) -> str:
    spec = FORMS.get(form_id or "")
    return spec.name(lang) if spec else ""


class _Views:
    """Turns findings (objects, or the history's dict rows) into what the template shows."""

    def __init__(self, run: CheckRun, delta: RunDelta | None, lang: str, report_dir: Path) -> None:
        self.run, self.lang, self.report_dir = run, lang, report_dir
        self.first_seen = delta.first_seen if delta else {}
        self.new_keys = {finding_key(f) for f in delta.new} if delta else set()
        self.labels = SEVERITY_LABELS[lang]

    def row(self, f: Finding | dict) -> dict[str, Any]:
        data = finding_json(f, self.first_seen) if isinstance(f, Finding) else dict(f)
        key = finding_key(f) if isinstance(f, Finding) else data.get("key", "")
        workbook = data.get("workbook")
        return {
            "key": key,
            "rule": data["rule"],
            "rule_title": _rule_title(data["rule"], self.lang),
            "severity": data["severity"],
            "severity_label": self.labels.get(data["severity"], data["severity"]),
            "form": data.get("form") or "",
            "form_name": _form_name(data.get("form"), self.lang),
            "workbook": workbook or "",
            "workbook_name": PurePath(workbook).name if workbook else "",
            "href": html_href(self.report_dir, self.run.folder, workbook, data.get("sheet"), data.get("cell")),
            "where": cell_text(data.get("sheet"), data.get("cell")),
            "record": data.get("record") or "",
            "value": _value_text(f.value if isinstance(f, Finding) else data.get("value")),
            "message": data.get("message_ja" if self.lang == "ja" else "message_en") or "",
            "first_seen": data.get("first_seen") or "",
            "is_new": key in self.new_keys,
        }


def _form_sort_key(form_id: str) -> tuple[int, str]:
    order = list(FORMS)
    return (order.index(form_id), "") if form_id in FORMS else (len(order) + (not form_id), form_id)


def _groups(views: _Views, findings: list[Finding]) -> list[dict[str, Any]]:
    by_form: dict[str, dict[str, list[Finding]]] = {}
    for f in findings:
        by_form.setdefault(f.form or "", {}).setdefault(f.rule, []).append(f)
    groups = []
    for form_id in sorted(by_form, key=_form_sort_key):
        rules = by_form[form_id]
        counts = Counter(f.severity.value for fs in rules.values() for f in fs)
        groups.append({
            "form": form_id,
            "name": _form_name(form_id, views.lang) if form_id else TEXT[views.lang]["other_form"],
            "anchor": "form-" + (form_id or "none"),
            "counts": {s: counts[s] for s in SEVERITIES},
            "total": sum(counts.values()),
            "rules": [{
                "rule": rule_id,
                "title": _rule_title(rule_id, views.lang),
                "findings": [views.row(f) for f in rules[rule_id]],
            } for rule_id in sorted(rules, key=rule_order)],
        })
    return groups


def _heatmap_view(run: CheckRun, lang: str) -> dict[str, Any] | None:
    form = run.forms.get("B-02")
    if form is None:
        return None
    method = run.config.method
    text = TEXT[lang]
    inherent = charts.risk_heatmap(form.records)
    residual = charts.risk_heatmap(form.records, residual=True)
    before, after = inherent.by_band(method), residual.by_band(method)
    return {
        "inherent_svg": charts.heatmap_svg(inherent, method, lang, element_id="heatmap-inherent", label=text["inherent"]),
        "residual_svg": charts.heatmap_svg(residual, method, lang, element_id="heatmap-residual", label=text["residual"]),
        "inherent": inherent,
        "residual": residual,
        "bands": [{
            "key": band.key,
            "label": band.ja if lang == "ja" else band.en,
            "range": charts.band_range_text(method, band, lang),
            "fill": charts.hex_colour(band.fill),
            "font": charts.hex_colour(band.font, "000000"),
            "inherent": before[band.key],
            "residual": after[band.key],
        } for band in method.bands],
        "records": len(form.records),
    }


def _progress_view(run: CheckRun, lang: str) -> dict[str, Any] | None:
    form = run.forms.get("B-03")
    if form is None:
        return None
    progress = charts.plan_progress(form.records, run.today)
    statuses = [{"key": s, "label": s if lang == "ja" else charts.STATUS_EN[s], "fill": charts.STATUS_FILL[s],
                 "count": progress.counts[s]} for s in charts.PLAN_STATUSES]
    if progress.unknown:
        statuses.append({"key": "unknown", "label": "不明" if lang == "ja" else "Unknown",
                         "fill": charts.UNKNOWN_FILL, "count": progress.unknown})
    return {"svg": charts.progress_svg(progress, lang), "progress": progress, "statuses": statuses}


def _local_time(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone()
    return value.strftime("%Y-%m-%d %H:%M %Z").strip()


def report_context(run: CheckRun, delta: RunDelta | None = None, trend: list[dict] | None = None,
                   lang: str = "ja", report_dir: Path | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain data (tests and other front ends can reuse it)."""
    if lang not in TEXT:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(TEXT)}")
    report_dir = Path(report_dir) if report_dir is not None else Path(run.folder)
    views = _Views(run, delta, lang, report_dir)
    groups = _groups(views, run.findings)
    trend = list(trend or [])
    colours = charts.severity_colours(run.config.method)
    return {
        "lang": lang,
        "t": TEXT[lang],
        "severities": [{"key": s, "label": SEVERITY_LABELS[lang][s], "fill": colours[s][0], "font": colours[s][1]}
                       for s in SEVERITIES],
        "run": {
            "folder": str(run.folder),
            "today": run.today.isoformat(),
            "checked_at": _local_time(run.checked_at),
            "version": run.version,
        },
        "summary": run.summary(),
        "total": len(run.findings),
        "groups": groups,
        "delta": None if delta is None else {
            "previous_run": delta.previous_run,
            "new": [views.row(f) for f in delta.new],
            "resolved": [views.row(r) for r in delta.resolved],
        },
        "heatmap": _heatmap_view(run, lang),
        "progress": _progress_view(run, lang),
        "trend": {"runs": trend, "svg": charts.trend_svg(trend, lang) if trend else None,
                  "trend_fill": charts.TREND_FILL},
        "suppressed": [dict(views.row(f), reason=s.reason, expires=s.expires.isoformat()) for f, s in run.suppressed],
        "problems": [{"workbook": p.workbook, "kind": TEXT[lang]["kinds"].get(p.kind, p.kind),
                      "message": p.message_ja if lang == "ja" else p.message_en} for p in run.problems],
        "missing_forms": [{"form": f, "name": _form_name(f, lang)} for f in run.missing_forms],
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("isms_xl.report", "templates"),
        autoescape=True,  # every template, whatever its name: workbook text is never trusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(run: CheckRun, delta: RunDelta | None = None, trend: list[dict] | None = None, lang: str = "ja",
                out_path: Path | str | None = None, *, report_dir: Path | str | None = None) -> str:
    """The report as one HTML page. Links to workbooks are relative to ``report_dir``, by default
    ``out_path``'s folder (the checked folder when no ``out_path`` is given); with ``out_path``
    the page is also written there (UTF-8). A ``report_dir`` relative like ``run.folder`` gives
    relative links wherever the two end up (the audit pack)."""
    out = Path(out_path) if out_path is not None else None
    if report_dir is None and out is not None:
        report_dir = out.parent
    context = report_context(run, delta, trend, lang, Path(report_dir) if report_dir is not None else None)
    html = _environment().get_template("report.html.j2").render(context)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    return html
