"""XREF-130, 131: management review minutes (B-25) — §9.3: a review at planned intervals (the
manual: once a year) that considers every input of ISO/IEC 27001:2022 §9.3.2 a) – g)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from isms_xl.findings import Finding
from isms_xl.forms.b25_management_review import INPUTS
from isms_xl.reader.model import Record
from isms_xl.rules._util import day_of as _day
from isms_xl.rules.registry import CheckContext, rule

# Words that identify each §9.3.2 input however the minutes phrase it (INPUTS order, a – g); the
# printed item letter ("d)", "（ｄ）") is used when no word matches.
_INPUT_WORDS: tuple[tuple[str, ...], ...] = (
    ("前回", "処置の状況"),
    ("課題",),
    ("ニーズ", "期待"),
    ("パフォーマンス", "不適合", "是正", "監視", "測定", "監査結果", "目的の達成", "目標の達成"),
    ("からのフィードバック", "利害関係者からの", "顧客"),
    ("リスクアセスメント", "リスク対応"),
    ("継続的改善", "改善の機会"),
)
_LETTER = re.compile(r"^\s*\(?([a-g])[).\s]", re.IGNORECASE)
_LABELS = tuple(f"{chr(ord('a') + i)}) {text}" for i, text in enumerate(INPUTS))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _inputs_named(text: Any) -> set[int]:
    """Which §9.3.2 inputs (0 – 6) a row's インプット names. Every input whose words appear counts,
    so that a row such as 「課題の変化（前回からの変更）」 cannot hide the input it is about."""
    if _blank(text):
        return set()
    value = unicodedata.normalize("NFKC", str(text))
    named = {i for i, words in enumerate(_INPUT_WORDS) if any(w in value for w in words)}
    letter = _LETTER.match(value)
    return named or ({ord(letter.group(1).lower()) - ord("a")} if letter else set())


@rule("XREF-130", "error", ("B-25",), "直近12か月にマネジメントレビューがない",
      "no B-25 management review in the last 12 months")
def xref_130(ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.months_ago(12)
    held = [(day, r) for r in ctx.records("B-25") if (day := _day(r.values.get("held_on"))) and day <= ctx.today]
    if not held:
        if not any(_day(r.values.get("held_on")) is None for r in ctx.records("B-25")):
            yield ctx.at("B-25", None, None, None, "開催済みのマネジメントレビューの議事録がありません（年1回以上の開催が必要です）",
                         "No minutes of a management review held so far (one is due at least once a year)")
        return
    day, latest = max(held, key=lambda pair: pair[0])
    if day < limit:
        yield ctx.at("B-25", latest, "held_on", day,
                     f"最新のマネジメントレビューが {day} で、12か月以上開催されていません（{limit} 以降の開催が必要）",
                     f"The latest management review was held on {day}, more than 12 months ago "
                     f"(one on or after {limit} is due)")


def _empty_reports(ctx: CheckContext, review: Record) -> Iterator[Finding]:
    for row in review.tables.get("inputs", []):
        item = row.values.get("input_item")
        if not _blank(item) and _blank(row.values.get("report")):
            yield ctx.at("B-25", review, "report", None, f"インプット「{item}」の報告内容が空欄です",
                         f"Nothing is reported for the input “{item}”", cell=row.cell("report"))


@rule("XREF-131", "warning", ("B-25",), "§9.3.2 のインプットが空欄のマネジメントレビュー",
      "a B-25 review that leaves one of the §9.3.2 inputs empty")
def xref_131(ctx: CheckContext) -> Iterator[Finding]:
    for review in ctx.records("B-25"):
        yield from _empty_reports(ctx, review)
        covered = set().union(*(_inputs_named(r.values.get("input_item")) for r in review.tables.get("inputs", [])))
        missing = [label for i, label in enumerate(_LABELS) if i not in covered]
        if missing:
            yield ctx.at("B-25", review, "review_id", review.values.get("review_id"),
                         f"§9.3.2 のインプットのうち {'、'.join(missing)} が議事録にありません",
                         f"The minutes do not cover the §9.3.2 input(s) {'; '.join(missing)}")
