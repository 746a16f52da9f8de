"""XREF-001 … XREF-062 (risk core, SoA, context and legal register, continuity, training,
monitoring) on the demo folder: each seeded defect gives exactly its finding at its cell, the same
record made clean gives none, a rule whose form is absent is skipped with one info finding; plus
the readings of each rule the demo does not seed (the other parts of XREF-010/012/014/015/040/041,
the month and February boundaries).

The demo is generated and read once; every test works on a fresh CheckContext and changes records
only through ``monkeypatch``, which puts them back afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from isms_xl.config import load_config
from isms_xl.demo import generate_demo
from isms_xl.findings import Severity
from isms_xl.forms.a02_soa import APPLICABLE, EXCLUDED, MARK
from isms_xl.forms.b01_asset_register import DISPOSED
from isms_xl.forms.b02_risk_assessment import RETAIN
from isms_xl.forms.b03_treatment_plan import CANCELLED, DONE
from isms_xl.forms.b11_effectiveness_review import SUBJECTS, SUPPLIERS
from isms_xl.reader import read_form
from isms_xl.reader.model import Record
from isms_xl.rules import RULES, CheckContext, run_rules
from isms_xl.rules.registry import load_builtin_rules
from tests import xref_demo
from tests.xref_demo import AS_OF, seeded

load_builtin_rules()  # RULES is complete at collection time (the parametrisations read it)
demo, ctx = xref_demo.demo, xref_demo.ctx  # the shared demo folder's fixtures

MINE = ("XREF-001", "XREF-002", "XREF-003", "XREF-004", "XREF-005", "XREF-006", "XREF-007", "XREF-010", "XREF-011",
        "XREF-012", "XREF-013", "XREF-014", "XREF-015", "XREF-016", "XREF-020", "XREF-021", "XREF-030", "XREF-031",
        "XREF-040", "XREF-041", "XREF-050", "XREF-051", "XREF-060", "XREF-061", "XREF-062")
PLACE = ("rule", "severity", "form", "workbook", "sheet", "cell")


def found(ctx: CheckContext, rule_id: str) -> list:
    ctx.cache.clear()  # work shared by the SoA rules is per run; tests change records between runs
    return list(run_rules(ctx, only=[rule_id]))


def places(findings) -> list[tuple]:
    return sorted(tuple(f.flat()[k] for k in PLACE) for f in findings)


def cells(findings) -> list[tuple[str, str]]:
    return sorted((f.form, f.cell) for f in findings)


def located(ctx: CheckContext, defect: dict) -> tuple[Record, str]:
    """The record holding the seeded cell, and the column key of that cell."""
    for rec in ctx.records(defect["form"]):
        for key, cell in rec.cells.items():
            if (cell.sheet, cell.a1) == (defect["sheet"], defect["cell"]):
                return rec, key
    raise LookupError(defect)


def soa_row(ctx: CheckContext, control: str) -> Record:
    return next(r for r in ctx.records("A-02") if r.values["control_id"] == control)


def add(mp, ctx: CheckContext, form_id: str, *records: Record) -> None:
    mp.setattr(ctx.form(form_id), "records", [*ctx.form(form_id).records, *records])


# --- (a) the seeded defect, exactly, at its cell ------------------------------------------------

@pytest.mark.parametrize("rule_id", MINE)
def test_seeded_defect_is_found_exactly_at_its_cell(demo, ctx, rule_id):
    d = seeded(demo, rule_id)
    findings = found(ctx, rule_id)
    assert places(findings) == [tuple(d[k] for k in PLACE)]
    [f] = findings
    assert f.message_ja and f.message_en
    assert f.record == d["record"]  # the SoA's rows by their canonical control id ("A.5.32"), as the check names them


def test_all_my_rules_together_find_exactly_the_seeded_defects(demo, ctx):
    expected = sorted(tuple(d[k] for k in PLACE) for d in demo[2] if d["rule"] in MINE)
    assert places(run_rules(ctx, only=MINE)) == expected


@pytest.mark.slow
@pytest.mark.parametrize("as_of,seed", [(dt.date(2027, 2, 15), 20261126), (dt.date(2026, 4, 10), 20261126),
                                        (dt.date(2025, 6, 30), 20261126), (AS_OF, 7)])
def test_other_dates_and_seeds(tmp_path, as_of, seed):
    result = generate_demo(tmp_path, as_of=as_of, seed=seed)
    forms = {f.form_id: f for f in (read_form(p) for p in sorted(tmp_path.glob("*.xlsx")))}
    ctx = CheckContext(forms, load_config(tmp_path), as_of, tmp_path)
    expected = sorted(tuple(d[k] for k in PLACE) for d in result.defects if d["rule"] in MINE)
    assert places(run_rules(ctx, only=MINE)) == expected
    assert {d["rule"] for d in result.defects if d["rule"] in MINE} | set(result.not_seeded) == set(MINE)


def test_xref_010_and_061_point_at_the_id_column_header(demo, ctx):
    for rule_id, form_id, key in (("XREF-010", "A-02", "control_id"), ("XREF-061", "B-11", "review_id")):
        [f] = found(ctx, rule_id)
        assert (f.sheet, f.cell) == (ctx.header_cell(form_id, key).sheet, ctx.header_cell(form_id, key).a1)
        assert f.record is None


# --- (b) the same record made clean: no finding -------------------------------------------------

def _set(key: str, value):
    def clean(ctx, d, mp):
        mp.setitem(located(ctx, d)[0].values, key, value)
    return clean


def _clean_001(ctx, d, mp):
    mp.setitem(located(ctx, d)[0].values, "asset_id", ctx.form("B-01").ids()[0])


def _clean_002(ctx, d, mp):
    rec = located(ctx, d)[0]
    mp.setitem(rec.values, "asset_name", ctx.form("B-01").by_id()[rec.values["asset_id"]].values["name"])


def _clean_003(ctx, d, mp):
    add(mp, ctx, "B-02", Record({"risk_id": "R-900", "asset_id": d["record"], "treatment": RETAIN}))


def _clean_005(ctx, d, mp):
    mp.setitem(located(ctx, d)[0].values, "plan_ids", (ctx.form("B-03").ids()[0],))


def _clean_006(ctx, d, mp):
    rec = located(ctx, d)[0]
    [plan] = rec.values["plan_ids"]
    mp.setitem(rec.values, "controls", ctx.form("B-03").by_id()[plan].values["controls"])


def _clean_007(ctx, d, mp):
    rec, key = located(ctx, d)
    mp.setitem(rec.values, key, tuple(c for c in rec.values[key] if c in ctx.catalog))


def _clean_010(ctx, d, mp):
    listed = {r.values["control_id"] for r in ctx.records("A-02")}
    add(mp, ctx, "A-02", *(Record({"control_id": c.control_id, "applicable": APPLICABLE})
                           for c in ctx.catalog.controls if c.control_id not in listed))


def _clean_020(ctx, d, mp):
    rec = located(ctx, d)[0]
    risks = ctx.form("B-02").by_id()
    mp.setitem(rec.values, "related_risks", tuple(r for r in rec.values["related_risks"] if r in risks))


def _clean_040(ctx, d, mp):
    rec = located(ctx, d)[0]
    mp.setitem(rec.values, "rto_hours", rec.values["mtpd_hours"])


def _clean_050(ctx, d, mp):
    add(mp, ctx, "B-09", Record({"report_id": "TR-900", "course_id": d["record"]}, sheet="TR-900"))


def _clean_060(ctx, d, mp):
    add(mp, ctx, "A-02", Record({"control_id": located(ctx, d)[0].values["control_id"], "applicable": APPLICABLE}))


def _clean_061(ctx, d, mp):
    add(mp, ctx, "B-11", Record({"review_id": "ER-900", "subject": SUPPLIERS, "evaluated_on": dt.date(2026, 2, 10)}))


def _clean_062(ctx, d, mp):
    rec, key = located(ctx, d)
    mp.setitem(rec.values, key, 100)


CLEAN = {"XREF-001": _clean_001, "XREF-002": _clean_002, "XREF-003": _clean_003, "XREF-004": _set("treatment", RETAIN),
         "XREF-005": _clean_005, "XREF-006": _clean_006, "XREF-007": _clean_007, "XREF-010": _clean_010,
         "XREF-011": _set("applicable", APPLICABLE), "XREF-012": _set("exclusion_reason", "当社の事業にない業務のため"),
         "XREF-013": _set("status", "実施中"), "XREF-014": _set("status", "実施中"), "XREF-015": _set("reason_risk", None),
         "XREF-016": _set("reason_other", "取引先の要求による"), "XREF-020": _clean_020,
         "XREF-021": _set("evaluated_on", AS_OF - dt.timedelta(days=30)),
         "XREF-030": _set("next_check_on", AS_OF + dt.timedelta(days=30)), "XREF-031": _set("controls", ("A.5.31",)),
         "XREF-040": _clean_040, "XREF-041": _set("corrective_id", ("CA-001",)), "XREF-050": _clean_050,
         "XREF-051": _set("follow_up", "未受講者には翌月のeラーニングで受講させる"), "XREF-060": _clean_060,
         "XREF-061": _clean_061, "XREF-062": _clean_062}


@pytest.mark.parametrize("rule_id", MINE)
def test_the_seeded_record_made_clean_gives_no_finding(demo, ctx, monkeypatch, rule_id):
    assert found(ctx, rule_id)  # the defect is there before
    CLEAN[rule_id](ctx, seeded(demo, rule_id), monkeypatch)
    assert found(ctx, rule_id) == []


# --- (c) skipped with one info finding ----------------------------------------------------------

@pytest.mark.parametrize("rule_id,form_id", [(r, f) for r in MINE for f in RULES[r].forms])
def test_skipped_with_info_when_a_form_is_absent(ctx, rule_id, form_id):
    del ctx.forms[form_id]
    [f] = found(ctx, rule_id)
    assert (f.rule, f.severity, f.form, f.cell) == (rule_id, Severity.INFO, form_id, None)
    assert form_id in f.message_ja and form_id in f.message_en


def test_007_checks_whichever_forms_are_present(demo, ctx):
    assert RULES["XREF-007"].forms == ()
    del ctx.forms[seeded(demo, "XREF-007")["form"]]
    assert found(ctx, "XREF-007") == []


def test_011_selections_of_an_absent_form_are_not_counted(demo, ctx):
    del ctx.forms["B-04"]  # 5.32 is selected only by B-04 (著作権法)
    assert found(ctx, "XREF-011") == []


def test_every_rule_is_registered_with_the_spec_severity():
    warnings = {"XREF-002", "XREF-004", "XREF-006", "XREF-014", "XREF-015", "XREF-021", "XREF-031", "XREF-051",
                "XREF-061", "XREF-062"}
    for rule_id in MINE:
        want = "info" if rule_id == "XREF-016" else "warning" if rule_id in warnings else "error"
        assert RULES[rule_id].severity.value == want, rule_id


# --- readings the demo does not seed ------------------------------------------------------------

def test_002_names_compare_without_width_and_spacing(demo, ctx, monkeypatch):
    rec = ctx.records("B-02")[0]
    monkeypatch.setitem(rec.values, "asset_name", "顧客リスト(営業管理)  ")  # half-width brackets, trailing spaces
    assert rec.values["risk_id"] not in [f.record for f in found(ctx, "XREF-002")]


def test_003_a_blank_status_is_in_use_and_a_disposed_asset_needs_no_risk(demo, ctx, monkeypatch):
    asset = ctx.form("B-01").by_id()[seeded(demo, "XREF-003")["record"]]
    monkeypatch.setitem(asset.values, "status", None)
    assert [f.record for f in found(ctx, "XREF-003")] == [asset.values["asset_id"]]
    monkeypatch.setitem(asset.values, "status", DISPOSED)
    assert found(ctx, "XREF-003") == []


def test_004_a_cancelled_plan_is_closed(demo, ctx, monkeypatch):
    rec = located(ctx, seeded(demo, "XREF-004"))[0]
    for pid in rec.values["plan_ids"]:
        monkeypatch.setitem(ctx.form("B-03").by_id()[pid].values, "status", CANCELLED)
    assert found(ctx, "XREF-004") == []


def test_005_a_plan_naming_an_unknown_risk(ctx, monkeypatch):
    plan = ctx.records("B-03")[0]
    monkeypatch.setitem(plan.values, "risk_ids", (*plan.values["risk_ids"], "R-998"))
    got = [f for f in found(ctx, "XREF-005") if f.form == "B-03"]
    assert [(f.record, f.cell) for f in got] == [(plan.values["plan_id"], plan.cell("risk_ids").a1)]
    assert "R-998" in got[0].message_ja


def test_007_an_id_of_the_other_annex_version(ctx, monkeypatch):
    m = ctx.records("B-10")[0]
    monkeypatch.setitem(m.values, "control_id", "A.9.2.1")
    got = [f for f in found(ctx, "XREF-007") if f.form == "B-10"]
    assert [f.cell for f in got] == [m.cell("control_id").a1]
    assert "2013" in got[0].message_ja and "2013" in got[0].message_en
    assert m.values["measure_id"] not in [f.record for f in found(ctx, "XREF-060")]  # XREF-007's, not XREF-060's


def test_010_a_control_twice_and_one_not_in_the_catalog(ctx, monkeypatch):
    form = ctx.form("A-02")
    first = form.records[0]
    twice = Record({**first.values}, sheet=first.sheet, row=200, columns=first.columns)
    unknown = Record({**first.values, "control_id": "A.9.2.1"}, sheet=first.sheet, row=201, columns=first.columns)
    add(monkeypatch, ctx, "A-02", twice, unknown)
    got = found(ctx, "XREF-010")
    assert sorted(f.cell for f in got) == ["A201", "A202", "A5"]
    assert first.cell("control_id").a1 in next(f for f in got if f.cell == "A201").message_en  # where it is already
    assert "9.2.1" in next(f for f in got if f.cell == "A202").message_ja


def test_010_every_missing_control_is_named(ctx, monkeypatch):
    monkeypatch.setattr(ctx.form("A-02"), "records", ctx.form("A-02").records[2:])
    got = found(ctx, "XREF-010")
    assert sorted(f.value for f in got) == sorted(["5.1", "5.2", "5.36"])
    assert {f.cell for f in got} == {"A5"}


def test_012_applicable_without_any_reason_is_not_also_016(ctx, monkeypatch):
    row = soa_row(ctx, "A.5.1")  # applicable on an その他 reason only
    monkeypatch.setitem(row.values, "reason_other", None)
    assert [f.cell for f in found(ctx, "XREF-012") if f.record == "A.5.1"] == [row.cell("reason_risk").a1]
    assert "A.5.1" not in [f.record for f in found(ctx, "XREF-016")]


def test_014_not_implemented_while_every_plan_is_done(ctx, monkeypatch):
    plans = {}
    for p in ctx.records("B-03"):
        for c in p.values["controls"] or ():
            plans.setdefault(c, []).append(p)
    control = next(c for c, ps in plans.items() if all(p.values["status"] == DONE for p in ps))
    row = soa_row(ctx, control)
    monkeypatch.setitem(row.values, "status", "未実施")
    assert [f.cell for f in found(ctx, "XREF-014") if f.record == control] == [row.cell("status").a1]


def test_014_cancelled_plans_are_left_out(demo, ctx, monkeypatch):
    d = seeded(demo, "XREF-014")
    control = located(ctx, d)[0].values["control_id"]
    mine = [p for p in ctx.records("B-03") if control in (p.values["controls"] or ())]
    extra = Record({**mine[0].values, "plan_id": "P-900", "status": CANCELLED})
    add(monkeypatch, ctx, "B-03", extra)
    assert [f.cell for f in found(ctx, "XREF-014")] == [d["cell"]]  # still 実施済 against open plans only
    for p in mine:
        monkeypatch.setitem(p.values, "status", CANCELLED)
    assert found(ctx, "XREF-014") == []  # every plan cancelled: nothing to compare with
    monkeypatch.setitem(mine[0].values, "status", DONE)
    assert found(ctx, "XREF-014") == []


def test_015_blank_while_selected_and_related_risks_that_disagree(ctx, monkeypatch):
    row = soa_row(ctx, "A.5.15")
    assert row.values["reason_risk"] == MARK and row.values["related_risks"]
    monkeypatch.setitem(row.values, "reason_risk", None)
    monkeypatch.setitem(row.values, "related_risks", row.values["related_risks"][:1])
    got = [f for f in found(ctx, "XREF-015") if f.record == "A.5.15"]
    assert sorted(f.cell for f in got) == sorted([row.cell("reason_risk").a1, row.cell("related_risks").a1])


def test_015_an_excluded_row_is_011s(ctx, monkeypatch):
    row = soa_row(ctx, "A.5.15")
    monkeypatch.setitem(row.values, "applicable", EXCLUDED)
    monkeypatch.setitem(row.values, "reason_risk", None)
    assert "A.5.15" not in [f.record for f in found(ctx, "XREF-015")]
    assert "A.5.15" in [f.record for f in found(ctx, "XREF-011")]


def test_021_a_never_evaluated_item_is_not_judged(demo, ctx, monkeypatch):
    monkeypatch.setitem(located(ctx, seeded(demo, "XREF-021"))[0].values, "evaluated_on", None)
    assert found(ctx, "XREF-021") == []


def test_030_due_today_is_not_past(demo, ctx, monkeypatch):
    monkeypatch.setitem(located(ctx, seeded(demo, "XREF-030"))[0].values, "next_check_on", AS_OF)
    assert found(ctx, "XREF-030") == []


def test_040_each_part_is_its_own_finding(demo, ctx, monkeypatch):
    process = located(ctx, seeded(demo, "XREF-040"))[0]  # RTO > MTPD already
    monkeypatch.setitem(process.values, "impact", 3)
    monkeypatch.setitem(process.values, "likelihood", 2)  # BC risk 6, no plan
    planned = next(p for p in ctx.records("B-05") if p.values["plan_id"])
    monkeypatch.setitem(planned.values, "plan_id", ("BCP-99",))
    plan = ctx.records("B-06")[0]
    monkeypatch.setitem(plan.values, "process_ids", (*plan.values["process_ids"], "BC-99"))
    test = ctx.records("B-07")[0]
    monkeypatch.setitem(test.values, "plan_id", ("BCP-98",))
    assert cells(found(ctx, "XREF-040")) == sorted([
        ("B-05", process.cell("rto_hours").a1), ("B-05", process.cell("plan_id").a1),
        ("B-05", planned.cell("plan_id").a1), ("B-06", plan.cell("process_ids").a1), ("B-07", test.cell("plan_id").a1)])


def test_041_a_plan_not_tested_for_a_year_and_a_failure_read_from_the_hours(demo, ctx, monkeypatch):
    plan = ctx.form("B-06").by_id()["BCP-01"]
    for t in ctx.records("B-07"):
        if "BCP-01" in t.values["plan_id"]:
            monkeypatch.setitem(t.values, "tested_on", AS_OF - dt.timedelta(days=400))
    passed = next(t for t in ctx.records("B-07") if "BCP-03" in t.values["plan_id"])
    monkeypatch.setitem(passed.values, "actual_hours", passed.values["target_rto_hours"] + 1)  # 結果 still says 合格
    assert cells(found(ctx, "XREF-041")) == sorted([
        ("B-06", plan.cell("plan_id").a1), ("B-07", passed.cell("corrective_id").a1),
        ("B-07", seeded(demo, "XREF-041")["cell"])])


def test_050_a_course_of_the_current_month_is_not_due_yet(demo, ctx, monkeypatch):
    course = next(c for c in ctx.records("B-08") if c.values["planned_month"] == dt.date(2027, 1, 1))
    assert course.values["course_id"] not in {r.values["course_id"] for r in ctx.records("B-09")}
    ctx.today = dt.date(2027, 1, 31)
    assert [f.record for f in found(ctx, "XREF-050")] == [seeded(demo, "XREF-050")["record"]]
    ctx.today = dt.date(2027, 2, 1)
    assert sorted(f.record for f in found(ctx, "XREF-050")) == sorted([seeded(demo, "XREF-050")["record"],
                                                                        course.values["course_id"]])


def test_051_attendance_read_from_the_counts(demo, ctx, monkeypatch):
    report = located(ctx, seeded(demo, "XREF-051"))[0]
    monkeypatch.setitem(report.values, "attended_count", report.values["target_count"])
    assert found(ctx, "XREF-051") == []
    monkeypatch.setitem(report.values, "attended_count", None)
    monkeypatch.setitem(report.values, "target_count", None)
    monkeypatch.setitem(report.values, "attendance_rate", 0.9)
    assert [f.cell for f in found(ctx, "XREF-051")] == [seeded(demo, "XREF-051")["cell"]]


def test_060_an_excluded_control(ctx, monkeypatch):
    m = next(m for m in ctx.records("B-10") if m.values["control_id"] == "A.8.8")
    monkeypatch.setitem(soa_row(ctx, "A.8.8").values, "applicable", EXCLUDED)
    got = [f for f in found(ctx, "XREF-060") if f.record == m.values["measure_id"]]
    assert [f.cell for f in got] == [m.cell("control_id").a1] and "×" in got[0].message_ja


def test_061_a_review_before_february_does_not_count_and_every_subject_is_checked(ctx, monkeypatch):
    january = Record({"review_id": "ER-900", "subject": SUPPLIERS, "evaluated_on": dt.date(2026, 1, 31)})
    add(monkeypatch, ctx, "B-11", january)
    [f] = found(ctx, "XREF-061")
    assert f.value == SUPPLIERS and "2025年度" in f.message_ja
    monkeypatch.setitem(january.values, "evaluated_on", dt.date(2026, 2, 1))
    assert found(ctx, "XREF-061") == []
    monkeypatch.setattr(ctx.form("B-11"), "records", [])
    assert sorted(f.value for f in found(ctx, "XREF-061")) == sorted(SUBJECTS)


def test_061_early_february_looks_at_this_february(ctx):
    ctx.today = dt.date(2027, 2, 3)  # the demo's reviews are of February 2025 and 2026
    assert sorted(f.value for f in found(ctx, "XREF-061")) == sorted(SUBJECTS)
    ctx.today = dt.date(2027, 1, 31)
    assert [f.value for f in found(ctx, "XREF-061")] == [SUPPLIERS]


def test_062_only_months_that_have_ended(demo, ctx, monkeypatch):
    objective = ctx.records("B-26")[0]
    monkeypatch.setitem(objective.values, "m11", None)  # the as-of month is still running
    assert [f.record for f in found(ctx, "XREF-062")] == [seeded(demo, "XREF-062")["record"]]
    monkeypatch.setitem(objective.values, "m04", None)
    monkeypatch.setitem(objective.values, "m06", None)
    got = [f for f in found(ctx, "XREF-062") if f.record == objective.values["objective_id"]]
    assert [f.cell for f in got] == [objective.cell("m04").a1] and "6月" in got[0].message_ja
    ctx.today = dt.date(2026, 4, 30)  # the first month of the fiscal year: nothing has elapsed
    assert found(ctx, "XREF-062") == []


def test_blank_values_never_raise(ctx, monkeypatch):
    for form_id in ("A-02", "B-01", "B-02", "B-03", "B-04", "B-05", "B-06", "B-07", "B-08", "B-09", "B-10", "B-11",
                    "B-26", "B-27"):
        for rec in ctx.records(form_id)[:3]:
            for key in list(rec.values):
                monkeypatch.setitem(rec.values, key, None)
            for rows in rec.tables.values():
                for row in rows:
                    for key in list(row.values):
                        monkeypatch.setitem(row.values, key, None)
    assert all(f.rule in MINE for f in run_rules(ctx, only=MINE))
