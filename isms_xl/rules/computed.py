"""CALC-001 … CALC-003: every computed cell against the method (isms_xl.recompute)."""

from __future__ import annotations

from dataclasses import replace

from isms_xl.findings import Finding
from isms_xl.recompute import SEVERITY, recompute_form
from isms_xl.rules.registry import CheckContext, rule

_TITLES = {
    "CALC-001": ("計算値が方法と一致しない", "a computed cell's value differs from what the method gives"),
    "CALC-002": ("数式の代わりに値が入力されている", "a computed cell holds a constant where the template had a formula"),
    "CALC-003": ("塗りつぶしが帯の色と一致しない", "a computed cell's fill does not match its band"),
}


def recomputed(ctx: CheckContext) -> list[Finding]:
    """Recompute every form once per run; the three CALC rules share the result."""
    if "recomputed" not in ctx.cache:
        ctx.cache["recomputed"] = [replace(f, workbook=ctx.workbook(form)) for form in ctx.forms.values()
                                   for f in recompute_form(form, ctx.config, ctx.forms, ctx.cache).findings]
    return ctx.cache["recomputed"]


def _register(rule_id: str) -> None:
    ja, en = _TITLES[rule_id]
    rule(rule_id, SEVERITY[rule_id], (), ja, en)(lambda ctx: [f for f in recomputed(ctx) if f.rule == rule_id])


for _rule_id in _TITLES:
    _register(_rule_id)
