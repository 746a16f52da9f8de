"""Suppressions (isms_xl_suppressions.toml): an active one hides exactly its finding, an expired one
hides nothing and is itself a warning (SUPP-001), a malformed file is a ConfigError naming the
file, and the JSON report lists what was suppressed, why and until when."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from isms_xl.check import check_folder
from isms_xl.demo import generate_demo
from isms_xl.errors import ConfigError
from isms_xl.findings import Finding, Severity
from isms_xl.history import record_run, state_path
from isms_xl.report.json_report import render_json
from isms_xl.suppress import EXPIRED_RULE, SUPPRESSIONS_NAME, Suppression, apply_suppressions, load_suppressions

TODAY = dt.date(2026, 11, 26)


def write(folder: Path, *entries: dict) -> Path:
    lines = []
    for e in entries:
        lines.append("[[suppress]]")
        for k, v in e.items():
            lines.append(f"{k} = {v.isoformat() if isinstance(v, dt.date) else json.dumps(v, ensure_ascii=False)}")
        lines.append("")
    path = folder / SUPPRESSIONS_NAME
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def where(findings) -> list[tuple]:
    return sorted((f.rule, f.form or "", f.record or "", f.cell or "") for f in findings)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("supp") / "isms"
    generate_demo(folder, as_of=TODAY)
    return folder


@pytest.fixture(scope="module")
def baseline(demo_dir) -> list[Finding]:
    return check_folder(demo_dir, today=TODAY).findings


@pytest.fixture()
def demo(demo_dir, tmp_path) -> Path:
    folder = tmp_path / "isms"
    shutil.copytree(demo_dir, folder)
    return folder


def the(findings, rule: str) -> Finding:
    (f,) = [f for f in findings if f.rule == rule]
    return f


# ------------------------------------------------------------------------------------------------
# On the demo folder


def test_rule_and_record_hides_exactly_that_finding(demo, baseline):
    target = the(baseline, "XREF-003")  # the in-use asset without a risk
    assert target.record == "A-018"
    write(demo, {"rule": "XREF-003", "record": "A-018", "reason": "2027年3月の棚卸しで廃棄予定",
                 "expires": dt.date(2027, 3, 31)})
    run = check_folder(demo, today=TODAY)
    assert where(run.findings) == where([f for f in baseline if f is not target])
    assert [(f.rule, f.record, s.reason, s.expires) for f, s in run.suppressed] == \
        [("XREF-003", "A-018", "2027年3月の棚卸しで廃棄予定", dt.date(2027, 3, 31))]
    assert run.summary()["error"] == sum(f.severity is Severity.ERROR for f in baseline) - 1


def test_another_record_hides_nothing(demo, baseline):
    write(demo, {"rule": "XREF-003", "record": "A-019", "reason": "r", "expires": dt.date(2027, 3, 31)},
          {"rule": "XREF-001", "record": "A-018", "reason": "r", "expires": dt.date(2027, 3, 31)})
    run = check_folder(demo, today=TODAY)
    assert where(run.findings) == where(baseline) and run.suppressed == []


def test_rule_and_form(demo, baseline):
    target = the(baseline, "READ-007")
    write(demo, {"rule": "READ-007", "form": "B-01", "reason": "r", "expires": dt.date(2027, 3, 31)})
    assert where(check_folder(demo, today=TODAY).findings) == where(baseline)  # other form: nothing hidden
    write(demo, {"rule": "READ-007", "form": target.form, "reason": "文書管理は来月整備", "expires": dt.date(2027, 3, 31)})
    run = check_folder(demo, today=TODAY)
    assert where(run.findings) == where([f for f in baseline if f is not target])
    assert [f.rule for f, _ in run.suppressed] == ["READ-007"]


def test_expires_today_is_still_active(demo, baseline):
    write(demo, {"rule": "XREF-003", "record": "A-018", "reason": "r", "expires": TODAY})
    run = check_folder(demo, today=TODAY)
    assert "XREF-003" not in {f.rule for f in run.findings} and EXPIRED_RULE not in {f.rule for f in run.findings}


def test_expired_shows_the_finding_again_and_warns_once(demo, baseline):
    write(demo, {"rule": "XREF-003", "record": "A-018", "reason": "棚卸し待ち", "expires": TODAY - dt.timedelta(days=1)},
          {"rule": "XREF-001", "record": "R-455", "reason": "r", "expires": dt.date(2027, 3, 31)})
    run = check_folder(demo, today=TODAY)
    expired = [f for f in run.findings if f.rule == EXPIRED_RULE]
    assert len(expired) == 1
    (w,) = expired
    assert w.severity is Severity.WARNING and w.workbook == SUPPRESSIONS_NAME and w.record == "A-018"
    assert "XREF-003" in w.message_en and "2026-11-25" in w.message_en and "棚卸し待ち" in w.message_ja
    assert where(f for f in run.findings if f.rule != EXPIRED_RULE) == \
        where(f for f in baseline if f.rule != "XREF-001")  # XREF-003 is back, XREF-001 still hidden
    assert run.summary()["warning"] == sum(f.severity is Severity.WARNING for f in baseline) + 1


def test_json_report_lists_suppressed_with_reason_and_expiry(demo):
    write(demo, {"rule": "XREF-003", "record": "A-018", "reason": "2027年3月の棚卸しで廃棄予定",
                 "expires": dt.date(2027, 3, 31)})
    run = check_folder(demo, today=TODAY)
    delta = record_run(state_path(demo), run.findings, checked_at=run.checked_at.isoformat(),
                       today=run.today.isoformat(), version=run.version)
    report = json.loads(render_json(run, delta))
    (s,) = report["suppressed"]
    assert s["rule"] == "XREF-003" and s["record"] == "A-018" and s["form"] == "B-01"
    assert s["reason"] == "2027年3月の棚卸しで廃棄予定" and s["expires"] == "2027-03-31"
    assert s["cell"] and s["workbook"] and s["message_ja"] and s["message_en"]
    assert all(f["rule"] != "XREF-003" for f in report["findings"])


def test_soa_control_written_as_printed(demo):
    write(demo, {"rule": "XREF-011", "record": "5.32", "reason": "r", "expires": dt.date(2027, 3, 31)})
    run = check_folder(demo, today=TODAY)
    assert [f.record for f, _ in run.suppressed] == ["A.5.32"]


# ------------------------------------------------------------------------------------------------
# Matching, without a folder


def _f(rule: str, form: str, record: str | None) -> Finding:
    return Finding(rule, Severity.ERROR, form, f"{form}.xlsx", "s", "A1", record, None, "ja", "en")


FINDINGS = [_f("XREF-001", "B-02", "R-1"), _f("XREF-001", "B-02", "R-2"), _f("READ-002", "B-01", "A-1"),
            _f("READ-002", "B-03", "P-1"), _f("READ-002", "B-03", None)]


@pytest.mark.parametrize(("rule", "record", "form", "hidden"), [
    ("XREF-001", "R-1", None, [0]),
    ("XREF-001", None, None, [0, 1]),
    ("READ-002", None, "B-03", [3, 4]),
    ("READ-002", "P-1", "B-03", [3]),
    ("READ-002", "P-1", "B-01", []),
    ("XREF-002", "R-1", None, []),
])
def test_matching(rule, record, form, hidden):
    s = Suppression(rule, record, form, "why", dt.date(2027, 1, 1), 1)
    kept, suppressed, expired = apply_suppressions(FINDINGS, [s], TODAY)
    assert [FINDINGS.index(f) for f, _ in suppressed] == hidden
    assert kept == [f for i, f in enumerate(FINDINGS) if i not in hidden]
    assert expired == []
    kept, suppressed, expired = apply_suppressions(FINDINGS, [s], dt.date(2027, 1, 2))
    assert kept == FINDINGS and suppressed == [] and [w.rule for w in expired] == [EXPIRED_RULE]


def test_no_file_no_suppressions(tmp_path):
    assert load_suppressions(tmp_path) == []


def test_loads_dates_written_as_strings_and_datetimes(tmp_path):
    (tmp_path / SUPPRESSIONS_NAME).write_text(
        '[[suppress]]\nrule = "XREF-003"\nrecord = "A-018"\nreason = "r"\nexpires = "2027-03-31"\n\n'
        '[[suppress]]\nrule = "XREF-001"\nform = "B-02"\nreason = "r"\nexpires = 2027-03-31T12:00:00\n',
        encoding="utf-8")
    got = load_suppressions(tmp_path)
    assert [(s.rule, s.record, s.form, s.expires, s.index) for s in got] == [
        ("XREF-003", "A-018", None, dt.date(2027, 3, 31), 1), ("XREF-001", None, "B-02", dt.date(2027, 3, 31), 2)]


# ------------------------------------------------------------------------------------------------
# Malformed files


@pytest.mark.parametrize(("text", "says"), [
    ('[[suppress]\nrule = "X"\n', "TOML"),
    ('[[suppress]]\nrule = "XREF-003"\nexpires = 2027-03-31\n', "reason"),
    ('[[suppress]]\nrule = "XREF-003"\nreason = "r"\n', "expires"),
    ('[[suppress]]\nreason = "r"\nexpires = 2027-03-31\n', "rule"),
    ('[[suppress]]\nrule = "XREF-003"\nreason = "r"\nexpires = "来年3月"\n', "来年3月"),
    ('[[suppress]]\nrule = "XREF-003"\nreason = "r"\nexpires = "2027-02-30"\n', "2027-02-30"),
    (b"\xff\xfe rule = 1", "TOML"),  # not UTF-8
], ids=["syntax", "no-reason", "no-expiry", "no-rule", "not-a-date", "no-such-day", "encoding"])
def test_malformed_file_is_a_config_error_naming_the_file(tmp_path, text, says):
    path = tmp_path / SUPPRESSIONS_NAME
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ConfigError) as info:
        load_suppressions(tmp_path)
    err = info.value
    assert SUPPRESSIONS_NAME in err.message_ja and SUPPRESSIONS_NAME in err.message_en
    assert says in err.message_en
    assert "\n" not in err.message_ja and "\n" not in err.message_en


def test_malformed_file_stops_check_folder(demo):
    write(demo, {"rule": "XREF-003", "reason": "r"})
    with pytest.raises(ConfigError, match=SUPPRESSIONS_NAME):
        check_folder(demo, today=TODAY)


@pytest.mark.parametrize("expires", ["2027", "12:00:00"], ids=["integer", "time"])
def test_expiry_of_another_type_is_a_config_error(tmp_path, expires):
    (tmp_path / SUPPRESSIONS_NAME).write_text(f'[[suppress]]\nrule = "XREF-003"\nreason = "r"\nexpires = {expires}\n',
                                              encoding="utf-8")
    with pytest.raises(ConfigError, match=SUPPRESSIONS_NAME):
        apply_suppressions([], load_suppressions(tmp_path), TODAY)


def test_single_bracket_table_is_a_config_error(tmp_path):
    (tmp_path / SUPPRESSIONS_NAME).write_text('[suppress]\nrule = "XREF-003"\nreason = "r"\nexpires = 2027-03-31\n',
                                              encoding="utf-8")
    with pytest.raises(ConfigError, match=SUPPRESSIONS_NAME):
        load_suppressions(tmp_path)


def test_misspelt_key_is_a_config_error(tmp_path):
    (tmp_path / SUPPRESSIONS_NAME).write_text(
        '[[suppress]]\nrule = "XREF-003"\nrecrd = "A-018"\nreason = "r"\nexpires = 2027-03-31\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="recrd"):
        load_suppressions(tmp_path)
