"""Cell values as people type them, turned into typed values (forms.md "Types", inputs.md
"What people do to workbooks").

``parse_value(column, raw)`` takes what python-calamine or openpyxl return for a cell (str, int,
float, bool, date, datetime, time, timedelta, None or an Excel error) and gives a ``Parsed``:
the typed value, whether it is acceptable, and when not (or when it was read with a caveat) a
problem code with a one-line message in Japanese and English that names the column and says
what would have been right. Bad data never raises; a broken declaration (an enum alias that
names two values) does, with ``ValueError``.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from isms_xl.controls import parse_controls
from isms_xl.schema import Column, Kind

__all__ = [
    "ERAS",
    "EXCEL_ERRORS",
    "PROBLEMS",
    "Era",
    "Parsed",
    "Problem",
    "enum_lookup",
    "is_blank",
    "is_excel_error",
    "parse_value",
]


# --- Result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """The typed value of one cell.

    ``ok`` False: the value is not acceptable for the column (an error finding). ``ok`` True with
    a ``problem``: accepted, with a caveat the reader may report as info/warning (``partial_date``,
    ``percent_over_100``, ``dash_as_blank``). Some refusals keep a usable ``value`` (the valid ids
    of a partly bad controls cell, a number below the column's minimum, a date whose weekday
    disagrees) so later checks can still use it.
    """

    value: object
    ok: bool = True
    problem: str | None = None
    message_ja: str = ""
    message_en: str = ""

    @property
    def is_blank(self) -> bool:
        return self.value is None and self.ok

    @property
    def is_warning(self) -> bool:
        return self.ok and self.problem is not None

    def message(self, lang: str = "ja") -> str:
        return self.message_ja if lang == "ja" else self.message_en


@dataclass(frozen=True)
class Problem:
    code: str
    ja: str  # str.format template: {col} is the column header, {raw} the cell as typed
    en: str
    warning: bool = False  # accepted with a caveat (ok stays True)


_EXAMPLES_DATE_JA = "例: 2026/4/1、2026年4月1日、R8.4.1、令和8年4月1日"
_EXAMPLES_DATE_EN = "e.g. 2026/4/1, 2026-04-01, R8.4.1, 令和8年4月1日"
_LEVEL_CHOICES_JA = "使用可能な値: 1 / 2 / 3（低 / 中 / 高、小 / 中 / 大、L / M / H）"
_LEVEL_CHOICES_EN = "Valid values: 1 / 2 / 3 (low / medium / high, L / M / H, 低 / 中 / 高)"

PROBLEMS: dict[str, Problem] = {p.code: p for p in (
    Problem("excel_error", "{col}: Excel のエラー値 {raw} です（数式または参照先を確認してください）",
            "{col}: Excel error value {raw} (check the formula or what it refers to)"),
    Problem("ditto_mark", "{col}: 「{raw}」（同上）は読み取れません。値そのものを入力してください",
            "{col}: '{raw}' (ditto) cannot be read; enter the value itself"),
    Problem("dash_as_blank", "{col}: 「{raw}」を空欄として読みました",
            "{col}: '{raw}' was read as blank", warning=True),
    Problem("bad_level", "{col}: 「{raw}」はレベルとして読めません。" + _LEVEL_CHOICES_JA,
            "{col}: '{raw}' is not a level. " + _LEVEL_CHOICES_EN),
    Problem("level_out_of_range", "{col}: レベル {raw} は範囲外です。" + _LEVEL_CHOICES_JA,
            "{col}: level {raw} is out of range. " + _LEVEL_CHOICES_EN),
    Problem("conflicting_level", "{col}: 「{raw}」の数字と言葉が異なるレベルを示しています。" + _LEVEL_CHOICES_JA,
            "{col}: '{raw}' names two different levels. " + _LEVEL_CHOICES_EN),
    Problem("bad_date", "{col}: 「{raw}」は日付として読めません（" + _EXAMPLES_DATE_JA + "）",
            "{col}: '{raw}' is not a date (" + _EXAMPLES_DATE_EN + ")"),
    Problem("missing_year", "{col}: 「{raw}」には年がありません（" + _EXAMPLES_DATE_JA + "）",
            "{col}: '{raw}' has no year (" + _EXAMPLES_DATE_EN + ")"),
    Problem("ambiguous_year", "{col}: 「{raw}」は年が2桁のため読めません。年は4桁か和暦で入力してください（"
            + _EXAMPLES_DATE_JA + "）",
            "{col}: '{raw}' has a two-digit year; write the year in full or with its era (" + _EXAMPLES_DATE_EN + ")"),
    Problem("era_out_of_range", "{col}: 「{raw}」は{era_ja}の期間（{start}〜{end}）にない日付です",
            "{col}: '{raw}' is outside the {era_en} era ({start} – {end})"),
    Problem("weekday_mismatch", "{col}: 「{raw}」の曜日が日付と合いません（{value} は{weekday_ja}曜日）",
            "{col}: the weekday of '{raw}' does not match the date ({value} is a {weekday_en})"),
    Problem("partial_date", "{col}: 「{raw}」は日がないため {value} として読みました",
            "{col}: '{raw}' has no day; read as {value}", warning=True),
    Problem("bad_datetime", "{col}: 「{raw}」は日時として読めません（例: 2026/4/1 9:30、2026年4月1日 9時30分）",
            "{col}: '{raw}' is not a date and time (e.g. 2026/4/1 9:30, 2026-04-01 09:30)"),
    Problem("bad_time", "{col}: 「{raw}」は時刻として読めません（例: 9:30、9時30分、午後3時）",
            "{col}: '{raw}' is not a time of day (e.g. 9:30, 15:00, 3:00 pm)"),
    Problem("bad_month", "{col}: 「{raw}」は年月として読めません（例: 2026/4、2026年4月、R8.4）",
            "{col}: '{raw}' is not a month (e.g. 2026-04, 2026/4, R8.4)"),
    Problem("bad_number", "{col}: 「{raw}」は数値として読めません（例: 1200、1,200、1,200円）",
            "{col}: '{raw}' is not a number (e.g. 1200, 1,200, ¥1,200)"),
    Problem("not_integer", "{col}: {raw} は整数ではありません", "{col}: {raw} is not a whole number"),
    Problem("below_minimum", "{col}: {raw} は {minimum} 以上である必要があります",
            "{col}: {raw} must be at least {minimum}"),
    Problem("percent_over_100", "{col}: {raw} を {percent}% として読みました（85% のつもりなら 85% または 0.85 と入力してください）",
            "{col}: {raw} was read as {percent}% (for 85 % enter 85% or 0.85)", warning=True),
    Problem("unknown_enum", "{col}: 「{raw}」は選択肢にありません。使用可能な値: {choices}",
            "{col}: '{raw}' is not one of the choices. Valid values: {choices}"),
    Problem("ambiguous_enum", "{col}: 「{raw}」は複数の選択肢（{found}）に当たります。使用可能な値: {choices}",
            "{col}: '{raw}' names several choices ({found}). Valid values: {choices}"),
    Problem("several_ids", "{col}: 1つだけ入力してください（{count}件あります: {raw}）",
            "{col}: enter exactly one ({count} given: {raw})"),
    Problem("bad_control", "{col}: 管理策番号として読めません: {invalid}（例: 5.15、A.5.15、A.9.2.1）",
            "{col}: not a control id: {invalid} (e.g. 5.15, A.5.15, A.9.2.1)"),
)}


def _result(column: Column, code: str, raw: object, typed: object = None, **fields: object) -> Parsed:
    problem = PROBLEMS[code]
    shown = _display(raw)
    ja = problem.ja.format(col=column.ja, raw=shown, **fields)
    en = problem.en.format(col=column.en, raw=shown, **fields)
    return Parsed(typed, problem.warning, code, ja, en)


# --- Blank, errors, text ----------------------------------------------------------------------

# Every error value Excel shows in a cell (openpyxl returns them as these strings).
# python-calamine returns error cells as "" (indistinguishable from blank), so a reader that must
# report them reads the cell types with openpyxl.
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
})

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def is_excel_error(raw: object) -> bool:
    """True for an Excel error value: the strings openpyxl returns (``"#N/A"``) or an error object
    of a reader library whose ``str()`` is the error text."""
    if raw is None or isinstance(raw, (bool, int, float, date, time, timedelta)):
        return False
    return str(raw).strip().upper() in EXCEL_ERRORS


def is_blank(raw: object) -> bool:
    """None, "" or only whitespace (full-width spaces, non-breaking and zero-width spaces too)."""
    if raw is None:
        return True
    return isinstance(raw, str) and not raw.strip(" \t\r\n\u3000\xa0" + _INVISIBLE).strip()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip(_INVISIBLE + " \t\r\n").strip()


def _number_text(value: float) -> str:
    """A float as a person would read it: 12.0 → "12" (Excel stores every number as a float)."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return repr(value)


def _display(raw: object) -> str:
    """The cell as the user sees it, for messages and for text columns."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return _number_text(raw)
    if isinstance(raw, datetime):
        if raw.time() == time(0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ", timespec="seconds" if raw.second or raw.microsecond else "minutes")
    if isinstance(raw, (date, time)):
        return raw.isoformat(timespec="minutes") if isinstance(raw, time) and not raw.second else raw.isoformat()
    return str(raw).strip()


# A dash typed for "none"; 〜 and the long-vowel mark are what IMEs give for a quick "-".
_DASH = re.compile(r"^[-‐‑‒–—―−ー~〜]+$")
_DITTO = frozenset({"〃", "''", '"', "同上"})


# --- Levels -----------------------------------------------------------------------------------

_LEVEL_WORDS = {
    "高": 3, "中": 2, "低": 1, "大": 3, "小": 1,
    "h": 3, "m": 2, "l": 1, "high": 3, "medium": 2, "med": 2, "mid": 2, "middle": 2, "low": 1,
    # Roman numerals (NFKC turns Ⅲ into "III"): some forms rank Ⅰ–Ⅲ.
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5,
}
_LEVEL_PREFIXES = frozenset({"レベル", "level", "lv", "lvl"})
_LEVEL_TOKEN = re.compile(r"[+-]?\d+(?:\.\d+)?|[^\W\d_]+")


def _parse_level(column: Column, raw: object) -> Parsed:
    if isinstance(raw, bool) or isinstance(raw, (date, time, timedelta)):
        return _result(column, "bad_level", raw)
    if isinstance(raw, (int, float)):
        return _level_number(column, raw, raw)
    text = _nfkc(str(raw)).casefold()
    number = _decimal(text)
    if number is not None:
        return _level_number(column, raw, number)
    numbers: set[int] = set()
    words: set[int] = set()
    unknown = False
    for token in _LEVEL_TOKEN.findall(text):
        value = _decimal(token)
        if value is not None:
            if value != value.to_integral_value():
                return _result(column, "bad_level", raw)
            numbers.add(int(value))
        elif token in _LEVEL_WORDS:
            words.add(_LEVEL_WORDS[token])
        elif token not in _LEVEL_PREFIXES:
            unknown = True
    # "3 (高)", "高(3)", "Lv.3": a number decides and words must agree; "3 (とても高い)" is a
    # number with a note. Without a number exactly one known word and nothing else.
    if len(numbers) > 1 or len(words) > 1 or (numbers and words and numbers != words):
        return _result(column, "conflicting_level", raw)
    found = numbers or (words if not unknown else set())
    if not found:
        return _result(column, "bad_level", raw)
    (level,) = found
    if not 1 <= level <= 3:
        return _result(column, "level_out_of_range", raw)
    return Parsed(level)


def _level_number(column: Column, raw: object, number: float | Decimal) -> Parsed:
    if isinstance(number, float) and not math.isfinite(number):
        return _result(column, "bad_level", raw)
    if number != int(number):
        return _result(column, "bad_level", raw)
    level = int(number)
    if not 1 <= level <= 3:
        return _result(column, "level_out_of_range", raw)
    return Parsed(level)


# --- Dates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Era:
    ja: str
    en: str
    letter: str
    first: date  # first day of year 1 of the era
    last: date | None  # None: the current era

    @property
    def base_year(self) -> int:
        return self.first.year - 1


ERAS: tuple[Era, ...] = (
    Era("明治", "Meiji", "M", date(1868, 1, 25), date(1912, 7, 29)),
    Era("大正", "Taisho", "T", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "Showa", "S", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "Heisei", "H", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "Reiwa", "R", date(2019, 5, 1), None),
)
_ERA_BY_NAME = {name: era for era in ERAS for name in (era.ja, era.ja[0], era.letter.casefold())}
_ERA_NAMES = "|".join(sorted(_ERA_BY_NAME, key=len, reverse=True))

# Excel's 1900 date system: from 1900-03-01 on (past its phantom 1900-02-29), serial n is n days
# after 1899-12-30. Only five-digit serials are taken as dates (see _number_to_when).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 10000, 99999  # 1927-05-18 … 2173-10-14

_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = re.compile(
    r"\s*(?:\(\s*([月火水木金土日])(?:曜日?)?\s*\)|([月火水木金土日])曜日?"
    r"|\(?\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*\)?)\s*$")
_SEP = r"[/\-.年]"
_SEP2 = r"[/\-.月]"
_YMD = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP2}(\d{{1,2}})日?$")
_YM = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})月?度?$")
_ERA_YMD = re.compile(rf"^({_ERA_NAMES})(\d{{1,2}}|元){_SEP}(\d{{1,2}}){_SEP2}(\d{{1,2}})日?$")
_ERA_YM = re.compile(rf"^({_ERA_NAMES})(\d{{1,2}}|元){_SEP}(\d{{1,2}})月?度?$")
_DIGITS = re.compile(r"^(\d{5,8})(?:\.0+)?$")
_SHORT_YEAR = re.compile(r"^\d{2}[/\-.]\d{1,2}[/\-.]\d{1,2}$")
_NO_YEAR = re.compile(r"^\d{1,2}(?:[/\-.]|月)\d{1,2}日?$|^\d{1,2}月$")
_TIME_START = re.compile(r"(?:午前|午後|am|pm)?\s*\d{1,2}\s*(?::|時)")


@dataclass(frozen=True)
class _When:
    """A parsed date text: the date (first of the month when ``month_only``) and any time."""

    day: date | None = None
    month_only: bool = False
    at: time | None = None
    problem: str | None = None
    fields: tuple[tuple[str, object], ...] = ()


def _serial_to_datetime(serial: float) -> datetime | None:
    if not _SERIAL_MIN <= serial < _SERIAL_MAX + 1:
        return None
    # To the second: a serial's float rounding would otherwise give 09:29:59.999999.
    return _EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))


def _number_to_when(number: float | Decimal) -> _When:
    """A bare number in a date column: an Excel serial (5 digits), YYYYMM (6) or YYYYMMDD (8).
    Four digits or fewer are refused: far more often a year or a count than a date before 1927."""
    if isinstance(number, float) and not math.isfinite(number) or number <= 0:
        return _When(problem="bad_date")
    whole = number == int(number)
    digits = len(str(abs(int(number))))
    if whole and digits == 8:
        n = int(number)
        return _checked(n // 10000, n // 100 % 100, n % 100)
    if whole and digits == 6:
        n = int(number)
        return _checked(n // 100, n % 100, 1, month_only=True)
    if digits == 5:
        moment = _serial_to_datetime(float(number))
        if moment is not None:
            at = moment.time()
            return _When(moment.date(), at=at if at != time(0) else None)
    return _When(problem="bad_date")


def _checked(year: int, month: int, day: int, *, month_only: bool = False, era: Era | None = None,
             era_year: int | None = None) -> _When:
    try:
        value = date(year, month, day)
    except ValueError:
        return _When(problem="bad_date")
    if era is not None:
        last_of_month = value.replace(day=calendar.monthrange(year, month)[1])
        first, last = (value, last_of_month) if month_only else (value, value)
        if era_year == 0 or last < era.first or (era.last is not None and first > era.last):
            end = era.last.isoformat() if era.last else ""
            return _When(problem="era_out_of_range",
                         fields=(("era_ja", era.ja), ("era_en", era.en), ("start", era.first.isoformat()), ("end", end)))
    return _When(value, month_only=month_only)


def _era_when(match: re.Match[str], *, month_only: bool) -> _When:
    era = _ERA_BY_NAME[match.group(1)]
    n = 1 if match.group(2) == "元" else int(match.group(2))
    day = 1 if month_only else int(match.group(4))
    return _checked(era.base_year + n, int(match.group(3)), day, month_only=month_only, era=era, era_year=n)


def _parse_time_text(text: str) -> time | None:
    """"9:30", "09:30:15", "9時30分", "9時半", "午後3時", "3:30 pm"; None when not a time."""
    text = re.sub(r"\s+", "", text).replace("a.m.", "am").replace("p.m.", "pm")
    m = re.fullmatch(r"(午前|午後|am|pm)?(\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
                     r"|時(?:(\d{1,2})分|(半))?(?:(\d{1,2})秒)?)(am|pm)?", text)
    if not m:
        return None
    before, hour, colon_min, colon_sec, frac, jp_min, half, jp_sec, after = m.groups()
    if before and after:
        return None
    hour_n = int(hour)
    minute = int(colon_min or jp_min or (30 if half else 0))
    second = int(colon_sec or jp_sec or 0)
    micro = int((frac or "0").ljust(6, "0"))
    meridiem = before or after
    if meridiem:
        if hour_n > 12:
            return None
        if meridiem in ("午後", "pm") and hour_n < 12:
            hour_n += 12
        elif meridiem in ("午前", "am") and hour_n == 12:
            hour_n = 0
    if hour_n > 23 or minute > 59 or second > 59:
        return None
    return time(hour_n, minute, second, micro)


def _split_weekday(text: str) -> tuple[str, int | None]:
    """The text without a trailing weekday ("(水)", "水曜日", "(Wed)") and the weekday (Monday 0)."""
    w = _WEEKDAY.search(text)
    if not w or w.start() == 0:
        return text, None
    ja, kanji, en = w.groups()
    if ja or kanji:
        return text[: w.start()], _WEEKDAYS_JA.index(ja or kanji)
    return text[: w.start()], ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(en)


def _parse_when(raw_text: str) -> _When:
    """A date, a month, or a date and time written as text."""
    text = _nfkc(raw_text).casefold()
    number = _DIGITS.match(text)
    if number:
        return _number_to_when(Decimal(number.group(1)))
    text, weekday = _split_weekday(text)
    at: time | None = None
    t = _TIME_START.search(text)
    if t and t.start() > 0:
        at = _parse_time_text(text[t.start():])
        if at is None:
            return _When(problem="bad_date")
        text = text[: t.start()].rstrip().removesuffix("t")
        if weekday is None:  # "2026/4/1(水) 9:30"
            text, weekday = _split_weekday(text)
    text = re.sub(r"\s+", "", text)
    if m := _YMD.match(text):
        when = _checked(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _ERA_YMD.match(text):
        when = _era_when(m, month_only=False)
    elif m := _YM.match(text):
        when = _checked(int(m.group(1)), int(m.group(2)), 1, month_only=True)
    elif m := _ERA_YM.match(text):
        when = _era_when(m, month_only=True)
    elif _SHORT_YEAR.match(text):
        return _When(problem="ambiguous_year")
    elif _NO_YEAR.match(text):
        return _When(problem="missing_year")
    else:
        return _When(problem="bad_date")
    if when.day is None:
        return when
    if at is not None and when.month_only:
        return _When(problem="bad_date")
    if weekday is not None and not when.month_only and when.day.weekday() != weekday:
        wd = when.day.weekday()
        return _When(when.day, problem="weekday_mismatch",
                     fields=(("weekday_ja", _WEEKDAYS_JA[wd]), ("weekday_en", _WEEKDAYS_EN[wd])))
    return _When(when.day, when.month_only, at)


def _when_of(raw: object) -> _When:
    if isinstance(raw, datetime):
        at = raw.time().replace(tzinfo=None)
        return _When(raw.date(), at=at if at != time(0) else None)
    if isinstance(raw, date):
        return _When(raw)
    if isinstance(raw, bool) or isinstance(raw, (time, timedelta)):
        return _When(problem="bad_date")
    if isinstance(raw, (int, float)):
        return _number_to_when(raw)
    return _parse_when(str(raw))


def _date_problem(column: Column, raw: object, when: _When, bad: str) -> Parsed:
    code = when.problem or bad
    if code == "bad_date":
        code = bad
    value = when.day if code == "weekday_mismatch" else None
    return _result(column, code, raw, value, value=when.day.isoformat() if when.day else "", **dict(when.fields))


def _parse_date(column: Column, raw: object) -> Parsed:
    when = _when_of(raw)
    if when.problem or when.day is None:
        return _date_problem(column, raw, when, "bad_date")
    if when.month_only:
        return _result(column, "partial_date", raw, when.day, value=when.day.isoformat())
    return Parsed(when.day)


def _parse_month(column: Column, raw: object) -> Parsed:
    when = _when_of(raw)
    if when.problem or when.day is None:
        return _date_problem(column, raw, when, "bad_month")
    return Parsed(when.day.replace(day=1))


def _parse_datetime(column: Column, raw: object) -> Parsed:
    if isinstance(raw, time):
        return _result(column, "bad_datetime", raw)
    when = _when_of(raw)
    if when.problem or when.day is None:
        return _date_problem(column, raw, when, "bad_datetime")
    if when.month_only:
        return _result(column, "bad_datetime", raw)
    # A date alone is midnight: the two readers disagree (openpyxl gives datetime, calamine date).
    return Parsed(datetime.combine(when.day, when.at or time(0)))


def _parse_time(column: Column, raw: object) -> Parsed:
    if isinstance(raw, datetime):
        return Parsed(raw.time().replace(tzinfo=None))
    if isinstance(raw, time):
        return Parsed(raw.replace(tzinfo=None))
    if isinstance(raw, timedelta):
        if timedelta(0) <= raw < timedelta(days=1):
            return Parsed((datetime.min + raw).time())
        return _result(column, "bad_time", raw)
    if isinstance(raw, bool) or isinstance(raw, date):
        return _result(column, "bad_time", raw)
    if isinstance(raw, (int, float)):
        # A fraction of a day; a whole datetime serial keeps its time. 9 is not "9 o'clock":
        # Excel would store that as 0.375.
        if isinstance(raw, float) and not math.isfinite(raw):
            return _result(column, "bad_time", raw)
        if 0 <= raw < 1 or _SERIAL_MIN <= raw < _SERIAL_MAX + 1:
            seconds = round((raw % 1) * 86400)
            if seconds < 86400:
                return Parsed((datetime.min + timedelta(seconds=seconds)).time())
        return _result(column, "bad_time", raw)
    text = _nfkc(str(raw)).casefold()
    at = _parse_time_text(text)
    if at is None:
        t = _TIME_START.search(text)
        when = _parse_when(text) if t and t.start() > 0 else _When(problem="bad_time")
        if when.problem or when.at is None and when.day is None:
            return _result(column, "bad_time", raw)
        at = when.at or time(0)
    return Parsed(at)


# --- Numbers ----------------------------------------------------------------------------------

_MULTIPLIERS = {"万": Decimal(10000), "千": Decimal(1000), "億": Decimal(100000000)}
# Units people append to a number; the column's header already says which one is meant.
_UNITS = re.compile(r"(?:円|人|名|件|回|点|個|台|時間|hours?|hrs?|h)$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def _decimal(text: str) -> Decimal | None:
    if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?", text, re.IGNORECASE):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _number_from_text(text: str) -> tuple[Decimal | None, bool]:
    """The number in "1,200", "¥1,200", "1200円", "1.5万円", "△300", "85%"; and whether it had %."""
    # Spaces around a sign, currency or unit go; between digits they would join two numbers.
    s = re.sub(r"(?<=\D)\s+|\s+(?=\D)", "", _nfkc(text)).casefold()
    negative = False
    if s[:1] in ("-", "−", "△", "▲"):
        negative, s = True, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    s = s.removeprefix("¥").removeprefix("\\").removeprefix("jpy")
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    else:
        s = _UNITS.sub("", s, count=1)
    multiplier = Decimal(1)
    if s[-1:] in _MULTIPLIERS:
        multiplier, s = _MULTIPLIERS[s[-1]], s[:-1]
    if "," in s:
        if not _GROUPED.match(s):
            return None, percent
        s = s.replace(",", "")
    number = _decimal(s)
    if number is None or s[:1] in "+-":
        return None, percent
    number *= multiplier
    if percent:
        number /= 100
    return (-number if negative else number), percent


def _parse_number(column: Column, raw: object) -> Parsed:
    percent = False
    if isinstance(raw, bool) or isinstance(raw, (date, time, timedelta)):
        return _result(column, "bad_number", raw)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            return _result(column, "bad_number", raw)
        number: Decimal | None = Decimal(raw) if isinstance(raw, int) else Decimal(repr(raw))
    else:
        number, percent = _number_from_text(str(raw))
        if number is None:
            return _result(column, "bad_number", raw)
    kind = column.kind
    value: int | float
    note: Parsed | None = None
    if kind in (Kind.INT, Kind.MONEY):
        if number != number.to_integral_value():
            return _result(column, "not_integer", raw)
        value = int(number)
    elif kind is Kind.PERCENT:
        # A number is a fraction, as Excel stores a percentage (85 % is 0.85, and typing 85 into a
        # cell formatted as % stores 0.85). Over 100 % is possible but more often 85 meant 85 %,
        # so it is read as written, with a note; scaling it would misread 1.01 (101 %).
        value = float(number)
        if not percent and abs(number) > 1:
            note = _result(column, "percent_over_100", raw, value, percent=_display(float(number * 100)))
    else:
        value = int(number) if number == number.to_integral_value() else float(number)
    minimum = column.minimum
    if minimum is not None and value < minimum:
        return _result(column, "below_minimum", raw, value, minimum=_display(float(minimum)))
    return note or Parsed(value)


# --- Choices ----------------------------------------------------------------------------------


def _enum_key(text: str) -> str:
    return " ".join(_nfkc(text).casefold().split())


@lru_cache(maxsize=512)
def _enum_lookup(key: str, values: tuple[str, ...], aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    lookup: dict[str, str] = {}

    def add(spelling: str, value: str) -> None:
        k = _enum_key(spelling)
        if lookup.get(k, value) != value:
            raise ValueError(f"column {key!r}: {spelling!r} names both {lookup[k]!r} and {value!r}")
        lookup[k] = value

    for value in values:
        add(value, value)
    for value, spellings in aliases:
        if value not in values:
            raise ValueError(f"column {key!r}: alias target {value!r} is not one of {values}")
        for spelling in spellings:
            add(spelling, value)
    return lookup


def enum_lookup(column: Column) -> dict[str, str]:
    """Every accepted spelling of a choice column (normalised) → its value. Raises ValueError when
    the declaration gives one spelling to two values."""
    return _enum_lookup(column.key, column.enum, column.aliases)


_BRACKETED = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
# NFKC already folds （）［］; these are the other brackets people put a note in.
_TO_PARENS = str.maketrans({**dict.fromkeys("[【〔〈《", "("), **dict.fromkeys("]】〕〉》", ")")})


def _resolve_enum(lookup: dict[str, str], text: str) -> set[str]:
    """The values a cell names: the whole text; else the text before a bracket, which a
    bracketed note must not contradict ("受容（保有）"); else every word naming one value ("○ 適用")."""
    key = _enum_key(text)
    if key in lookup:
        return {lookup[key]}
    m = _BRACKETED.match(_nfkc(text).translate(_TO_PARENS))
    if m:
        outer, inner = _enum_key(m.group(1)), _enum_key(m.group(2))
        if not outer:
            return {lookup[inner]} if inner in lookup else set()
        if outer in lookup:
            return {lookup[outer]} | ({lookup[inner]} if inner in lookup else set())
    words = key.split()
    if len(words) > 1 and all(w in lookup for w in words):
        return {lookup[w] for w in words}
    return set()


def _parse_enum(column: Column, raw: object) -> Parsed:
    lookup = enum_lookup(column)
    text = _display(raw)
    found = _resolve_enum(lookup, text)
    choices = " / ".join(column.enum)
    if len(found) == 1:
        return Parsed(found.pop())
    if found:
        ordered = " / ".join(v for v in column.enum if v in found)
        return _result(column, "ambiguous_enum", raw, found=ordered, choices=choices)
    if _DASH.match(_nfkc(text)):
        return _result(column, "dash_as_blank", raw)
    return _result(column, "unknown_enum", raw, choices=choices)


# --- References -------------------------------------------------------------------------------

_ID_SEPARATORS = re.compile(r"[,、;/・\s]+")


def _parse_ids(column: Column, raw: object) -> Parsed:
    text = _nfkc(_display(raw))
    ids = tuple(dict.fromkeys(p for p in _ID_SEPARATORS.split(text) if p))
    if not ids:
        return Parsed(None)
    if column.single and len(ids) > 1:
        return _result(column, "several_ids", raw, ids, count=len(ids))
    # A single reference (B-02's 資産ID, the SoA's 管理策番号) is one value, not a one-item list.
    return Parsed(ids[0] if column.single else ids)


# parse_controls splits on , 、 ; / and line breaks only, and reads "5.15 アクセス制御" as one id
# with its title; so "5.15 5.16" or "5.15・5.16" would silently lose 5.16. Split those here.
_BETWEEN_CONTROLS = re.compile(r"(?<=[^\sAa.])[\s・]+(?=(?:A\s*\.?\s*)?\d{1,2}\s*\.\s*\d)", re.IGNORECASE)


def _parse_controls(column: Column, raw: object) -> Parsed:
    if isinstance(raw, str):
        raw = _BETWEEN_CONTROLS.sub(",", _nfkc(raw))
    parsed = parse_controls(raw if isinstance(raw, (str, float)) else _display(raw))
    if parsed.invalid:
        return _result(column, "bad_control", raw, parsed.ids or None, invalid=" / ".join(parsed.invalid))
    if not parsed.ids:
        return Parsed(None)
    if column.single and len(parsed.ids) > 1:
        return _result(column, "several_ids", raw, parsed.ids, count=len(parsed.ids))
    return Parsed(parsed.ids[0] if column.single else parsed.ids)


# --- Entry point ------------------------------------------------------------------------------

_NAME_KINDS = (Kind.PERSON, Kind.DEPT)
_PLAIN_KINDS = (Kind.ID, Kind.PERSON, Kind.DEPT)
# First characters that need the slow path: errors (#N/A), dashes and invisible characters.
_SLOW_FIRST = frozenset("#-‐‑‒–—―−ー~〜" + _INVISIBLE)

_PARSERS = {
    Kind.LEVEL: _parse_level,
    Kind.DATE: _parse_date,
    Kind.DATETIME: _parse_datetime,
    Kind.TIME: _parse_time,
    Kind.MONTH: _parse_month,
    Kind.INT: _parse_number,
    Kind.MONEY: _parse_number,
    Kind.NUMBER: _parse_number,
    Kind.PERCENT: _parse_number,
    Kind.ENUM: _parse_enum,
    Kind.IDS: _parse_ids,
    Kind.CONTROLS: _parse_controls,
}


def is_plain_text(kind: Kind, raw: object) -> bool:
    """The commonest cell of a register: text already in its final form (free text, or an ASCII
    id or name that NFKC leaves alone and that is no dash, ditto mark or error). Its value is
    itself, so readers may skip building a Parsed for it."""
    return (raw.__class__ is str and raw != "" and raw[0] not in _SLOW_FIRST and raw == raw.strip()
            and (kind is Kind.TEXT or (kind in _PLAIN_KINDS and raw.isascii() and raw not in _DITTO)))


_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
# Several of them, between separators _parse_ids splits on (ASCII ones only).
_PLAIN_ID_LIST = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*(?:[,;/\s]+[A-Za-z0-9][A-Za-z0-9_.\-]*)+", re.ASCII)


def quick_value(column: Column, raw: object) -> tuple[bool, object]:
    """(True, value) when ``raw`` needs no parsing — plain text, or one plain ASCII reference —
    else (False, None). The reader's hot path over 50,000-row registers."""
    kind = column.kind
    if is_plain_text(kind, raw):
        return True, raw
    if kind is Kind.IDS and raw.__class__ is str and raw.isascii() and _PLAIN_ID.fullmatch(raw):
        return True, raw if column.single else (raw,)
    return False, None


# Text that is plain for every text-like kind without looking further: it starts with an ASCII
# letter or digit (no dash, error, ditto mark or space) and holds only printable ASCII without
# spaces (so NFKC and strip leave it alone). Anything else goes through ``quick_value``.
_SIMPLE_ASCII = re.compile(r"[A-Za-z0-9][!-~]*")
_SIMPLE_KINDS = (Kind.TEXT, *_PLAIN_KINDS)
# The same, over texts joined by NUL: every one of them plain (ditto marks are not ASCII
# letters or digits at their start, so none passes).
_SIMPLE_ASCII_RUN = re.compile(r"[A-Za-z0-9][!-~]*(?:\x00[A-Za-z0-9][!-~]*)*")
_PLAIN_ID_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*(?:\x00[A-Za-z0-9][A-Za-z0-9_.\-]*)*")


_JOIN = "\x00"  # no cell text holds NUL (XML cannot), so it separates a column's texts


def plain_column(column: Column, raws: Sequence[object]) -> bool:
    """True when every raw of an id-like column (ids, names, departments; a single reference)
    is plain ASCII that ``quick_value`` gives back as it is, judged by one regex over the
    column's texts joined: no set of distinct values and no call per cell. An id column has as
    many distinct values as rows, so this is where the set would cost most. Anything else (a
    blank, a number, a dash, Japanese text) answers False, and the caller looks at the distinct
    values. (Free text is left to them: its few distinct values make the set the faster way.)"""
    kind = column.kind
    if not raws or not (kind in _PLAIN_KINDS or (kind is Kind.IDS and column.single)):
        return False
    try:
        joined = _JOIN.join(raws)  # TypeError when a cell is not text
    except TypeError:
        return False
    if not joined.isascii() or joined.count(_JOIN) != len(raws) - 1:
        return False
    fast = _PLAIN_ID_RUN if kind is Kind.IDS else _SIMPLE_ASCII_RUN
    return fast.fullmatch(joined) is not None


def quick_values(column: Column, distinct: set[object]) -> tuple[dict[object, object], list[object]]:
    """``quick_value`` over a column's distinct raws at once: ({raw: value} for the raws whose
    value is not the raw itself, [the raws that need ``parse_value``]). A raw in neither is its
    own value. The common raws (ids, names) are recognised by one regex in C."""
    kind = column.kind
    fast = _PLAIN_ID if kind is Kind.IDS else _SIMPLE_ASCII if kind in _SIMPLE_KINDS else None
    plain = set(filter(fast.fullmatch, [r for r in distinct if r.__class__ is str])) if fast else set()
    changed: dict[object, object] = {r: (r,) for r in plain} if kind is Kind.IDS and not column.single else {}
    rest = distinct - plain if plain else distinct
    if kind is Kind.IDS and not column.single:
        # Lists of plain ASCII ids ("R-0001, R-0002"): a plan's risks, distinct on every row. NFKC
        # and strip leave them alone, so _parse_ids' value is the split itself, done in C.
        lists = list(filter(_PLAIN_ID_LIST.fullmatch, [r for r in rest if r.__class__ is str]))
        changed.update(zip(lists, map(tuple, map(dict.fromkeys, map(_ID_SEPARATORS.split, lists)))))
        rest = rest.difference(lists)
    slow: list[object] = []
    for raw in rest:
        done, value = quick_value(column, raw)
        if not done:
            slow.append(raw)
        elif value is not raw:
            changed[raw] = value
    return changed, slow


def parse_value(column: Column, raw: object) -> Parsed:
    """The typed value of ``raw`` for ``column`` (see the module docstring). Never raises on data."""
    kind = column.kind
    if is_plain_text(kind, raw):
        return Parsed(raw)
    if is_blank(raw):
        return Parsed(None)
    if is_excel_error(raw):
        return _result(column, "excel_error", raw)
    if kind is Kind.TEXT:
        return Parsed(_display(raw))
    if isinstance(raw, str):
        # Not for free text, where "〃" or "-" may be what the writer meant to keep.
        text = _nfkc(raw)
        if text in _DITTO:
            return _result(column, "ditto_mark", raw)
        if kind is not Kind.ENUM and _DASH.match(text):
            return _result(column, "dash_as_blank", raw)
    if kind in _NAME_KINDS:
        return Parsed(_display(raw))
    if kind is Kind.ID:
        return Parsed(_nfkc(_display(raw)))
    return _PARSERS[kind](column, raw)
