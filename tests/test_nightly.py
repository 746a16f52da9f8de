"""The nightly run: reports into the dated folder, the exit code, and the e-mail, sent to a local
SMTP server (aiosmtpd on 127.0.0.1) that the test starts."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from isms_xl.demo import generate_demo
from isms_xl.errors import ExitCode
from isms_xl.history import state_path, trend
from isms_xl.nightly import run_nightly
from isms_xl.notify import NotifyError

TODAY = dt.date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture()
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def add_smtp(folder: Path, port: int, **extra) -> None:
    lines = ["", "[notify.smtp]", 'host = "127.0.0.1"', f"port = {port}", "starttls = false",
             'from = "isms-bot@example.co.jp"', 'to = ["isms-office@example.co.jp", "ciso@example.co.jp"]']
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    with (folder / "isms_xl.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("nightly") / "isms"
    generate_demo(folder, as_of=TODAY)
    return folder


@pytest.fixture()
def demo(demo_dir, tmp_path) -> Path:
    folder = tmp_path / "isms"
    shutil.copytree(demo_dir, folder)
    return folder


def assert_reports(folder: Path, reports: dict[str, Path], day: dt.date = TODAY) -> dict:
    dated = folder / ".isms_xl" / "reports" / day.isoformat()
    assert {k: p.parent for k, p in reports.items()} == {k: dated for k in ("html", "json", "xlsx", "text")}
    assert sorted(p.name for p in dated.iterdir()) == sorted(p.name for p in reports.values())
    for p in reports.values():
        assert p.stat().st_size > 0
    html = reports["html"].read_text(encoding="utf-8")
    assert "XREF-001" in html and "</html>" in html.lower()
    assert reports["xlsx"].read_bytes()[:2] == b"PK"
    return json.loads(reports["json"].read_text(encoding="utf-8"))


def test_nightly_writes_every_report_and_exits_1(demo):
    result = run_nightly(demo, today=TODAY)
    assert result.exit_code == ExitCode.FINDINGS == 1
    assert result.mailed is False  # no [notify.smtp]
    report = assert_reports(demo, result.reports)
    assert report["today"] == TODAY.isoformat()
    assert report["summary"] == result.run.summary() and report["summary"]["error"] > 0
    summary = result.reports["text"].read_text(encoding="utf-8")
    assert "検査結果の概要" in summary and str(result.run.summary()["error"]) in summary
    assert [t["today"] for t in trend(state_path(demo))] == [TODAY.isoformat()]


def test_nightly_exit_codes(demo):
    assert run_nightly(demo, today=TODAY, fail_on="never").exit_code == 0
    path = next(demo.glob("ISMS-B-08_*.xlsx"))
    path.write_bytes(path.read_bytes()[:2000])
    assert run_nightly(demo, today=TODAY, fail_on="never").exit_code == ExitCode.NOT_A_WORKBOOK


def test_second_night_reports_new_and_resolved(demo, tmp_path):
    run_nightly(demo, today=TODAY)
    next(demo.glob("ISMS-B-08_*.xlsx")).unlink()
    tomorrow = TODAY + dt.timedelta(days=1)
    result = run_nightly(demo, today=tomorrow, out_dir=tmp_path / "out")
    assert result.reports["html"].parent == tmp_path / "out"
    report = json.loads(result.reports["json"].read_text(encoding="utf-8"))
    assert {f["form"] for f in report["resolved"]} == {"B-08"}
    assert {f["rule"] for f in report["new"]} == {"XREF-050"}
    assert [t["today"] for t in trend(state_path(demo))] == [TODAY.isoformat(), tomorrow.isoformat()]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_nightly_mails_one_message_with_the_html_report(demo, smtp, lang):
    port, inbox = smtp
    add_smtp(demo, port)
    result = run_nightly(demo, today=TODAY, lang=lang)
    assert result.mailed is True and result.exit_code == 1

    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "isms-bot@example.co.jp"
    assert envelope.rcpt_tos == ["isms-office@example.co.jp", "ciso@example.co.jp"]
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    counts = result.run.summary()
    if lang == "ja":  # the exact text: test_japanese_subject_keeps_its_spaces
        assert msg["Subject"].startswith(f"[ISMS] ISMS 整合性チェック {TODAY}:")
        assert msg["Subject"].endswith(f"エラー {counts['error']} 件・警告 {counts['warning']} 件")
    else:
        assert msg["Subject"] == f"[ISMS] ISMS check {TODAY}: {counts['error']} errors, {counts['warning']} warnings"
    assert msg["From"] == "isms-bot@example.co.jp"
    assert msg["To"] == "isms-office@example.co.jp, ciso@example.co.jp"
    assert msg["Date"] and msg["Message-ID"]

    body = msg.get_body(("plain",)).get_content()
    assert body == result.reports["text"].read_text(encoding="utf-8")
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_filename() == f"isms_check_{TODAY}.html"
    assert attachment.get_payload(decode=True) == result.reports["html"].read_bytes()
    assert_reports(demo, result.reports)


def test_japanese_subject_keeps_its_spaces(demo, smtp):
    port, inbox = smtp
    add_smtp(demo, port)
    counts = run_nightly(demo, today=TODAY).run.summary()
    msg = email.message_from_bytes(inbox.envelopes[0].original_content, policy=email.policy.default)
    assert msg["Subject"] == f"[ISMS] ISMS 整合性チェック {TODAY}: エラー {counts['error']} 件・警告 {counts['warning']} 件"


def test_no_mail_when_asked_not_to(demo, smtp):
    port, inbox = smtp
    add_smtp(demo, port)
    result = run_nightly(demo, today=TODAY, mail=False)
    assert result.mailed is False and inbox.envelopes == []


def test_only_when_findings_and_there_are_none(demo, smtp):
    port, inbox = smtp
    add_smtp(demo, port, only_when_findings=True)
    rules = {d["rule"] for d in json.loads((demo / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]}
    (demo / "isms_xl_suppressions.toml").write_text("".join(
        f'[[suppress]]\nrule = "{r}"\nreason = "r"\nexpires = 2099-12-31\n' for r in sorted(rules)), encoding="utf-8")
    result = run_nightly(demo, today=TODAY)
    assert result.run.findings == [] and result.exit_code == 0
    assert result.mailed is False and inbox.envelopes == []


def test_smtp_down_is_one_line_and_the_reports_are_written(demo):
    port = free_port()  # nothing listens there
    add_smtp(demo, port)
    result = run_nightly(demo, today=TODAY)  # a mail failure does not lose the run or its reports
    assert not result.mailed and result.exit_code == 1  # the demo's errors decide the exit code
    for lang in ("ja", "en"):
        text = run_nightly(demo, today=TODAY, lang=lang, out_dir=demo / f"again_{lang}").mail_error
        assert "\n" not in text and f"127.0.0.1:{port}" in text
    dated = demo / ".isms_xl" / "reports" / TODAY.isoformat()
    assert sorted(p.name for p in dated.iterdir()) == sorted(
        ["isms_check.html", "isms_check.json", "検査結果.xlsx", "summary.txt"])
    assert [t["today"] for t in trend(state_path(demo))][0] == TODAY.isoformat()  # the run is recorded


# ------------------------------------------------------------------------------------------------
# scripts/nightly_check.py


def script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "nightly_check.py"), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, env=dict(os.environ, PYTHONIOENCODING="utf-8"))


def test_script_exits_like_run_nightly_and_prints_the_html_path(demo, demo_dir, tmp_path):
    day = dt.date.today()  # the script judges by today's date
    expected = run_nightly(shutil.copytree(demo_dir, tmp_path / "twin"), today=day, mail=False)
    result = script(str(demo), "--no-mail")
    assert "Traceback" not in result.stderr
    assert result.returncode == expected.exit_code == 1
    html = demo / ".isms_xl" / "reports" / day.isoformat() / "isms_check.html"
    assert result.stdout.strip() == str(html) and html.is_file()


def test_script_keeps_the_history_where_state_says(demo, tmp_path):
    result = script(str(demo), "--no-mail", "--fail-on", "never", "--state", str(tmp_path / "state"))
    assert result.returncode == 0, result.stderr
    assert len(trend(state_path(demo, tmp_path / "state"))) == 1


def test_script_fail_on_never_and_out(demo, tmp_path):
    result = script(str(demo), "--no-mail", "--fail-on", "never", "--out", str(tmp_path / "r"), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "r" / "isms_check.html")


def test_script_smtp_down_one_line_no_traceback(demo):
    add_smtp(demo, free_port())
    result = script(str(demo))
    assert "Traceback" not in result.stderr
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "127.0.0.1" in lines[0]


def test_script_bad_config_exits_3(demo):
    add_smtp(demo, 25)
    text = (demo / "isms_xl.toml").read_text(encoding="utf-8").replace('from = "isms-bot@example.co.jp"\n', "")
    (demo / "isms_xl.toml").write_text(text, encoding="utf-8")
    result = script(str(demo))
    assert result.returncode == ExitCode.CONFIG
    assert "Traceback" not in result.stderr and "from" in result.stderr
