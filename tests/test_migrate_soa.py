"""migrate_soa: the 2013 rows reach the 93 controls of 2022 as the Annex B correspondence says."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.catalog import NEW_IN_2022, load_catalog
from isms_xl.controls import short_id
from isms_xl.migrate.soa import UNDECIDED, migrate_soa, sources_by_control, targets_by_control
from tests.soa2013 import CONTROLS_2013, STATUSES, random_rows

SOURCES = sources_by_control()
TARGETS = targets_by_control()


def _row(cid, applicable, **kw):
    return {"control_id": cid, "applicable": applicable, **kw}


def _all(applicable="○", **kw):
    return [_row(cid, applicable, **kw) for cid in CONTROLS_2013]


def test_correspondence_shape():
    assert len(CONTROLS_2013) == 114 and len(SOURCES) == 93
    assert sorted(k for k, v in SOURCES.items() if not v) == sorted(NEW_IN_2022)
    assert TARGETS["A.18.2.3"] == ("A.5.36", "A.8.8")
    assert set(TARGETS) == set(CONTROLS_2013)


def test_one_to_one_carries_the_row():
    rows = _all("×", exclusion_reason="対象外")
    rows[CONTROLS_2013.index("A.9.2.1")] = _row("A.9.2.1", "○", reason_legal="○", reason_other="規程", status="実施中",
                                                  documents="ISMS-A-04 9.2", notes="メモ")
    m = migrate_soa(rows).by_id()["A.5.16"]
    assert m.kind == "one-to-one" and m.sources == ("A.9.2.1",)
    v = m.values
    assert (v["control_id"], v["applicable"], v["reason_legal"], v["reason_other"], v["status"], v["documents"]) == (
        "5.16", "○", "○", "規程", "実施中", "ISMS-A-04 9.2")
    assert "メモ" in v["notes"] and "A.9.2.1" in v["notes"]
    assert m.flags == [] and not m.needs_decision


def test_merged_applicable_when_any_source_was_and_reasons_joined():
    rows = {r["control_id"]: r for r in _all("○", status="実施済")}
    rows["A.9.2.2"] = _row("A.9.2.2", "○", reason_other="アカウント管理規程", status="実施済", documents="D1")
    rows["A.9.2.5"] = _row("A.9.2.5", "×", exclusion_reason="定期見直しは不要")
    rows["A.9.2.6"] = _row("A.9.2.6", "○", reason_other="退職手続", reason_contract="○", status="未実施", documents="D2")
    m = migrate_soa(list(rows.values())).by_id()["A.5.18"]
    assert m.kind == "merged" and m.sources == ("A.9.2.2", "A.9.2.5", "A.9.2.6")
    v = m.values
    assert v["applicable"] == "○" and v["reason_contract"] == "○"
    assert "アカウント管理規程" in v["reason_other"] and "退職手続" in v["reason_other"]
    assert v["documents"] == "D1\nD2"
    assert "定期見直しは不要" in v["notes"]  # the excluded source's reason is not lost
    codes = {f.code for f in m.flags}
    assert codes == {"mixed_decision", "status_conflict"}
    assert v["status"] == "実施中" and m.needs_decision


def test_merged_all_excluded_is_excluded_with_reasons():
    rows = {r["control_id"]: r for r in _all("○", status="実施済")}
    for cid in ("A.10.1.1", "A.10.1.2"):
        rows[cid] = _row(cid, "×", exclusion_reason=f"暗号は使わない({cid})")
    v = migrate_soa(list(rows.values())).by_id()["A.8.24"].values
    assert v["applicable"] == "×"
    assert "A.10.1.1" in v["exclusion_reason"] and "A.10.1.2" in v["exclusion_reason"]
    assert "status" not in v


def test_split_control_feeds_both():
    rows = {r["control_id"]: r for r in _all("×", exclusion_reason="x")}
    rows["A.18.2.3"] = _row("A.18.2.3", "○", status="実施済", reason_other="技術的順守レビュー")
    by_id = migrate_soa(list(rows.values())).by_id()
    for target in ("A.5.36", "A.8.8"):
        assert by_id[target].values["applicable"] == "○"
        assert "技術的順守レビュー" in by_id[target].values["reason_other"]
        assert {f.code for f in by_id[target].flags} == {"mixed_decision", "split_source"}
        assert not by_id[target].needs_decision  # determined; a second look is suggested


def test_new_controls_are_undecided_and_missing_rows_flagged():
    rows = [r for r in _all("○", status="実施済") if r["control_id"] not in ("A.6.1.1", "A.9.2.5")]
    rows.append(_row("A.19.9.9", "○"))
    rows.append(_row("A.6.1.2", "×"))  # a repeat: the first row is used
    result = migrate_soa(rows)
    by_id = result.by_id()
    assert [c.control_id for c in result.controls] == [c.control_id for c in load_catalog("2022").controls]
    for cid in NEW_IN_2022:
        assert by_id[cid].values["applicable"] == UNDECIDED and by_id[cid].needs_decision
    assert result.missing == ("A.6.1.1", "A.9.2.5")
    assert [r.control_id for r in result.unknown] == ["A.19.9.9"]
    assert [r.control_id for r in result.duplicates] == ["A.6.1.2"]
    assert by_id["A.5.2"].values["applicable"] == UNDECIDED  # its only source is missing
    assert by_id["A.5.18"].values["applicable"] == "○"  # other sources were applicable
    assert {f.code for f in by_id["A.5.18"].flags} == {"source_missing"}
    assert by_id["A.5.3"].values["applicable"] == "○"


decisions = st.sampled_from(("○", "×", None))


@settings(max_examples=60)
@given(st.lists(st.tuples(decisions, st.sampled_from((*STATUSES, None))), min_size=114, max_size=114),
       st.sets(st.sampled_from(CONTROLS_2013), max_size=6))
def test_property_every_decision_reaches_every_target(choices, dropped):
    rows = [_row(cid, a, status=s) for cid, (a, s) in zip(CONTROLS_2013, choices, strict=True) if cid not in dropped]
    given_ = {r["control_id"]: r for r in rows}
    result = migrate_soa(rows)
    ids = [c.control_id for c in result.controls]
    assert len(ids) == 93 and len(set(ids)) == 93 and set(ids) == {c.control_id for c in load_catalog("2022").controls}
    by_id = result.by_id()
    for cid in NEW_IN_2022:
        assert by_id[cid].values["applicable"] == UNDECIDED
    for source, targets in TARGETS.items():
        decision = given_[source]["applicable"] if source in given_ else None
        for target in targets:
            got = by_id[target].values["applicable"]
            if decision == "○":
                assert got == "○", (source, target)
            elif decision is None:
                assert got != "×", (source, target)  # a blank never turns into an exclusion
    for target, srcs in SOURCES.items():
        if not srcs:
            continue
        got = by_id[target]
        decisions_ = [given_[s]["applicable"] if s in given_ else None for s in srcs]
        expected = "○" if "○" in decisions_ else "×" if all(d == "×" for d in decisions_) else UNDECIDED
        assert got.values["applicable"] == expected
        statuses = {given_[s]["status"] for s in srcs if s in given_ and given_[s]["applicable"] == "○"} - {None}
        assert ("status_conflict" in {f.code for f in got.flags}) == (len(statuses) > 1)
        if len(statuses) == 1:
            assert got.values["status"] == statuses.pop()
        # The report's "decide" column: exactly the undecided controls and the status conflicts.
        codes = {f.code for f in got.flags}
        assert got.needs_decision == (expected == UNDECIDED or "status_conflict" in codes)


def test_random_soa_summary_counts():
    rows = random_rows(random.Random(8))
    result = migrate_soa(rows)
    assert sum(c.values["applicable"] == UNDECIDED for c in result.controls) == 11
    assert all(c.values["control_id"] == short_id(c.control_id) for c in result.controls)
