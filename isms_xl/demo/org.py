"""The demo company's people: about 40 staff in three departments and the ISMS roles of the manual
(§5.3: 社長, ISMS管理責任者, ISMS事務局, 部門長, ISMS推進委員). Roles do not overlap, so a person's
name always tells which role acted (XREF-121 maps a 受理者 name to its role this way)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from isms_xl.demo.dates import Calendar
from isms_xl.demo.names import ADMIN, DEPARTMENTS, GIVEN_FEMALE, GIVEN_MALE, HEADCOUNT, SURNAMES, TECH


@dataclass(frozen=True)
class Staff:
    name: str
    department: str
    joined_on: dt.date


@dataclass(frozen=True)
class DemoOrg:
    staff: tuple[Staff, ...]
    president: str
    manager: str  # ISMS管理責任者
    office: tuple[str, ...]  # ISMS事務局
    heads: dict[str, str]  # 部門長 per department
    promoters: dict[str, str]  # ISMS推進委員 per department

    def members(self, department: str) -> list[str]:
        return [s.name for s in self.staff if s.department == department]

    def department_of(self, name: str) -> str:
        return next(s.department for s in self.staff if s.name == name)

    def workers(self, department: str) -> list[str]:
        """Members without an ISMS role above 推進委員 (the people who carry out plans)."""
        senior = {self.president, self.manager, *self.heads.values()}
        return [n for n in self.members(department) if n not in senior]

    @property
    def roles(self) -> dict[str, tuple[str, ...]]:
        return {
            "社長": (self.president,),
            "ISMS管理責任者": (self.manager,),
            "ISMS事務局": self.office,
            "部門長": tuple(self.heads[d] for d in DEPARTMENTS),
            "ISMS推進委員": tuple(self.promoters[d] for d in DEPARTMENTS),
        }


def _names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    surnames = list(SURNAMES)
    rng.shuffle(surnames)
    for i in range(count):
        given = GIVEN_MALE if rng.random() < 0.62 else GIVEN_FEMALE
        # Surnames do repeat in a Japanese office of 40, but full names must not.
        surname = surnames[i % len(surnames)] if rng.random() < 0.85 else rng.choice(SURNAMES)
        name = f"{surname} {rng.choice(given)}"
        while name in names:
            name = f"{surname} {rng.choice(given)}"
        names.append(name)
    return names


def build_org(rng: random.Random, cal: Calendar) -> DemoOrg:
    total = sum(HEADCOUNT.values())
    names = iter(_names(rng, total))
    staff: list[Staff] = []
    by_dept: dict[str, list[str]] = {}
    for dept in DEPARTMENTS:
        for _ in range(HEADCOUNT[dept]):
            name = next(names)
            staff.append(Staff(name, dept, cal.ago(rng.randint(200, 7000))))
            by_dept.setdefault(dept, []).append(name)
    president = by_dept[ADMIN][0]
    manager = by_dept[TECH][0]  # 取締役 技術担当 as ISMS管理責任者
    heads = {d: by_dept[d][1] for d in DEPARTMENTS}
    promoters = {d: by_dept[d][2] for d in DEPARTMENTS}
    office = (by_dept[ADMIN][3], by_dept[ADMIN][4])
    founded = cal.ago(7300)  # the president and the director have been there since the founding
    staff = [Staff(s.name, s.department, founded if s.name in (president, manager) else s.joined_on) for s in staff]
    return DemoOrg(tuple(staff), president, manager, office, heads, promoters)
