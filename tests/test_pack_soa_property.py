"""The SoA traceability agrees with B-02/B-03 on any demo folder (Hypothesis picks the seed): the
summary's risks and plans per control are the ones B-02 and B-03 name, and the recomputed copy of
A-02 says the same in its 採用理由:リスク対応 and 関連リスクID cells."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.config import load_config
from isms_xl.demo import generate_demo
from isms_xl.forms.a02_soa import MARK
from isms_xl.pack.copies import copy_workbooks
from isms_xl.pack.soa_summary import soa_summary
from tests.packfix import as_tuple, expected_traceability, read_forms


@pytest.mark.slow
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1),
       as_of=st.dates(min_value=dt.date(2024, 5, 1), max_value=dt.date(2030, 3, 31)))
def test_soa_traceability_agrees_with_b02_and_b03(seed, as_of):
    with tempfile.TemporaryDirectory() as tmp:
        folder, dest = Path(tmp) / "src", Path(tmp) / "copies"
        generate_demo(folder, as_of=as_of, seed=seed)
        copies, left_out = copy_workbooks(folder, dest, load_config(folder))
        assert left_out == [] and len(copies) == 28
        forms = read_forms(dest)
        risks, plans = expected_traceability(forms)
        summary = soa_summary(forms)
        soa_ids = [str(r.values["control_id"]) for r in forms["A-02"].records if r.values.get("control_id")]
        assert [row.control_id for row in summary.rows] == soa_ids
        order = {rid: i for i, rid in enumerate(forms["B-02"].ids())}
        for row in summary.rows:
            assert set(row.risks) == risks.get(row.control_id, set()), row.control_id
            assert list(row.risks) == sorted(row.risks, key=order.__getitem__)  # in B-02 order
            assert set(row.plans) == plans.get(row.control_id, set()), row.control_id
        assert set(summary.not_in_soa) == (set(risks) | set(plans)) - set(soa_ids)
        # The recomputed A-02 in the copy: ○ exactly where a risk selects the control, and the ids.
        for record in forms["A-02"].records:
            cid = str(record.values.get("control_id"))
            selected = risks.get(cid, set())
            assert (record.values.get("reason_risk") == MARK) == bool(selected), cid
            assert set(as_tuple(record.values.get("related_risks"))) == selected, cid
