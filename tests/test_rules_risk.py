"""RISK-001 … RISK-010 on the demo folder: each seeded defect gives exactly its finding at its
cell, and the same record made clean gives none. Then the rules against a plain per-record
reading of method.md (the oracle below), over B-02/B-03 records changed at random: the rules
read shared columns and cached risk values for speed, and must find exactly what the oracle
finds, at the same cells, with the same values."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.config import load_config
from isms_xl.forms.b02_risk_assessment import REDUCE, RETAIN
from isms_xl.forms.b03_treatment_plan import CANCELLED, DONE
from isms_xl.rules import RULES, CheckContext
from isms_xl.rules.registry import load_builtin_rules
from tests import xref_demo
from tests.xref_demo import AS_OF, changed_at_random, seeded

load_builtin_rules()
demo, ctx = xref_demo.demo, xref_demo.ctx  # the shared demo folder's fixtures

RISK = sorted(r for r in RULES if r.startswith("RISK-"))
SEEDED = ("RISK-001", "RISK-002", "RISK-003", "RISK-004", "RISK-005", "RISK-006", "RISK-007", "RISK-008", "RISK-009")
PLACE = ("rule", "form", "sheet", "cell", "record")


def found(ctx: CheckContext, rule_id: str) -> list:
    ctx.current = RULES[rule_id]
    return list(RULES[rule_id].func(ctx))


@pytest.mark.parametrize("rule_id", SEEDED)
def test_seeded_defect_is_found_exactly_at_its_cell(demo, ctx, rule_id):
    defect = seeded(demo, rule_id)
    [f] = found(ctx, rule_id)
    assert (f.rule, f.form, f.sheet, f.cell, f.record) == tuple(defect[k] for k in PLACE)


# What makes each seeded record clean: the change a person would make.
CLEAN = {
    "RISK-001": {"committee_approval": "2026/04/20 推進委員会"},
    "RISK-002": {"controls": ("A.8.8",), "residual_threat_level": 1, "residual_vulnerability_level": 1},
    "RISK-003": {"owner_approved_on": dt.date(2026, 5, 1)},
    "RISK-004": {"notes": "受容可能と判断"},
    "RISK-005": {"notes": "影響は限定的"},
    "RISK-006": {"plan_ids": ("P-001",)},
    "RISK-007": {"assessed_on": AS_OF - dt.timedelta(days=30)},
}


@pytest.mark.parametrize("rule_id", sorted(CLEAN))
def test_the_seeded_record_made_clean_gives_no_finding(demo, ctx, rule_id):
    forms = dict(ctx.forms)
    b02 = forms["B-02"] = copy.deepcopy(forms["B-02"])
    rid = seeded(demo, rule_id)["record"]
    [record] = [r for r in b02.records if r.values.get("risk_id") == rid]
    record.values.update(CLEAN[rule_id])
    fresh = CheckContext(forms, ctx.config, ctx.today, ctx.folder)
    assert found(fresh, rule_id) == []


# --- the oracle: method.md read record by record ----------------------------------------------

def _has(r, key):
    return r.values.get(key) not in (None, (), "")


def _value(method, r):
    i, t, v = (r.values.get(k) for k in ("impact", "threat_level", "vulnerability_level"))
    return method.risk_value(i, t, v) if None not in (i, t, v) else None


def _residual(method, r):
    i = r.values.get("residual_impact") or r.values.get("impact")
    t, v = r.values.get("residual_threat_level"), r.values.get("residual_vulnerability_level")
    return method.risk_value(i, t, v) if None not in (i, t, v) else None


_CIA = {"C": "confidentiality", "I": "integrity", "A": "availability",
        "機": "confidentiality", "完": "integrity", "可": "availability"}


def oracle(ctx: CheckContext) -> set[tuple]:
    """(rule, record id, column, value) of every finding method.md asks for."""
    m, out = ctx.config.method, set()
    assets = ctx.forms["B-01"].by_id()
    for r in ctx.forms["B-02"].records:
        rid, treatment, v = r.values.get("risk_id"), r.values.get("treatment"), _value(m, r)
        if v is not None and v > m.acceptable_max and treatment == RETAIN and not _has(r, "committee_approval"):
            out.add(("RISK-001", rid, "committee_approval", None))
        if treatment == REDUCE:
            if not _has(r, "controls"):
                out.add(("RISK-002", rid, "controls", None))
            missing = [k for k in ("residual_threat_level", "residual_vulnerability_level") if not _has(r, k)]
            if missing:
                out.add(("RISK-002", rid, missing[0], None))
        residual = _residual(m, r) if treatment == REDUCE else (v if treatment == RETAIN else None)
        if residual is not None and residual > m.accept_max and not _has(r, "owner_approved_on"):
            out.add(("RISK-003", rid, "residual_risk" if treatment == REDUCE else "owner_approved_on", residual))
        if v is not None and m.accept_max < v <= m.acceptable_max and treatment == RETAIN and not _has(r, "notes"):
            out.add(("RISK-004", rid, "notes", None))
        asset, impact = assets.get(str(r.values.get("asset_id"))), r.values.get("impact")
        if asset is not None and impact is not None and not _has(r, "notes"):
            affected = str(r.values.get("affected") or "")
            props = dict.fromkeys([_CIA[ch] for ch in affected.upper() if ch in _CIA] or _CIA.values())
            ratings = [asset.values.get(p) for p in props if asset.values.get(p) is not None]
            if ratings and impact < max(ratings):
                out.add(("RISK-005", rid, "impact", impact))
        if treatment not in (None, RETAIN) and not _has(r, "plan_ids"):
            out.add(("RISK-006", rid, "plan_ids", None))
        day = r.values.get("assessed_on")
        if day is not None and day < ctx.months_ago(12):
            out.add(("RISK-007", rid, "assessed_on", day))
    risks = ctx.forms["B-02"].by_id()
    for p in ctx.forms["B-03"].records:
        pid, status, done_on = p.values.get("plan_id"), p.values.get("status"), p.values.get("completed_on")
        if status == DONE and done_on is None:
            out.add(("RISK-008", pid, "completed_on", None))
        elif status is not None and status != DONE and done_on is not None:
            out.add(("RISK-008", pid, "completed_on", done_on))
        start, due = p.values.get("start_on"), p.values.get("due_on")
        if start is not None and due is not None and due < start:
            out.add(("RISK-008", pid, "due_on", due))
        if due is not None and due < ctx.today and status not in (DONE, CANCELLED):
            out.add(("RISK-009", pid, "due_on", due))
        approver = p.values.get("approved_by")
        if approver is not None and p.values.get("approved_on") is not None:
            owners = {str(risks[x].values.get("risk_owner")) for x in p.values.get("risk_ids") or () if x in risks}
            owners.discard("None")
            if owners and str(approver) not in owners:
                out.add(("RISK-010", pid, "approved_by", approver))
    return out


CHOICES = {
    "treatment": [RETAIN, REDUCE, "共有", "回避", None],
    "impact": [1, 2, 3, None], "threat_level": [1, 2, 3, None], "vulnerability_level": [1, 2, 3, None],
    "residual_impact": [None, None, 1, 2, 3], "residual_threat_level": [1, 2, 3, None],
    "residual_vulnerability_level": [1, 2, 3, None],
    "committee_approval": [None, "", "2026/04/20 推進委員会"], "owner_approved_on": [None, dt.date(2026, 5, 1)],
    "notes": [None, "", "受容可能と判断"], "controls": [None, (), ("A.8.8",)], "plan_ids": [None, (), ("P-001",)],
    "affected": ["C", "CI", "CIA", "A", "機密", "", None, "X"],
    "assessed_on": [dt.date(2025, 1, 1), dt.date(2026, 4, 1), None],
}
PLAN_CHOICES = {
    "status": [DONE, CANCELLED, "実施中", "未着手", None],
    "completed_on": [None, dt.date(2026, 6, 1)],
    "start_on": [None, dt.date(2026, 5, 1), dt.date(2026, 12, 1)],
    "due_on": [None, dt.date(2026, 4, 1), dt.date(2027, 3, 1)],
    "approved_by": [None, "佐藤 花子", "鈴木 一郎", "高橋 健"],
}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.1, 0.5, 1.0]))
def test_the_rules_find_what_the_oracle_finds(demo, seed, share):
    folder, forms, _ = demo
    forms = changed_at_random(forms, {"B-02": CHOICES, "B-03": PLAN_CHOICES}, seed, share)
    fresh = CheckContext(forms, load_config(folder), AS_OF, folder)
    got = set()
    for rule_id in RISK:
        for f in found(fresh, rule_id):
            form = forms[f.form]
            [record] = [r for r in form.records if str(r.values.get(form.spec.id_column.key)) == f.record]
            [key] = [k for k, cell in record.cells.items() if cell.a1 == f.cell]
            got.add((f.rule, f.record, key, f.value))
    assert got == oracle(CheckContext(forms, load_config(folder), AS_OF, folder))
