"""The risk register summary workbook: heat maps as coloured count tables with native Excel
charts beside them (risks per band and per risk value, inherent against residual), the risks that
need treatment, the plans by status (with a chart) and the overdue plans.

The charts are Excel's own (XlsxWriter chart parts that read the count tables), so the auditor
can restyle them and their numbers are the cells next to them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from isms_xl.method import LEVELS, Method
from isms_xl.pack.risk_summary import RiskSummary
from isms_xl.pack.sheets import new_workbook, write_table
from isms_xl.report.charts import (
    PLAN_STATUSES,
    STATUS_EN,
    STATUS_FILL,
    HeatMap,
    hex_colour,
)

__all__ = ["BAND_TABLE_ROW", "HEAT_ROWS", "SHEETS", "write_risk_xlsx"]

SHEETS = {"ja": ("ヒートマップ", "高リスク", "対応計画", "期限超過"),
          "en": ("Heat maps", "High risks", "Treatment plans", "Overdue plans")}
TITLE = {"ja": "リスク登録簿サマリー（ISMS-B-02 / B-03）", "en": "Risk register summary (ISMS-B-02 / B-03)"}
# First row (0-based) of the inherent and residual tables on the heat-map sheet: a caption row,
# two header rows (threat, vulnerability), then impact 1–3.
HEAT_ROWS = (3, 10)
BAND_TABLE_ROW = 17  # header row of the band counts (band, inherent, residual); bands below it
HIGH_COLUMNS = (
    ("risk_id", "リスクID", "Risk ID", 9),
    ("asset", "資産", "Asset", 18),
    ("threat", "脅威", "Threat", 22),
    ("vulnerability", "ぜい弱性", "Vulnerability", 22),
    ("risk_value", "リスク値", "Risk value", 7),
    ("evaluation", "評価", "Evaluation", 9),
    ("treatment", "リスク対応", "Treatment", 8),
    ("controls", "管理策", "Controls", 14),
    ("plans", "対応計画（状況）", "Plans (status)", 20),
    ("residual_risk", "残留リスク値", "Residual risk", 7),
    ("residual_evaluation", "残留リスク評価", "Residual evaluation", 9),
    ("owner", "リスク所有者", "Risk owner", 11),
)
PLAN_COLUMNS = (
    ("plan_id", "計画ID", "Plan ID", 9),
    ("risk_ids", "対象リスクID", "Risk IDs", 14),
    ("measure", "具体的な対策", "Measure", 40),
    ("responsible", "実施責任者", "Responsible", 11),
    ("due_on", "完了予定日", "Due", 11),
    ("status", "状況", "Status", 8),
    ("completed_on", "完了日", "Completed on", 11),
    ("days_overdue", "超過日数", "Days overdue", 8),
)


def _heat_table(ws, fmts, row: int, heat: HeatMap | None, method: Method, caption: str, lang: str) -> None:
    border = {"border": 1, "border_color": "BFBFBF"}
    head = fmts.get(bold=True, align="center", bg_color="#F2F2F2", pattern=1, **border)
    ws.write_string(row, 0, caption, fmts.get(bold=True, font_size=12))
    ws.write_string(row + 1, 0, "脅威" if lang == "ja" else "Threat", head)
    ws.write_string(row + 2, 0, "ぜい弱性" if lang == "ja" else "Vulnerability", head)
    for t in LEVELS:
        ws.merge_range(row + 1, 1 + (t - 1) * 3, row + 1, 3 + (t - 1) * 3, t, head)
        for v in LEVELS:
            ws.write_number(row + 2, (t - 1) * 3 + v, v, head)
    for i in LEVELS:
        r = row + 2 + i
        ws.write_string(r, 0, f"{'損害' if lang == 'ja' else 'Impact'} {i}", head)
        for t in LEVELS:
            for v in LEVELS:
                band = method.band(method.risk_value(i, t, v))
                fmt = fmts.get(align="center", bg_color="#" + hex_colour(band.fill), pattern=1,
                               font_color="#" + hex_colour(band.font, "000000"), **border)
                ws.write_number(r, (t - 1) * 3 + v, heat.cell(i, t, v) if heat else 0, fmt)


def write_risk_xlsx(path: Path, summary: RiskSummary, method: Method, *, as_of: dt.date, lang: str, version: str,
                    subtitle: str) -> Path:
    ja = lang == "ja"
    wb, fmts = new_workbook(path, title=TITLE[lang], as_of=as_of, version=version)
    names = SHEETS[lang]
    border = {"border": 1, "border_color": "BFBFBF"}
    head = fmts.get(bold=True, bg_color="#DDEBF7", pattern=1, **border)
    plain = fmts.get(**border)

    ws = wb.add_worksheet(names[0])
    ws.write_string(0, 0, TITLE[lang], fmts.get(bold=True, font_size=14))
    ws.write_string(1, 0, subtitle, fmts.get())
    ws.set_column(0, 0, 14)
    ws.set_column(1, 9, 6)
    _heat_table(ws, fmts, HEAT_ROWS[0], summary.inherent, method, "固有リスク（対応前）" if ja else "Inherent risk (before treatment)", lang)
    _heat_table(ws, fmts, HEAT_ROWS[1], summary.residual, method, "残留リスク（対応後）" if ja else "Residual risk (after treatment)", lang)
    r0 = BAND_TABLE_ROW
    for c, text in enumerate(("評価" if ja else "Band", "固有" if ja else "Inherent", "残留" if ja else "Residual")):
        ws.write_string(r0, c, text, head)
    before = summary.inherent.by_band(method) if summary.inherent else {b.key: 0 for b in method.bands}
    after = summary.residual.by_band(method) if summary.residual else {b.key: 0 for b in method.bands}
    for k, band in enumerate(method.bands, start=1):
        fmt = fmts.get(bg_color="#" + hex_colour(band.fill), pattern=1, font_color="#" + hex_colour(band.font, "000000"), **border)
        ws.write_string(r0 + k, 0, band.ja if ja else band.en, fmt)
        ws.write_number(r0 + k, 1, before[band.key], plain)
        ws.write_number(r0 + k, 2, after[band.key], plain)
    v0 = r0 + len(method.bands) + 2
    for c, text in enumerate(("リスク値" if ja else "Risk value", "固有" if ja else "Inherent", "残留" if ja else "Residual")):
        ws.write_string(v0, c, text, head)
    by_before, by_after = summary.by_value(method, False), summary.by_value(method, True)
    for k, value in enumerate(by_before, start=1):
        ws.write_number(v0 + k, 0, value, plain)
        ws.write_number(v0 + k, 1, by_before[value], plain)
        ws.write_number(v0 + k, 2, by_after[value], plain)
    sheet = names[0]
    chart = wb.add_chart({"type": "column"})
    for col, name, colour in ((1, "固有" if ja else "Inherent", "A6A6A6"), (2, "残留" if ja else "Residual", "4472C4")):
        chart.add_series({"name": [sheet, r0, col], "categories": [sheet, r0 + 1, 0, r0 + len(method.bands), 0],
                          "values": [sheet, r0 + 1, col, r0 + len(method.bands), col], "fill": {"color": "#" + colour},
                          "data_labels": {"value": True}})
    chart.set_title({"name": "評価別のリスク数（固有・残留）" if ja else "Risks per band, inherent and residual"})
    chart.set_y_axis({"name": "件数" if ja else "Risks", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(HEAT_ROWS[0], 11, chart, {"x_scale": 1.2, "y_scale": 1.1})
    n = len(by_before)
    dist = wb.add_chart({"type": "column"})
    for col, name, colour in ((1, "固有" if ja else "Inherent", "A6A6A6"), (2, "残留" if ja else "Residual", "4472C4")):
        dist.add_series({"name": [sheet, v0, col], "categories": [sheet, v0 + 1, 0, v0 + n, 0],
                         "values": [sheet, v0 + 1, col, v0 + n, col], "fill": {"color": "#" + colour}})
    dist.set_title({"name": "リスク値の分布" if ja else "Risks per risk value"})
    dist.set_x_axis({"name": "リスク値" if ja else "Risk value"})
    dist.set_y_axis({"name": "件数" if ja else "Risks"})
    dist.set_legend({"position": "bottom"})
    ws.insert_chart(HEAT_ROWS[1] + 8, 11, dist, {"x_scale": 1.2, "y_scale": 1.1})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)

    high_rows, high_fills = [], []
    for h in summary.high:
        plans = ", ".join(f"{p}（{s or '—'}）" if ja else f"{p} ({s or '—'})" for p, s in zip(h.plans, h.plan_status))
        high_rows.append([h.risk_id, h.asset, h.threat, h.vulnerability, h.risk_value, h.evaluation, h.treatment,
                          h.controls, plans, h.residual_risk, h.residual_evaluation, h.owner])
        band, rband = method.band(h.risk_value), method.band(h.residual_risk) if h.residual_risk is not None else None
        colours = (hex_colour(band.fill), hex_colour(band.font, "000000"))
        rcolours = (hex_colour(rband.fill), hex_colour(rband.font, "000000")) if rband else None
        high_fills.append([None] * 4 + [colours, colours] + [None] * 3 + [rcolours, rcolours, None])
    low = f"{summary.treat_from:g}"
    write_table(wb.add_worksheet(names[1]), fmts,
                title=(f"リスク値 {low} 以上のリスク（リスク対応の対象）と対応・残留リスク" if ja
                       else f"Risks valued {low} and above (to be treated), their treatment and residual risk"),
                subtitle=subtitle, columns=HIGH_COLUMNS, rows=high_rows, lang=lang, fills=high_fills)

    ws3 = wb.add_worksheet(names[2])
    plan_rows = [[p.plan_id, p.risk_ids, p.measure, p.responsible, p.due_on, p.status, p.completed_on,
                  p.days_overdue or None] for p in sorted(summary.plans, key=_status_order)]
    header_row = write_table(ws3, fmts, title="リスク対応計画（状況別）" if ja else "Treatment plans by status",
                             subtitle=subtitle, columns=PLAN_COLUMNS, rows=plan_rows, lang=lang)
    s0 = header_row + len(plan_rows) + 3
    ws3.write_string(s0, 0, "状況" if ja else "Status", head)
    ws3.write_string(s0, 1, "件数" if ja else "Plans", head)
    counts = summary.progress.counts if summary.progress else dict.fromkeys(PLAN_STATUSES, 0)
    for k, status in enumerate(PLAN_STATUSES, start=1):
        ws3.write_string(s0 + k, 0, status if ja else STATUS_EN[status], plain)
        ws3.write_number(s0 + k, 1, counts.get(status, 0), plain)
    bar = wb.add_chart({"type": "bar"})
    bar.add_series({"name": "件数" if ja else "Plans", "categories": [names[2], s0 + 1, 0, s0 + len(PLAN_STATUSES), 0],
                    "values": [names[2], s0 + 1, 1, s0 + len(PLAN_STATUSES), 1], "data_labels": {"value": True},
                    "points": [{"fill": {"color": "#" + STATUS_FILL[s]}} for s in PLAN_STATUSES]})
    bar.set_title({"name": "状況別の対応計画" if ja else "Plans by status"})
    bar.set_legend({"none": True})
    ws3.insert_chart(s0, 3, bar)

    overdue = [[p.plan_id, p.risk_ids, p.measure, p.responsible, p.due_on, p.status, p.completed_on, p.days_overdue]
               for p in sorted(summary.overdue, key=lambda p: (-p.days_overdue, p.plan_id))]
    write_table(wb.add_worksheet(names[3]), fmts,
                title=(f"期限超過の対応計画（{summary.as_of.isoformat()} 時点）" if ja
                       else f"Overdue treatment plans (as of {summary.as_of.isoformat()})"),
                subtitle=subtitle, columns=PLAN_COLUMNS, rows=overdue, lang=lang)
    wb.close()
    return path


def _status_order(p) -> tuple:
    order = {s: i for i, s in enumerate(PLAN_STATUSES)}
    return (order.get(p.status, len(order)), p.plan_id)

