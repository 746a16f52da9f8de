"""B-04 legal and regulatory requirements (§4.2; Annex A 5.31): the laws of laws.py, each checked
within the last five months and due for its next check in about six months.

Clean records: no next check in the past (XREF-030); an entry not yet complied with names the
controls that will answer it (XREF-031)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.laws import LAWS


def build_legal_register(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    for n, law in enumerate(LAWS, start=1):
        checked = cal.ago(rng.randint(30, 150))
        data.records("B-04").append(Rec(
            "req_id", req_id=f"L-{n:02d}", law=law.name, authority=law.authority, clause=law.clause,
            requirement=law.requirement, scope=law.scope, status=law.status, controls=list(law.controls),
            responsible=org.office[n % 2] if n % 3 else org.manager, checked_on=checked,
            next_check_on=checked + dt.timedelta(days=182),
            notes="施行日に向けて契約書ひな形を改訂中" if law.status != "対応済" else None))
