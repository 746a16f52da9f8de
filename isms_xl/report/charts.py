"""The report's pictures as inline SVG: the risk heat map (inherent next to residual), the
treatment-plan progress bar and the trend of findings over past runs.

Built by hand rather than with a plotting library: no extra dependency, the SVG scales with the
page, its text is real text in the page's Japanese font (searchable, copyable, sharp in print),
and every mark carries ``data-*`` attributes so tests can compare it with the records.

Every piece of text that reaches the SVG is escaped here (band labels come from the user's
``isms_xl.toml``); colours are checked to be six hex digits. The functions return
``markupsafe.Markup`` so the autoescaping template inserts them as they are.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from isms_xl.method import LEVELS, BandStyle, Method

__all__ = [
    "HeatMap", "PlanProgress", "PLAN_STATUSES", "risk_heatmap", "plan_progress", "heatmap_svg", "progress_svg",
    "trend_svg", "severity_colours", "hex_colour",
]

REDUCE = "低減"  # forms/b02_risk_assessment.py; the only treatment whose residual levels differ
PLAN_STATUSES = ("未着手", "実施中", "完了", "中止")  # forms/b03_treatment_plan.py, in the order of work
CLOSED_STATUSES = ("完了", "中止")
STATUS_EN = {"未着手": "Not started", "実施中": "In progress", "完了": "Done", "中止": "Cancelled"}
STATUS_FILL = {"未着手": "BFBFBF", "実施中": "9BC2E6", "完了": "A9D08E", "中止": "EDEDED"}
UNKNOWN_FILL = "F4B183"
SEVERITIES = ("error", "warning", "info")
TREND_FILL = {"error": "C0504D", "warning": "E6B422", "info": "8FBC5A"}
# Severity → the method band whose colours it wears: error looks like "treat", warning like
# "acceptable", info like "accept" (the colours people already read in the risk sheets).
SEVERITY_BAND = {"error": "treat", "warning": "acceptable", "info": "accept"}
_FALLBACK = {"error": ("FFC7CE", "9C0006"), "warning": ("FFEB9C", "9C5700"), "info": ("C6EFCE", "006100")}

_HEX = re.compile(r"[0-9A-Fa-f]{6}")


def hex_colour(value: Any, default: str = "D9D9D9") -> str:
    """``RRGGBB`` (upper case) when ``value`` is six hex digits, else ``default``: colours come
    from the user's configuration and end up inside ``style`` and ``fill`` attributes."""
    text = str(value or "").lstrip("#")
    return text.upper() if _HEX.fullmatch(text) else default


def severity_colours(method: Method) -> dict[str, tuple[str, str]]:
    """Fill and font colour of each severity, taken from the method's bands where one maps."""
    bands = {b.key: b for b in method.bands}
    out = {}
    for sev in SEVERITIES:
        band = bands.get(SEVERITY_BAND[sev])
        fill, font = _FALLBACK[sev]
        out[sev] = (hex_colour(band.fill, fill), hex_colour(band.font, font)) if band else (fill, font)
    return out


# --- data ----------------------------------------------------------------------------------------


def _level(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value in LEVELS:
        return int(value)
    return None


@dataclass(frozen=True)
class HeatMap:
    """Counts of risks per cell of the manual's acceptance table.

    ``counts[impact - 1][(threat - 1) * 3 + vulnerability - 1]``; ``unplaced`` counts the records
    that could not be placed (a level blank or outside 1–3; for the residual map also a 低減 row
    without its residual levels).
    """

    residual: bool
    counts: tuple[tuple[int, ...], ...]
    unplaced: int

    @property
    def placed(self) -> int:
        return sum(map(sum, self.counts))

    def cell(self, impact: int, threat: int, vulnerability: int) -> int:
        return self.counts[impact - 1][(threat - 1) * 3 + vulnerability - 1]

    def by_band(self, method: Method) -> dict[str, int]:
        out = {b.key: 0 for b in method.bands}
        for i in LEVELS:
            for t in LEVELS:
                for v in LEVELS:
                    out[method.band(method.risk_value(i, t, v)).key] += self.cell(i, t, v)
        return out


def _levels(values: Mapping[str, Any], residual: bool) -> tuple[int | None, int | None, int | None]:
    impact, threat, vuln = values.get("impact"), values.get("threat_level"), values.get("vulnerability_level")
    if residual and values.get("treatment") == REDUCE:
        # B-02 residual_impact: "blank → the impact" (the manual keeps the impact unless the
        # treatment lowers it); threat and vulnerability have no such default (RISK-002).
        residual_impact = values.get("residual_impact")
        impact = residual_impact if residual_impact is not None else impact
        threat, vuln = values.get("residual_threat_level"), values.get("residual_vulnerability_level")
    return _level(impact), _level(threat), _level(vuln)


def risk_heatmap(records: Iterable[Any], residual: bool = False) -> HeatMap:
    """Count B-02 records by (impact, threat, vulnerability): the levels as assessed, or, with
    ``residual``, the levels after treatment — the residual levels for rows treated by 低減, the
    assessed levels for the others (受容, 共有, 回避 keep the risk as it was assessed)."""
    counts = [[0] * 9 for _ in LEVELS]
    unplaced = 0
    for record in records:
        values = record if isinstance(record, Mapping) else record.values
        i, t, v = _levels(values, residual)
        if i is None or t is None or v is None:
            unplaced += 1
            continue
        counts[i - 1][(t - 1) * 3 + v - 1] += 1
    return HeatMap(residual, tuple(tuple(row) for row in counts), unplaced)


@dataclass(frozen=True)
class PlanProgress:
    """B-03 plans by status, and how many open plans are past their 完了予定日."""

    counts: dict[str, int] = field(default_factory=dict)  # PLAN_STATUSES order
    unknown: int = 0  # status blank or not one of the four
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.unknown


def plan_progress(records: Iterable[Any], today: dt.date) -> PlanProgress:
    """Overdue as RISK-009 counts it: 完了予定日 before today and the plan neither 完了 nor 中止."""
    counts = dict.fromkeys(PLAN_STATUSES, 0)
    unknown = overdue = 0
    for record in records:
        values = record if isinstance(record, Mapping) else record.values
        status = values.get("status")
        if status in counts:
            counts[status] += 1
        else:
            unknown += 1
        due = values.get("due_on")
        if isinstance(due, dt.datetime):
            due = due.date()
        if isinstance(due, dt.date) and due < today and status not in CLOSED_STATUSES:
            overdue += 1
    return PlanProgress(counts, unknown, overdue)


# --- SVG -----------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _attrs(**attrs: Any) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items() if v is not None)


def _text(x: float, y: float, content: Any, **attrs: Any) -> str:
    return f'<text x="{_num(x)}" y="{_num(y)}"{_attrs(**attrs)}>{escape(content)}</text>'


def _svg(width: float, height: float, label: str, body: Sequence[str], element_id: str, css_class: str) -> Markup:
    title_id = f"{element_id}-title"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" class="{escape(css_class)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
            f'role="img" aria-labelledby="{escape(title_id)}">'
            f'<title id="{escape(title_id)}">{escape(label)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def band_range_text(method: Method, band: BandStyle, lang: str = "ja") -> str:
    """"≤ 6", "7–9", "≥ 10" style bounds of a band, from the method's thresholds."""
    values = [v for v in method.possible_values() if method.band(v).key == band.key]
    if not values:
        return ""
    lo, hi = _num(min(values)), _num(max(values))
    return lo if lo == hi else f"{lo}–{hi}"


def heatmap_svg(heat: HeatMap, method: Method, lang: str = "ja", *, element_id: str, label: str) -> Markup:
    """The manual's acceptance table as a picture: impact rows 1–3 × (threat, vulnerability)
    columns 1,1 … 3,3, each cell in its band's colour with the number of risks in it."""
    ja = lang == "ja"
    cw, ch, gap = 46, 40, 5  # cell width / height; gap between threat groups
    left, top = 62, 46
    width = left + 9 * cw + 2 * gap + 2
    height = top + 3 * ch + 2
    body = [
        _text(left - 6, 16, "脅威" if ja else "Threat", class_="hm-axis", text_anchor="end"),
        _text(left - 6, 38, "ぜい弱性" if ja else "Vuln.", class_="hm-axis", text_anchor="end"),
    ]
    for t in LEVELS:
        x0 = left + (t - 1) * (3 * cw + gap)
        body.append(f'<rect x="{x0}" y="2" width="{3 * cw}" height="20" class="hm-group"/>')
        body.append(_text(x0 + 1.5 * cw, 16, str(t), class_="hm-head", text_anchor="middle"))
        for v in LEVELS:
            body.append(_text(x0 + (v - 0.5) * cw, 38, str(v), class_="hm-sub", text_anchor="middle"))
    for i in LEVELS:
        y = top + (i - 1) * ch
        body.append(_text(left - 6, y + ch / 2 + 5, f"{'損害' if ja else 'Impact'} {i}", class_="hm-axis",
                          text_anchor="end"))
        for t in LEVELS:
            for v in LEVELS:
                x = left + (t - 1) * (3 * cw + gap) + (v - 1) * cw
                value = method.risk_value(i, t, v)
                band = method.band(value)
                count = heat.cell(i, t, v)
                fill, font = hex_colour(band.fill), hex_colour(band.font, "000000")
                faded = "" if count else ' fill-opacity="0.35"'
                band_label = band.ja if ja else band.en
                tip = (f"損害 {i}・脅威 {t}・ぜい弱性 {v}: リスク値 {_num(value)}（{band_label}）{count} 件" if ja else
                       f"Impact {i}, threat {t}, vulnerability {v}: risk value {_num(value)} ({band_label}), {count}")
                body.append(
                    f'<g class="hm-cell{" hm-empty" if not count else ""}"'
                    + _attrs(data_impact=i, data_threat=t, data_vulnerability=v, data_value=_num(value),
                             data_band=band.key, data_count=count)
                    + f'><title>{escape(tip)}</title>'
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cw - 2}" height="{ch - 2}" rx="3" fill="#{fill}"'
                    f'{faded}/>'
                    + _text(x + 5, y + 13, _num(value), class_="hm-value", fill=f"#{font}")
                    + (_text(x + cw / 2, y + ch / 2 + 9, count, class_="hm-count", text_anchor="middle",
                             fill=f"#{font}") if count else "")
                    + "</g>")
    return _svg(width, height, label, body, element_id, "chart heatmap")


def progress_svg(progress: PlanProgress, lang: str = "ja", *, element_id: str = "plan-progress",
                 label: str = "") -> Markup:
    """One bar split by status, widths in proportion to the number of plans."""
    ja = lang == "ja"
    width, bar_h, top = 640, 30, 4
    parts = [(s, progress.counts.get(s, 0), STATUS_FILL[s], s if ja else STATUS_EN[s]) for s in PLAN_STATUSES]
    if progress.unknown:
        parts.append(("unknown", progress.unknown, UNKNOWN_FILL, "不明" if ja else "Unknown"))
    total = progress.total
    body = [f'<rect x="0" y="{top}" width="{width}" height="{bar_h}" class="pg-track"/>']
    x = 0.0
    for key, count, fill, name in parts:
        w = width * count / total if total else 0
        tip = f"{name}: {count} 件" if ja else f"{name}: {count}"
        body.append('<g class="pg-part"' + _attrs(data_status=key, data_count=count) + f'><title>{escape(tip)}</title>'
                    f'<rect x="{x:.2f}" y="{top}" width="{w:.2f}" height="{bar_h}" fill="#{fill}"/>'
                    + (_text(x + w / 2, top + bar_h / 2 + 5, count, class_="pg-count", text_anchor="middle")
                       if w >= 22 else "")
                    + "</g>")
        x += w
    return _svg(width, bar_h + 2 * top, label or ("リスク対応計画の進捗" if ja else "Treatment plan progress"),
                body, element_id, "chart progress")


def _nice_max(value: int) -> tuple[int, int]:
    """An axis maximum ≥ value and its step, with steps of 1, 2 or 5 × 10^k and ~4 gridlines."""
    if value <= 4:
        return 4, 1
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return int(math.ceil(value / step) * step), int(step)


def trend_svg(runs: Sequence[Mapping[str, Any]], lang: str = "ja", *, element_id: str = "trend",
              label: str = "") -> Markup:
    """Stacked columns, one per run (oldest left): errors at the bottom, then warnings, infos."""
    ja = lang == "ja"
    names = {"error": "エラー", "warning": "警告", "info": "情報"} if ja else {
        "error": "errors", "warning": "warnings", "info": "infos"}
    width, height = 900, 230
    left, right, top, bottom = 46, 12, 10, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(int(r.get(s) or 0) for s in SEVERITIES) for r in runs]
    ymax, step = _nice_max(max(totals, default=0))
    body = []
    for k in range(0, ymax + 1, step):
        y = top + plot_h - plot_h * k / ymax
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="tr-grid"/>')
        body.append(_text(left - 6, y + 4, k, class_="tr-tick", text_anchor="end"))
    n = len(runs)
    slot = plot_w / max(n, 1)
    bar = max(2.0, min(28.0, slot * 0.7))
    label_every = max(1, math.ceil(78 / slot))  # a date label is about 70 px wide
    for idx, run in enumerate(runs):
        x = left + slot * idx + (slot - bar) / 2
        day = str(run.get("today") or str(run.get("checked_at") or "")[:10])
        counts = {s: int(run.get(s) or 0) for s in SEVERITIES}
        tip = f"{day}: " + ", ".join(f"{names[s]} {counts[s]}" for s in SEVERITIES)
        y = top + plot_h
        rects = []
        for s in SEVERITIES:
            h = plot_h * counts[s] / ymax
            y -= h
            if h > 0:
                rects.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{bar:.2f}" height="{h:.2f}" '
                             f'fill="#{TREND_FILL[s]}" class="tr-{s}"/>')
        body.append('<g class="tr-run"' + _attrs(data_run=run.get("run"), data_date=day, data_error=counts["error"],
                                                  data_warning=counts["warning"], data_info=counts["info"])
                    + f'><title>{escape(tip)}</title>' + "".join(rects) + "</g>")
        last_apart = idx == n - 1 and idx % label_every >= label_every / 2  # the newest, unless crowded
        if idx % label_every == 0 or last_apart:
            body.append(_text(x + bar / 2, height - bottom + 18, day, class_="tr-date", text_anchor="middle"))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" class="tr-axis"/>')
    return _svg(width, height, label or ("検出件数の推移" if ja else "Findings over time"), body, element_id,
                "chart trend")
