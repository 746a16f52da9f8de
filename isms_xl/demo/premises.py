"""B-14 entry and exit log of the last ten business days (Annex A 7.2): visitors escorted by a
member of staff, staff entering the server room and the lab.

Clean records: every visitor has an escort, every entry an exit time after it (XREF-080, XREF-081)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.demo.names import (CUSTOMER_VISITS, CUSTOMERS, GIVEN_FEMALE, GIVEN_MALE, SUPPLIER_VISITS, SUPPLIERS, SURNAMES,
                                TECH)

STAFF_PURPOSES = ("サーバ保守作業", "バックアップ媒体の交換", "試作機の持出し", "ネットワーク機器の設定変更", "評価ボードの検証")


def _visitor(rng, staff: set[str]) -> str:
    while True:
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_MALE + GIVEN_FEMALE)}"
        if name not in staff:
            return name


def build_entry_log(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    staff = {s.name for s in org.staff}
    visits = [(f"株式会社{c}", CUSTOMER_VISITS) for c in CUSTOMERS] + \
        [(s[0], (why,)) for s, why in zip(SUPPLIERS, SUPPLIER_VISITS) if s[4] != "office"]  # the cleaner's contract ended
    tech = org.workers(TECH)
    days = []
    day = cal.ago(1)
    while len(days) < 10:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    for day in reversed(days):
        entries = []
        for _ in range(rng.randint(2, 4)):
            company, purposes = rng.choice(visits)
            entries.append(dict(name=_visitor(rng, staff), organisation=company, kind="外部",
                                purpose=rng.choice(purposes), escort=rng.choice(sorted(staff - {org.president})),
                                badge=f"G-{rng.randint(1, 12):02d}"))
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(tech)
            entries.append(dict(name=name, organisation=f"当社 {org.department_of(name)}", kind="従業員",
                                purpose=rng.choice(STAFF_PURPOSES)))
        times = sorted(rng.sample(range(9 * 4, 17 * 4), len(entries)))
        for n, (entry, quarter) in enumerate(zip(entries, times), start=1):
            entered = dt.time(quarter // 4, quarter % 4 * 15)
            stay = rng.randint(2, 10) * 15
            left_minutes = quarter * 15 + stay
            entry.update(entry_on=day, entered_at=entered, left_at=dt.time(left_minutes // 60, left_minutes % 60))
            data.records("B-14").append(Rec("entry_id", entry_id=f"{day:%Y%m%d}-{n:02d}", **entry))
