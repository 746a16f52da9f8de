"""derived.risks_by_control (the SoA's traceability: control -> the B-02 risks selecting it,
directly or through a B-03 plan, in B-02 order) against a plain per-record reading, over
registers changed at random, with its columns read from the records or from a run's cache."""

from __future__ import annotations

import copy
import random
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.derived import risks_by_control
from isms_xl.reader.model import shared_column
from tests import xref_demo

demo = xref_demo.demo


def _as_tuple(value):
    return () if value is None else value if isinstance(value, tuple) else (value,)


def oracle(b02, b03):
    order = {rid: i for i, rid in enumerate(b02.ids())}
    by_control: dict[str, dict[str, None]] = {}
    for record in b02.records:
        rid = record.values.get("risk_id")
        if rid is None:
            continue
        for cid in _as_tuple(record.values.get("controls")):
            by_control.setdefault(cid, {})[rid] = None
    for plan in b03.records:
        risks = [r for r in _as_tuple(plan.values.get("risk_ids")) if r in order]
        for cid in _as_tuple(plan.values.get("controls")):
            related = by_control.setdefault(cid, {})
            for r in risks:
                related[r] = None
    return {cid: sorted(related, key=lambda r: order.get(r, len(order))) for cid, related in by_control.items()}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.1, 0.5]))
def test_risks_by_control_equals_a_plain_reading(demo, seed, share):
    _, forms, _ = demo
    rng = random.Random(seed)
    b02, b03 = copy.deepcopy(forms["B-02"]), copy.deepcopy(forms["B-03"])
    risk_ids = [r.values.get("risk_id") for r in b02.records] + [None, "R-999"]
    controls = [None, (), ("A.5.15",), ("A.8.8", "A.5.15"), "A.5.1"]
    for r in b02.records:
        if rng.random() < share:
            r.values["risk_id"] = rng.choice(risk_ids)  # blanks and repeats too
        if rng.random() < share:
            r.values["controls"] = rng.choice(controls)
    rng.shuffle(b02.records)
    for p in b03.records:
        if rng.random() < share:
            p.values["risk_ids"] = tuple(rng.sample([x for x in risk_ids if x], 2)) if rng.random() < 0.8 else None
        if rng.random() < share:
            p.values["controls"] = rng.choice(controls)
    want = oracle(b02, b03)
    assert risks_by_control(b02, b03) == want
    assert risks_by_control(b02, b03, partial(shared_column, {})) == want
    assert list(risks_by_control(b02, b03)) == list(want)  # controls in the same order too
