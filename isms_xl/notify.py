"""E-mail the nightly summary, with the HTML report attached, when SMTP is configured in
``isms_xl.toml``::

    [notify.smtp]
    host = "smtp.example.co.jp"
    port = 587
    starttls = true
    username = "isms-bot"
    password_env = "ISMS_XL_SMTP_PASSWORD"   # the password itself never goes in the file
    from = "isms-bot@example.co.jp"
    to = ["isms-office@example.co.jp"]
    subject_prefix = "[ISMS]"
    only_when_findings = false
"""

from __future__ import annotations

import email.policy
import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from isms_xl.check import CheckRun
from isms_xl.config import CONFIG_NAME
from isms_xl.errors import ConfigError, ExitCode, IsmsXlError


class NotifyError(IsmsXlError):
    """Sending the e-mail failed; the check itself ran and its reports were written."""

    exit_code = ExitCode.WRITE_FAILED


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    subject_prefix: str = "[ISMS]"
    only_when_findings: bool = False


def load_smtp(folder: Path) -> SmtpSettings | None:
    path = Path(folder) / CONFIG_NAME
    if not path.exists():
        return None
    section = tomllib.loads(path.read_text(encoding="utf-8")).get("notify", {}).get("smtp")
    if not section:
        return None
    missing = [k for k in ("host", "from", "to") if not section.get(k)]
    if missing:
        raise ConfigError(f"{path}: [notify.smtp] に {', '.join(missing)} がありません",
                          f"{path}: [notify.smtp] lacks {', '.join(missing)}")
    to = section["to"]
    return SmtpSettings(
        host=str(section["host"]), port=int(section.get("port", 587)), sender=str(section["from"]),
        to=(to,) if isinstance(to, str) else tuple(to), starttls=bool(section.get("starttls", True)),
        ssl=bool(section.get("ssl", False)), username=section.get("username"),
        password_env=section.get("password_env"), subject_prefix=str(section.get("subject_prefix", "[ISMS]")),
        only_when_findings=bool(section.get("only_when_findings", False)),
    )


def build_message(run: CheckRun, settings: SmtpSettings, summary_text: str, html: str | None,
                  lang: str = "ja") -> EmailMessage:
    counts = run.summary()
    subject = (f"{settings.subject_prefix} ISMS 整合性チェック {run.today}: エラー {counts['error']} 件・警告 {counts['warning']} 件"
               if lang == "ja" else
               f"{settings.subject_prefix} ISMS check {run.today}: {counts['error']} errors, {counts['warning']} warnings")
    # Long lines allowed so the Japanese subject stays one encoded word (mail readers drop the
    # space between two).
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="isms-xl")
    msg.set_content(summary_text, cte="base64")  # keeps line ends and the box-drawing table intact
    if html is not None:
        msg.add_attachment(html.encode("utf-8"), maintype="text", subtype="html",
                           filename=f"isms_check_{run.today}.html")
    return msg


def send(msg: EmailMessage, settings: SmtpSettings, timeout: float = 30) -> None:
    password = os.environ.get(settings.password_env) if settings.password_env else None
    try:
        if settings.ssl:
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with server:
            if settings.starttls and not settings.ssl:
                server.starttls(context=ssl.create_default_context())
            if settings.username and password:
                server.login(settings.username, password)
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as err:
        raise NotifyError(f"メールを送信できません（{settings.host}:{settings.port}）: {err}",
                          f"cannot send the e-mail via {settings.host}:{settings.port}: {err}") from None
