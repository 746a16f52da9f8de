"""People's records: B-15 confidentiality pledges (one 入社時 pledge per staff member, signed on the
day they joined: XREF-090) and B-16 consents to personal-data handling from applicants and
seminar participants (not staff, so their names are plain text)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec, number
from isms_xl.demo.names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES
from isms_xl.forms.b15_confidentiality_pledge import PLEDGE_TEXT

CONSENT_PURPOSES = {
    "採用応募者": ("採用選考及び採否の連絡", "入社手続き（採用となった場合）"),
    "セミナー参加者": ("セミナーの運営及び参加証の送付", "当社製品・サービスのご案内", "アンケートの集計（統計情報として利用）"),
    "製品利用者": ("製品サポート及び保守契約の履行", "製品の不具合・アップデート情報のご連絡"),
}


def build_pledges(data: DemoData) -> None:
    for person in sorted(data.org.staff, key=lambda s: (s.joined_on, s.name)):
        data.records("B-15").append(Rec("pledge_id", pledge_id=None, name=person.name, department=person.department,
                                        kind="入社時", signed_on=person.joined_on, body=PLEDGE_TEXT, signature=person.name))


def number_pledges(data: DemoData) -> None:
    number(data.records("B-15"), lambda i, _: f"NDA-{i:03d}")


def build_consents(data: DemoData) -> None:
    cal, rng = data.cal, data.rng
    staff = {s.name for s in data.org.staff}
    consents = []
    for n in range(9):
        kind = tuple(CONSENT_PURPOSES)[n % 3]
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_MALE + GIVEN_FEMALE)}"
        while name in staff:
            name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_MALE + GIVEN_FEMALE)}"
        day = cal.ago(rng.randint(10, 600))
        purposes = CONSENT_PURPOSES[kind]
        rec = Rec("consent_id", consent_id=None, name=name, consented_on=day, signature=name,
                  purposes=[{"purpose": f"{p}（{kind}）" if i == 0 else p,
                             "agreed": "同意しない" if kind == "セミナー参加者" and i == 1 and n == 4 else "同意する"}
                            for i, p in enumerate(purposes)])
        if n == 7:
            rec["withdrawn_on"] = day + dt.timedelta(days=rng.randint(5, 9))
        consents.append(rec)
    consents.sort(key=lambda r: r["consented_on"])
    number(consents, lambda i, _: f"CN-{i:03d}")
    data.records("B-16").extend(consents)


def build_people(data: DemoData) -> None:
    build_pledges(data)
    build_consents(data)
