"""XREF-100 … 103: the supplier register (B-19) against the evaluation before the contract (B-17),
the yearly evaluation (B-18) and the asset register (B-01) — Annex A 5.19 – 5.22."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from isms_xl.findings import Finding
from isms_xl.forms.b17_new_supplier_evaluation import PASS
from isms_xl.forms.b19_supplier_register import ACTIVE, SIGNED
from isms_xl.reader.model import Record
from isms_xl.rules._util import day_of as _day, ids_of as _ids
from isms_xl.rules.registry import CheckContext, rule


def _passed(ctx: CheckContext, evaluation: Record) -> bool | None:
    """Whether a B-17 evaluation passed, recomputed from its scores (the 判定 cell may be stale,
    which CALC-001 reports); its 判定 when there are no scores; None when neither says."""
    rows = [r.values for r in evaluation.tables.get("criteria", [])]
    scores = [(r.get("score"), r.get("max_points")) for r in rows if r.get("score") is not None]
    top = sum(m or 0 for _, m in scores)
    if scores and top > 0:
        return sum(s for s, _ in scores) >= ctx.config.method.setting("b17_pass_ratio") * top
    verdict = evaluation.values.get("verdict")
    return None if verdict is None else verdict == PASS


def _evaluations(ctx: CheckContext, supplier: Record) -> list[Record]:
    """The supplier's B-17 evaluations: those naming it, and the one it names if that names no one."""
    sid = str(supplier.values.get("supplier_id"))
    named = _ids(supplier.values.get("initial_evaluation_id"))
    return [e for e in ctx.records("B-17") if str(e.values.get("supplier_id")) == sid
            or (e.values.get("supplier_id") is None and str(e.values.get("evaluation_id")) in named)]


def _initial_evaluation_problem(ctx: CheckContext, supplier: Record) -> tuple[str, str] | None:
    """What is wrong with the supplier's evaluation before the contract (ja, en), or None."""
    contract = _day(supplier.values.get("contract_on"))
    evaluations = _evaluations(ctx, supplier)
    verdicts = [(e, _passed(ctx, e)) for e in evaluations]
    if any(ok and (contract is None or _day(e.values.get("evaluated_on")) is None
                   or _day(e.values.get("evaluated_on")) <= contract) for e, ok in verdicts):
        return None
    if any(ok is None for _, ok in verdicts):
        return None  # an evaluation with neither scores nor 判定 cannot be judged
    late = sorted(_day(e.values.get("evaluated_on")) for e, ok in verdicts if ok)
    if late:
        return (f"合格した新規委託先評価が契約日 {contract} より後の {late[0]} のものしかありません（契約前に評価してください）",
                f"The only passing initial evaluation ({late[0]}) is dated after the contract ({contract}); "
                "evaluate before contracting")
    if evaluations:
        return ("新規委託先評価表に合格した評価がありません", "No passing initial evaluation in B-17 (new supplier evaluation)")
    return ("新規委託先評価表にこの委託先の評価がありません", "No initial evaluation of this supplier in B-17 (new supplier evaluation)")


@rule("XREF-100", "error", ("B-19", "B-17"), "契約日以前に合格した新規委託先評価がない",
      "B-19 supplier without a passing B-17 evaluation dated on or before the contract")
def xref_100(ctx: CheckContext) -> Iterator[Finding]:
    known = ctx.by_id("B-17")
    for s in ctx.records("B-19"):
        named = s.values.get("initial_evaluation_id")
        missing = [e for e in _ids(named) if e not in known]
        problem = ((f"初回評価ID {'、'.join(missing)} が新規委託先評価表にありません",
                    f"Initial evaluation id {', '.join(missing)} is not in B-17") if missing
                   else _initial_evaluation_problem(ctx, s))
        if problem:
            yield ctx.at("B-19", s, "initial_evaluation_id", named, *problem)


@rule("XREF-101", "error", ("B-19", "B-18"), "取引中の委託先に直近12か月の継続評価がない",
      "B-19 active supplier without a B-18 evaluation in the last 12 months")
def xref_101(ctx: CheckContext) -> Iterator[Finding]:
    limit = ctx.months_ago(12)
    latest: dict[str, dt.date] = {}
    for e in ctx.records("B-18"):
        sid, day = e.values.get("supplier_id"), _day(e.values.get("evaluated_on"))
        if sid is not None and day is not None and day > latest.get(str(sid), dt.date.min):
            latest[str(sid)] = day
    for s in ctx.records("B-19"):
        contract = _day(s.values.get("contract_on"))
        if s.values.get("status") != ACTIVE or (contract is not None and contract > limit):
            continue  # ended, or contracted less than a year ago: no yearly evaluation due yet
        last = latest.get(str(s.values.get("supplier_id")))
        if last is None:
            yield ctx.at("B-19", s, "last_evaluated_on", None, "取引中の委託先ですが委託先継続評価表に評価がありません",
                         "Active supplier with no periodic evaluation in B-18")
        elif last < limit:
            yield ctx.at("B-19", s, "last_evaluated_on", last,
                         f"取引中の委託先の最新の継続評価が {last} で、12か月以上経過しています（{limit} 以降の評価が必要）",
                         f"The latest periodic evaluation of this active supplier is {last}, more than 12 months ago "
                         f"(one on or after {limit} is needed)")


@rule("XREF-102", "error", ("B-19",), "取引中の委託先と機密保持契約が未締結", "B-19 active supplier with NDA 未締結")
def xref_102(ctx: CheckContext) -> Iterator[Finding]:
    for s in ctx.records("B-19"):
        nda = s.values.get("nda")
        if s.values.get("status") == ACTIVE and nda != SIGNED:
            yield ctx.at("B-19", s, "nda", nda,
                         f"取引中の委託先ですが機密保持契約が{nda or '空欄'}です（{SIGNED}であること）",
                         f"Active supplier with the NDA {nda or 'blank'} (it must be {SIGNED}, signed)")


@rule("XREF-103", "error", ("B-19", "B-01"), "取扱う情報資産が情報資産台帳にない", "B-19 asset id not in B-01")
def xref_103(ctx: CheckContext) -> Iterator[Finding]:
    assets = ctx.by_id("B-01")
    for s in ctx.records("B-19"):
        value = s.values.get("assets")
        missing = [a for a in _ids(value) if a not in assets]
        if missing:
            yield ctx.at("B-19", s, "assets", value, f"取扱う情報資産 {'、'.join(missing)} が情報資産台帳にありません",
                         f"Asset {', '.join(missing)} handled by the supplier is not in B-01 (asset register)")
