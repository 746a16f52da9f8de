"""XREF-070 … XREF-131 (incidents, premises, people, suppliers, internal audit, corrective action,
management review) on the demo folder: each seeded defect gives exactly its finding at its cell,
the same record made clean gives none, a rule whose form is absent (or whose people are not
configured) is skipped with one info finding; plus the readings of each rule the demo does not seed.

The demo is generated and read once; every test works on a fresh CheckContext and changes records
only through ``monkeypatch``, which puts them back afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from isms_xl.config import Config, Organisation
from isms_xl.demo.defects import (
    RULES as SPEC_SEVERITY,  # the spec's table (test_demo_generator checks it)
)
from isms_xl.findings import Severity
from isms_xl.forms.b15_confidentiality_pledge import JOINING
from isms_xl.forms.b19_supplier_register import SIGNED
from isms_xl.forms.b22_audit_checklist import CONFORMING
from isms_xl.forms.b24_corrective_action import (
    DONE,
    EFFECTIVE,
    IN_PROGRESS,
    INEFFECTIVE,
)
from isms_xl.reader.model import Record
from isms_xl.rules import RULES, CheckContext, run_rules
from isms_xl.rules.registry import load_builtin_rules
from isms_xl.rules.xref_audit import fiscal_year_of
from tests import xref_demo
from tests.xref_demo import AS_OF, seeded

load_builtin_rules()  # RULES is complete at collection time (the parametrisations read it)
demo, ctx = xref_demo.demo, xref_demo.ctx  # the shared demo folder's fixtures

MINE = ("XREF-070", "XREF-071", "XREF-072", "XREF-080", "XREF-081", "XREF-090", "XREF-100", "XREF-101", "XREF-102",
        "XREF-103", "XREF-110", "XREF-111", "XREF-112", "XREF-113", "XREF-114", "XREF-120", "XREF-121", "XREF-130",
        "XREF-131")
PLACE = ("rule", "severity", "form", "workbook", "sheet", "cell", "record")


def found(ctx: CheckContext, rule_id: str) -> list:
    return list(run_rules(ctx, only=[rule_id]))


def places(findings) -> list[tuple]:
    return sorted(tuple(f.flat()[k] for k in PLACE) for f in findings)


def record(ctx: CheckContext, defect: dict) -> Record:
    return ctx.form(defect["form"]).by_id()[defect["record"]]


def found_for(ctx: CheckContext, rule_id: str, supplier: Record) -> list:
    return [f for f in found(ctx, rule_id) if f.record == supplier.values["supplier_id"]]


def row_at(rec: Record, table: str, a1: str) -> Record:
    [row] = [r for r in rec.tables[table] if any(c.a1 == a1 for c in r.cells.values())]
    return row


# --- (a) the seeded defect, exactly, at its cell ------------------------------------------------

@pytest.mark.parametrize("rule_id", MINE)
def test_seeded_defect_is_found_exactly_at_its_cell(demo, ctx, rule_id):
    d = seeded(demo, rule_id)
    expected = [tuple(d[k] for k in PLACE)]
    findings = found(ctx, rule_id)
    assert places(findings) == expected
    assert all(f.message_ja and f.message_en for f in findings)


def test_all_my_rules_together_find_exactly_the_seeded_defects(demo, ctx):
    expected = sorted(tuple(d[k] for k in PLACE) for d in demo[2] if d["rule"] in MINE)
    assert places(run_rules(ctx, only=MINE)) == expected


def test_xref_090_points_at_the_configuration_with_the_persons_name(demo, ctx):
    [f] = found(ctx, "XREF-090")
    d = seeded(demo, "XREF-090")
    assert (f.workbook, f.sheet, f.cell, f.record) == ("isms_xl.toml", None, None, d["record"])
    assert f.severity is Severity.WARNING
    assert d["record"] in f.message_ja and d["record"] in f.message_en


# --- (b) the same record made clean: no finding -------------------------------------------------

def _clean_070(ctx, d, mp):
    mp.setitem(record(ctx, d).values, "incident_id", ctx.form("B-12").ids()[0])


def _clean_071(ctx, d, mp):
    mp.setitem(record(ctx, d).values, "corrective_id", (ctx.form("B-24").ids()[0],))


def _clean_assets(ctx, d, mp):
    rec = record(ctx, d)
    assets = ctx.form("B-01").by_id()
    mp.setitem(rec.values, "assets", tuple(a for a in rec.values["assets"] if a in assets))


def _clean_080(ctx, d, mp):
    mp.setitem(record(ctx, d).values, "escort", ctx.config.organisation.staff[0].name)


def _clean_081(ctx, d, mp):
    rec = record(ctx, d)
    entered = rec.values["entered_at"]
    mp.setitem(rec.values, "left_at", dt.time(entered.hour + 1, entered.minute))


def _clean_090(ctx, d, mp):
    pledge = Record({"pledge_id": "NDA-999", "name": d["record"], "kind": JOINING, "signed_on": AS_OF}, sheet="NDA-999")
    mp.setattr(ctx.form("B-15"), "records", [*ctx.form("B-15").records, pledge])


def _clean_100(ctx, d, mp):
    supplier = record(ctx, d)
    evaluation = ctx.form("B-17").by_id()[supplier.values["initial_evaluation_id"]]
    mp.setitem(supplier.values, "contract_on", evaluation.values["evaluated_on"] + dt.timedelta(days=10))


def _clean_101(ctx, d, mp):
    mine = [e for e in ctx.records("B-18") if e.values["supplier_id"] == d["record"]]
    latest = max(mine, key=lambda e: e.values["evaluated_on"])
    mp.setitem(latest.values, "evaluated_on", AS_OF - dt.timedelta(days=30))


def _clean_102(ctx, d, mp):
    mp.setitem(record(ctx, d).values, "nda", SIGNED)


def _clean_auditor(ctx, d, mp):
    row = row_at(record(ctx, d), "schedule", d["cell"])
    day, dept = row.values["audit_on"], row.values["department"]
    other = next(a for a in ctx.records("B-21") if a.values["department"] != dept
                 and a.values["registered_on"] <= day <= a.values["valid_until"])
    mp.setitem(row.values, "auditor_ids", (other.values["auditor_id"],))


def _clean_112(ctx, d, mp):
    plan = record(ctx, d)
    audited = {r.values["department"] for r in plan.tables["schedule"]}
    [missing] = [dep for dep in ctx.config.organisation.departments if dep not in audited]
    first = plan.tables["schedule"][0]
    added = Record({**first.values, "department": missing}, sheet=first.sheet, row=first.row, columns=first.columns)
    mp.setitem(plan.tables, "schedule", [*plan.tables["schedule"], added])


def _clean_113(ctx, d, mp):
    report = ctx.form("B-23").by_id()[ctx.form("B-22").by_id()[d["record"]].values["audit_id"]]
    row = report.tables["findings"][0]
    mp.setitem(row.values, "checklist_item_ids", (*row.values["checklist_item_ids"], d["record"]))


def _clean_114(ctx, d, mp):
    mp.setitem(row_at(record(ctx, d), "findings", d["cell"]).values, "corrective_id", (ctx.form("B-24").ids()[0],))


def _clean_120(ctx, d, mp):
    rec = record(ctx, d)
    mp.setitem(rec.values, "effectiveness", EFFECTIVE)
    mp.setitem(rec.values, "effectiveness_checked_on", rec.values["done_on"] + dt.timedelta(days=30))


def _clean_121(ctx, d, mp):
    mp.setitem(record(ctx, d).values, "accepted_by", ctx.config.organisation.holders("社長")[0])


def _clean_130(ctx, d, mp):
    mp.setitem(record(ctx, d).values, "held_on", AS_OF - dt.timedelta(days=30))


def _clean_131(ctx, d, mp):
    mp.setitem(row_at(record(ctx, d), "inputs", d["cell"]).values, "report", "多要素認証の全社適用を提案")


CLEAN = {"XREF-070": _clean_070, "XREF-071": _clean_071, "XREF-072": _clean_assets, "XREF-080": _clean_080,
         "XREF-081": _clean_081, "XREF-090": _clean_090, "XREF-100": _clean_100, "XREF-101": _clean_101,
         "XREF-102": _clean_102, "XREF-103": _clean_assets, "XREF-110": _clean_auditor, "XREF-111": _clean_auditor,
         "XREF-112": _clean_112, "XREF-113": _clean_113, "XREF-114": _clean_114, "XREF-120": _clean_120,
         "XREF-121": _clean_121, "XREF-130": _clean_130, "XREF-131": _clean_131}


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


@pytest.mark.parametrize("rule_id", ["XREF-090", "XREF-121"])
def test_skipped_with_info_without_an_organisation(ctx, rule_id):
    ctx.config = Config(organisation=Organisation())
    [f] = found(ctx, rule_id)
    assert (f.rule, f.severity, f.form) == (rule_id, Severity.INFO, None)
    assert "組織" in f.message_ja and "organisation" in f.message_en


def test_every_rule_is_registered_with_the_spec_severity():
    for rule_id in MINE:
        assert RULES[rule_id].severity.value == SPEC_SEVERITY[rule_id], rule_id
    assert [r for r in MINE if RULES[r].needs_people] == ["XREF-090", "XREF-121"]


# --- readings the demo does not seed ------------------------------------------------------------

def test_070_an_incident_id_or_event_id_that_does_not_resolve(ctx, monkeypatch):
    event = ctx.records("B-13")[0]
    incident = ctx.records("B-12")[0]
    monkeypatch.setitem(event.values, "incident_id", "INC-1999-99")
    monkeypatch.setitem(incident.values, "event_id", ("EV-999",))
    got = [(f.form, f.record, "INC-1999-99" in f.message_ja or "EV-999" in f.message_ja)
           for f in found(ctx, "XREF-070")]
    assert (("B-13", event.values["event_id"], True) in got and ("B-12", incident.values["incident_id"], True) in got
            and len(got) == 3)  # and the seeded one


def test_071_a_corrective_id_not_in_b24_on_any_severity(ctx, monkeypatch):
    low = next(i for i in ctx.records("B-12") if i.values["severity"] == "低")
    monkeypatch.setitem(low.values, "corrective_id", ("CA-999",))
    assert [f.record for f in found(ctx, "XREF-071") if "CA-999" in f.message_en] == [low.values["incident_id"]]


def test_080_exit_before_entry(ctx, monkeypatch):
    entry = ctx.records("B-14")[0]
    monkeypatch.setitem(entry.values, "left_at", dt.time(entry.values["entered_at"].hour - 1, 0))
    mine = [f for f in found(ctx, "XREF-080") if f.record == entry.values["entry_id"]]
    assert [f.cell for f in mine] == [entry.cell("left_at").a1]


def test_081_an_entry_of_today_may_still_be_open(ctx, monkeypatch):
    entry = ctx.records("B-14")[0]
    monkeypatch.setitem(entry.values, "left_at", None)
    assert entry.values["entry_id"] in [f.record for f in found(ctx, "XREF-081")]
    monkeypatch.setitem(entry.values, "entry_on", AS_OF)
    assert entry.values["entry_id"] not in [f.record for f in found(ctx, "XREF-081")]


def test_090_a_pledge_on_leaving_is_not_one_on_joining_and_names_compare_without_spaces(demo, ctx, monkeypatch):
    pledge = ctx.records("B-15")[0]
    name = pledge.values["name"]
    monkeypatch.setitem(pledge.values, "kind", "退職時")
    assert name in [f.record for f in found(ctx, "XREF-090")]
    monkeypatch.setitem(pledge.values, "kind", JOINING)
    monkeypatch.setitem(pledge.values, "name", name.replace(" ", "\u3000"))
    assert name not in [f.record for f in found(ctx, "XREF-090")]


def test_100_a_failed_evaluation_or_an_unknown_id(ctx, monkeypatch):
    supplier = next(s for s in ctx.records("B-19") if not found_for(ctx, "XREF-100", s))
    evaluation = ctx.form("B-17").by_id()[supplier.values["initial_evaluation_id"]]
    for row in evaluation.tables["criteria"]:
        monkeypatch.setitem(row.values, "score", 0)
    assert "合格した評価がありません" in found_for(ctx, "XREF-100", supplier)[0].message_ja
    monkeypatch.setitem(supplier.values, "initial_evaluation_id", "SE-999")
    assert "SE-999" in found_for(ctx, "XREF-100", supplier)[0].message_ja


def test_101_a_supplier_contracted_less_than_a_year_ago_needs_no_review_yet(demo, ctx, monkeypatch):
    supplier = record(ctx, seeded(demo, "XREF-101"))
    monkeypatch.setitem(supplier.values, "contract_on", AS_OF - dt.timedelta(days=200))
    assert found(ctx, "XREF-101") == []


def test_102_a_blank_nda_of_an_active_supplier(ctx, monkeypatch):
    supplier = next(s for s in ctx.records("B-19") if s.values["status"] == "取引中" and s.values["nda"] == SIGNED)
    monkeypatch.setitem(supplier.values, "nda", None)
    assert supplier.values["supplier_id"] in [f.record for f in found(ctx, "XREF-102")]


def test_111_a_registration_expired_before_the_audit(demo, ctx, monkeypatch):
    plan = ctx.records("B-20")[-1]
    row = plan.tables["schedule"][0]
    auditor = ctx.form("B-21").by_id()[row.values["auditor_ids"][0]]
    monkeypatch.setitem(auditor.values, "valid_until", row.values["audit_on"] - dt.timedelta(days=1))
    mine = [f for f in found(ctx, "XREF-111") if f.sheet == plan.sheet]
    assert [f.cell for f in mine] == [row.cell("auditor_ids").a1] and "expired" in mine[0].message_en


@pytest.mark.parametrize("text,year", [("2026年度", 2026), ("FY2026", 2026), ("令和8年度", 2026), ("Ｒ８", 2026),
                                       ("平成30年度", 2018), ("令和元年度", 2019), ("", None), (None, None), ("今年度", None)])
def test_112_fiscal_year_as_people_write_it(text, year):
    assert fiscal_year_of(text) == year


def test_112_two_plans_of_one_fiscal_year_together_audit_every_department(demo, ctx, monkeypatch):
    plan = record(ctx, seeded(demo, "XREF-112"))
    previous = next(p for p in ctx.records("B-20") if p is not plan)
    extra = Record({**previous.values, "audit_id": "IA-2026-2", "fiscal_year": "令和8年度"}, sheet="IA-2026-2",
                   field_cells=previous.field_cells, tables=previous.tables)
    monkeypatch.setattr(ctx.form("B-20"), "records", [*ctx.form("B-20").records, extra])
    assert found(ctx, "XREF-112") == []


def test_113_114_a_conforming_item_and_an_observation_need_nothing(demo, ctx, monkeypatch):
    item = record(ctx, seeded(demo, "XREF-113"))
    monkeypatch.setitem(item.values, "verdict", CONFORMING)
    assert found(ctx, "XREF-113") == []
    d = seeded(demo, "XREF-114")
    monkeypatch.setitem(row_at(record(ctx, d), "findings", d["cell"]).values, "category", "観察事項")
    assert found(ctx, "XREF-114") == []


def test_114_a_corrective_id_not_in_b24(demo, ctx, monkeypatch):
    d = seeded(demo, "XREF-114")
    monkeypatch.setitem(row_at(record(ctx, d), "findings", d["cell"]).values, "corrective_id", ("CA-999",))
    [f] = found(ctx, "XREF-114")
    assert f.cell == d["cell"] and "CA-999" in f.message_ja


def test_120_overdue_and_closed_as_ineffective(demo, ctx, monkeypatch):
    done = next(a for a in ctx.records("B-24") if a.values["status"] == DONE and a.values["effectiveness"] == EFFECTIVE)
    monkeypatch.setitem(done.values, "effectiveness", INEFFECTIVE)
    monkeypatch.setitem(done.values, "status", IN_PROGRESS)
    got = {(f.record, f.cell) for f in found(ctx, "XREF-120")}
    assert (done.values["corrective_id"], done.cell("due_on").a1) in got  # open, due long ago
    monkeypatch.setitem(done.values, "status", DONE)
    got = {(f.record, f.cell) for f in found(ctx, "XREF-120")}
    assert (done.values["corrective_id"], done.cell("effectiveness").a1) in got


def test_121_the_role_name_itself_is_accepted(demo, ctx, monkeypatch):
    monkeypatch.setitem(record(ctx, seeded(demo, "XREF-121")).values, "accepted_by", "社長")
    assert found(ctx, "XREF-121") == []


def test_130_no_minutes_at_all(ctx, monkeypatch):
    monkeypatch.setattr(ctx.form("B-25"), "records", [])
    [f] = found(ctx, "XREF-130")
    assert (f.form, f.cell, f.severity) == ("B-25", None, Severity.ERROR) and f.workbook.endswith(".xlsx")


def test_131_an_input_missing_from_the_minutes(demo, ctx, monkeypatch):
    review = next(r for r in ctx.records("B-25") if r.values["review_id"] != seeded(demo, "XREF-131")["record"])
    monkeypatch.setitem(review.tables, "inputs", review.tables["inputs"][:-1])
    [f] = [f for f in found(ctx, "XREF-131") if f.record == review.values["review_id"]]
    assert f.cell == review.cell("review_id").a1 and "継続的改善の機会" in f.message_ja


def test_odd_values_never_raise(ctx, monkeypatch):
    for form_id in ("B-12", "B-13", "B-14", "B-17", "B-18", "B-19", "B-20", "B-21", "B-22", "B-23", "B-24", "B-25"):
        for rec in ctx.records(form_id)[:3]:
            for key in list(rec.values):
                monkeypatch.setitem(rec.values, key, None)
            for rows in rec.tables.values():
                for row in rows:
                    for key in list(row.values):
                        monkeypatch.setitem(row.values, key, None)
    assert all(f.rule in MINE for f in run_rules(ctx, only=MINE))


@pytest.mark.parametrize("items", [
    ("ａ）前回の処置", "b) 課題の変化（前回からの変更）", "c) 利害関係者のニーズ", "d) 不適合・監査結果・目標の達成",
     "e) 顧客の声", "f) リスク対応計画", "g) 改善提案"),
    ("a)", "b)", "c)", "d)", "e)", "f)", "g)"),
])
def test_131_inputs_however_the_minutes_phrase_them(demo, ctx, monkeypatch, items):
    for review in ctx.records("B-25"):
        for row, text in zip(review.tables["inputs"], items):
            monkeypatch.setitem(row.values, "input_item", text)
    assert [f.cell for f in found(ctx, "XREF-131")] == [seeded(demo, "XREF-131")["cell"]]
