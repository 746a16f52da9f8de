"""Dates of the demo, all relative to the as-of date, so that a rule such as "older than 12 months"
or "after the fiscal year's February" gives the same verdict on the same record whatever day the
demo is generated for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Calendar:
    as_of: dt.date
    fy_start_month: int = 4  # the Japanese fiscal year (method.md "Fiscal year")

    def ago(self, days: int) -> dt.date:
        return self.as_of - dt.timedelta(days=days)

    def ahead(self, days: int) -> dt.date:
        return self.as_of + dt.timedelta(days=days)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute)

    @property
    def fy(self) -> int:
        """The fiscal year of the as-of date, named by the calendar year it starts in."""
        return self.fiscal_year(self.as_of)

    def fiscal_year(self, day: dt.date) -> int:
        return day.year if day.month >= self.fy_start_month else day.year - 1

    def fy_start(self, fy: int) -> dt.date:
        return dt.date(fy, self.fy_start_month, 1)

    def fy_months(self, fy: int) -> list[dt.date]:
        """First days of the twelve months of a fiscal year, April first."""
        return [add_months(self.fy_start(fy), i) for i in range(12)]

    @property
    def month_start(self) -> dt.date:
        return self.as_of.replace(day=1)

    def last_februaries(self, count: int) -> list[dt.date]:
        """The annual §9.1 evaluation days of the last ``count`` Februaries that have begun by the
        as-of date, newest first; the 10th, or the as-of date itself early in February."""
        year = self.as_of.year if self.as_of >= dt.date(self.as_of.year, 2, 1) else self.as_of.year - 1
        days = []
        for y in range(year, year - count, -1):
            days.append(min(dt.date(y, 2, 10), self.as_of))
        return days
