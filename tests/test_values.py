"""Cell values in every spelling of inputs.md read to the same typed value; bad ones get the
expected problem code and a message that names the column and what would have been right."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from isms_xl.forms import FORMS
from isms_xl.schema import Column, Kind
from isms_xl.values import ERAS, EXCEL_ERRORS, PROBLEMS, Parsed, enum_lookup, is_blank, is_excel_error, parse_value

LEVEL = FORMS["B-02"].column("threat_level")
DATE = FORMS["B-02"].column("assessed_on")
DATETIME = FORMS["B-12"].column("occurred_at")
TIME = FORMS["B-14"].column("entered_at")
MONTH = FORMS["B-08"].column("planned_month")
MONEY = FORMS["B-03"].column("cost")
INT = FORMS["B-03"].column("priority")  # minimum 1
HOURS = FORMS["B-05"].column("mtpd_hours")  # int, minimum 0
NUMBER = FORMS["B-26"].column("target")
PERCENT = FORMS["B-09"].column("attendance_rate")
TREATMENT = FORMS["B-02"].column("treatment")
APPLICABLE = FORMS["A-02"].column("applicable")
IDS = FORMS["B-03"].column("risk_ids")
ONE_ID = FORMS["B-02"].column("asset_id")  # single
CONTROLS = FORMS["B-02"].column("controls")
ONE_CONTROL = FORMS["A-02"].column("control_id")  # single
ID = FORMS["B-02"].column("risk_id")
TEXT = FORMS["B-02"].column("threat")
PERSON = FORMS["B-02"].column("risk_owner")
DEPT = FORMS["B-01"].column("department")

ALL_COLUMNS = [c for f in FORMS.values() for c in (*f.columns, *(x for t in f.tables for x in t.columns))]
KIND_EXAMPLES = {kind: next(c for c in ALL_COLUMNS if c.kind is kind) for kind in Kind}

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})


def fw(text: str) -> str:
    return text.translate(FULL_WIDTH)


def ok(column: Column, raw: object) -> object:
    parsed = parse_value(column, raw)
    assert parsed.ok and parsed.problem is None, (raw, parsed)
    return parsed.value


# --- blank, errors, text ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("raw", [None, "", " ", "\u3000", " \u3000\t\n ", "\xa0", "\u200b"])
def test_blank_is_none_and_ok_for_every_kind(kind, raw):
    assert parse_value(KIND_EXAMPLES[kind], raw) == Parsed(None)
    assert is_blank(raw)


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("raw", sorted(EXCEL_ERRORS) + [" #N/A ", "#n/a"])
def test_excel_errors_are_refused_for_every_kind(kind, raw):
    parsed = parse_value(KIND_EXAMPLES[kind], raw)
    assert (parsed.ok, parsed.problem, parsed.value) == (False, "excel_error", None)
    assert raw.strip() in parsed.message_ja and KIND_EXAMPLES[kind].ja in parsed.message_ja


def test_is_excel_error():
    class CalamineLikeError:  # a reader's error object whose str() is the error text
        def __str__(self):
            return "#DIV/0!"

    assert all(is_excel_error(e) for e in ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                                           "#SPILL!", "#CALC!", "#GETTING_DATA", CalamineLikeError()))
    assert not any(is_excel_error(v) for v in (None, "", "N/A", "#", "#1", "A-001", 0, 1.0, True, date(2026, 4, 1)))


@pytest.mark.parametrize(("column", "raw", "value"), [
    (TEXT, "  不正アクセス\u3000", "不正アクセス"),
    (TEXT, "ＵＳＢメモリの紛失", "ＵＳＢメモリの紛失"),  # free text keeps its width
    (TEXT, "一行目\n二行目", "一行目\n二行目"),
    (TEXT, 12.0, "12"),
    (TEXT, 12.5, "12.5"),
    (TEXT, 7, "7"),
    (TEXT, True, "TRUE"),
    (TEXT, date(2026, 4, 1), "2026-04-01"),
    (TEXT, datetime(2026, 4, 1, 9, 30), "2026-04-01 09:30"),
    (TEXT, "〃", "〃"),
    (TEXT, "-", "-"),
    (ID, " Ｒ－００１ ", "R-001"),
    (ID, 12.0, "12"),
    (ID, 3, "3"),
    (PERSON, "山田　太郎 ", "山田\u3000太郎"),
    (PERSON, "ＩＳＭＳ事務局", "ＩＳＭＳ事務局"),
    (DEPT, " 管理部門\u3000", "管理部門"),
])
def test_text_kinds(column, raw, value):
    assert ok(column, raw) == value


# --- levels ---------------------------------------------------------------------------------------

LEVEL_WORDS = {
    1: ["低", "小", "L", "l", "Low", "LOW", "low", "Ⅰ", "I", "①"],
    2: ["中", "M", "m", "Medium", "MEDIUM", "Med", "Ⅱ", "II", "②"],
    3: ["高", "大", "H", "h", "High", "HIGH", "Ⅲ", "III", "③"],
}
LEVEL_WORD_JA = {1: "低", 2: "中", 3: "高"}


def level_spellings(n: int) -> list[object]:
    word = LEVEL_WORD_JA[n]
    texts = [str(n), fw(str(n)), f"{n}.0", f"{n} ({word})", f"{n}（{word}）", f"{n}:{word}", f"{word}({n})",
             f"Lv.{n}", f"レベル{n}", f"{n} (とても重要)", *LEVEL_WORDS[n]]
    return [n, float(n), *texts]


@given(st.sampled_from([1, 2, 3]), st.data())
@example(1, None)
def test_any_spelling_of_a_level_reads_the_same(level, data):
    spellings = level_spellings(level)
    if data is None:
        picks = spellings
    else:
        picks = data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=6))
        pad = data.draw(st.sampled_from(["", " ", "\u3000", "  "]))
        picks = [f"{pad}{p}{pad}" if isinstance(p, str) else p for p in picks]
    assert {ok(LEVEL, p) for p in picks} == {level}


@pytest.mark.parametrize(("raw", "problem"), [
    (4, "level_out_of_range"), (0, "level_out_of_range"), (-1, "level_out_of_range"), ("4", "level_out_of_range"),
    (4.0, "level_out_of_range"), ("５", "level_out_of_range"), ("Ⅳ", "level_out_of_range"), ("Lv.5", "level_out_of_range"),
    ("とても高い", "bad_level"), ("高い?", "bad_level"), ("abc", "bad_level"), (2.5, "bad_level"), ("2.5", "bad_level"),
    (True, "bad_level"), (False, "bad_level"), (date(2026, 4, 1), "bad_level"), (float("nan"), "bad_level"),
    ("3 (低)", "conflicting_level"), ("高/低", "conflicting_level"), ("1〜3", "conflicting_level"), ("1 2", "conflicting_level"),
])
def test_bad_levels(raw, problem):
    parsed = parse_value(LEVEL, raw)
    assert (parsed.ok, parsed.problem, parsed.value) == (False, problem, None)
    assert parsed.message_ja.startswith("脅威レベル: ") and "使用可能な値: 1 / 2 / 3" in parsed.message_ja
    assert parsed.message_en.startswith("Threat level: ") and "Valid values: 1 / 2 / 3" in parsed.message_en


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.TEXT])
@pytest.mark.parametrize("raw", ["〃", "同上", " 〃 "])
def test_a_ditto_mark_is_refused_except_in_free_text(kind, raw):
    parsed = parse_value(KIND_EXAMPLES[kind], raw)
    assert (parsed.ok, parsed.problem, parsed.value) == (False, "ditto_mark", None)
    assert "同上" in parsed.message_ja and "ditto" in parsed.message_en


@pytest.mark.parametrize("raw", ["-", "ー", "－", "―", "--"])
def test_a_dash_in_a_level_column_is_blank_with_a_note(raw):
    parsed = parse_value(LEVEL, raw)
    assert (parsed.value, parsed.ok, parsed.problem, parsed.is_warning) == (None, True, "dash_as_blank", True)


# --- dates ----------------------------------------------------------------------------------------

def era_of(day: date):
    return [e for e in ERAS if e.first <= day][-1]


def excel_serial(day: date) -> float:
    return float((day - date(1899, 12, 30)).days)


def date_spellings(d: date, *, serial: bool = True) -> list[object]:
    y, m, dd = d.year, d.month, d.day
    era = era_of(d)
    n = y - era.base_year
    nen = "元" if n == 1 else str(n)
    weekday = "月火水木金土日"[d.weekday()]
    out: list[object] = [
        d, datetime(y, m, dd), datetime(y, m, dd, 13, 45),
        f"{y}/{m}/{dd}", f"{y}/{m:02d}/{dd:02d}", f"{y}-{m:02d}-{dd:02d}", f"{y}.{m}.{dd}",
        f"{y}年{m}月{dd}日", f"{y}年{m:02d}月{dd:02d}日", f"{y} 年 {m} 月 {dd} 日", f"{y}{m:02d}{dd:02d}",
        f"{y}/{m}/{dd} ", f"{y}/{m}/{dd}\u3000", fw(f"{y}/{m}/{dd}"), fw(f"{y}-{m:02d}-{dd:02d}"),
        f"{y}/{m}/{dd}({weekday})", f"{y}年{m}月{dd}日（{weekday}）", f"{y}/{m}/{dd} {weekday}曜日",
        f"{y}-{m:02d}-{dd:02d}T00:00:00", f"{y}/{m}/{dd} 9:30",
        f"{era.letter}{n}.{m}.{dd}", f"{era.letter.lower()}{n}/{m}/{dd}", f"{era.letter}{n:02d}.{m:02d}.{dd:02d}",
        f"{era.ja}{nen}年{m}月{dd}日", f"{era.ja}{n}年{m}月{dd}日", f"{era.ja[0]}{n}.{m}.{dd}", fw(f"{era.letter}{n}.{m}.{dd}"),
        f"{era.ja} {nen} 年 {m} 月 {dd} 日",
    ]
    if serial:
        out += [excel_serial(d), int(excel_serial(d)), excel_serial(d) + 0.5, str(int(excel_serial(d)))]
    return out


@given(st.dates(min_value=date(1927, 5, 18), max_value=date(2099, 12, 31)), st.data())
@example(date(2026, 4, 1), None)
@example(date(2019, 5, 1), None)  # 令和元年5月1日
@example(date(2019, 4, 30), None)  # 平成31年4月30日
@example(date(1989, 1, 7), None)  # 昭和64年1月7日
@example(date(1989, 1, 8), None)  # 平成元年1月8日
@example(date(2024, 2, 29), None)
def test_any_spelling_of_a_date_reads_the_same(day, data):
    spellings = date_spellings(day)
    picks = spellings if data is None else data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=8))
    assert {ok(DATE, p) for p in picks} == {day}


@given(st.dates(min_value=date(1868, 1, 25), max_value=date(1927, 5, 17)))
@example(date(1912, 7, 30))  # 大正元年
@example(date(1926, 12, 25))  # 昭和元年
def test_era_spellings_before_excel_serials(day):
    assert {ok(DATE, p) for p in date_spellings(day, serial=False)} == {day}


def test_serial_46113_is_2026_04_01():
    assert ok(DATE, 46113.0) == date(2026, 4, 1)
    assert ok(DATE, 46113) == date(2026, 4, 1)


@pytest.mark.parametrize(("raw", "value"), [("2026/4", date(2026, 4, 1)), ("2026年4月", date(2026, 4, 1)),
                                            ("R8.4", date(2026, 4, 1)), ("202604", date(2026, 4, 1)),
                                            (202604, date(2026, 4, 1)), ("2026-04", date(2026, 4, 1))])
def test_a_month_in_a_date_column_is_its_first_day_with_a_note(raw, value):
    parsed = parse_value(DATE, raw)
    assert (parsed.value, parsed.ok, parsed.problem) == (value, True, "partial_date")
    assert "2026-04-01" in parsed.message_ja


@pytest.mark.parametrize(("raw", "problem"), [
    ("2026/2/30", "bad_date"), ("2026/13/1", "bad_date"), ("R8.13.1", "bad_date"), ("R8.2.30", "bad_date"),
    ("未定", "bad_date"), ("TBD", "bad_date"), ("2026/4/1 25:00", "bad_date"), ("2026/4/1/1", "bad_date"),
    (2026, "bad_date"), (2026.0, "bad_date"), (45, "bad_date"), (-46113.0, "bad_date"), (1234567, "bad_date"),
    (20261301, "bad_date"), (True, "bad_date"), (time(9, 30), "bad_date"), (timedelta(days=1), "bad_date"),
    (float("inf"), "bad_date"), ("46113.5", "bad_date"),
    ("H32.1.1", "era_out_of_range"), ("平成32年1月1日", "era_out_of_range"), ("H31.5.1", "era_out_of_range"),
    ("R1.4.30", "era_out_of_range"), ("令和元年4月30日", "era_out_of_range"), ("S64.1.8", "era_out_of_range"),
    ("R0.5.1", "era_out_of_range"), ("M1.1.1", "era_out_of_range"), ("T16.1.1", "era_out_of_range"),
    ("26/4/1", "ambiguous_year"), ("26-04-01", "ambiguous_year"),
    ("4/1", "missing_year"), ("4月1日", "missing_year"),
    ("2026年4月1日(木)", "weekday_mismatch"), ("2026/4/1 (Thu)", "weekday_mismatch"),
    ("〃", "ditto_mark"),
])
def test_bad_dates(raw, problem):
    parsed = parse_value(DATE, raw)
    assert (parsed.ok, parsed.problem) == (False, problem), parsed
    assert parsed.message_ja.startswith("評価日: ") and parsed.message_en.startswith("Assessed on: ")
    # Only a weekday typo keeps the date: the digits themselves were readable.
    assert parsed.value == (date(2026, 4, 1) if problem == "weekday_mismatch" else None)


def test_era_message_names_the_era_and_its_range():
    parsed = parse_value(DATE, "H32.1.1")
    assert "平成" in parsed.message_ja and "1989-01-08" in parsed.message_ja and "2019-04-30" in parsed.message_ja
    assert "Heisei" in parsed.message_en


# --- date and time, time, month -------------------------------------------------------------------

@given(st.datetimes(min_value=datetime(1927, 6, 1), max_value=datetime(2099, 12, 31)).map(
    lambda t: t.replace(second=0, microsecond=0)), st.data())
@example(datetime(2026, 4, 1, 9, 30), None)
@example(datetime(2026, 4, 1, 0, 0), None)
@example(datetime(2026, 4, 1, 12, 5), None)
def test_any_spelling_of_a_datetime_reads_the_same(moment, data):
    y, mo, d, h, mi = moment.year, moment.month, moment.day, moment.hour, moment.minute
    era = era_of(moment.date())
    n = y - era.base_year
    h12 = h % 12 or 12
    ampm_ja = "午前" if h < 12 else "午後"
    ampm_en = "am" if h < 12 else "pm"
    spellings: list[object] = [
        moment, f"{y}/{mo}/{d} {h}:{mi:02d}", f"{y}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:00", f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}",
        f"{y}年{mo}月{d}日 {h}時{mi}分", f"{y}年{mo}月{d}日{h}時{mi}分", f"{era.letter}{n}.{mo}.{d} {h}:{mi:02d}",
        f"{y}/{mo}/{d} {ampm_ja}{h12}時{mi}分", f"{y}/{mo}/{d} {h12}:{mi:02d} {ampm_en}", fw(f"{y}/{mo}/{d} {h}:{mi:02d}"),
        f"{y}/{mo}/{d}({'月火水木金土日'[moment.weekday()]}) {h}:{mi:02d}",
        excel_serial(moment.date()) + (h * 60 + mi) / 1440,
    ]
    if h == 0 and mi == 0:
        spellings += [moment.date(), f"{y}/{mo}/{d}"]
    picks = spellings if data is None else data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=6))
    assert {ok(DATETIME, p) for p in picks} == {moment}


@pytest.mark.parametrize(("raw", "problem"), [
    ("9:30", "bad_datetime"), (time(9, 30), "bad_datetime"), ("2026/4/1 25:00", "bad_datetime"),
    ("2026/4", "bad_datetime"), ("不明", "bad_datetime"), ("H32.1.1 9:00", "era_out_of_range"),
    ("2026/4/1(木) 9:30", "weekday_mismatch"),
])
def test_bad_datetimes(raw, problem):
    parsed = parse_value(DATETIME, raw)
    assert (parsed.ok, parsed.problem) == (False, problem)


@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)), st.data())
@example(time(9, 30), None)
@example(time(0, 0), None)
@example(time(12, 0), None)
def test_any_spelling_of_a_time_reads_the_same(at, data):
    h, m = at.hour, at.minute
    h12 = h % 12 or 12
    spellings: list[object] = [
        at, f"{h}:{m:02d}", f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}:00", f"{h}時{m}分", fw(f"{h}:{m:02d}"),
        f"{'午前' if h < 12 else '午後'}{h12}時{m}分", f"{h12}:{m:02d} {'AM' if h < 12 else 'PM'}",
        f"{h12}:{m:02d}{'a.m.' if h < 12 else 'p.m.'}", (h * 60 + m) / 1440, timedelta(hours=h, minutes=m),
        datetime(2026, 4, 1, h, m), f"2026/4/1 {h}:{m:02d}", 46113 + (h * 60 + m) / 1440,
    ]
    if m == 0:
        spellings += [f"{h}時"]
    if m == 30:
        spellings += [f"{h}時半"]
    picks = spellings if data is None else data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=6))
    assert {ok(TIME, p) for p in picks} == {at}


@pytest.mark.parametrize("raw", ["25:00", "9:60", "24:00", "午後13時", 9, 9.0, 1.0, -0.5, "9", "朝", date(2026, 4, 1),
                                 True, timedelta(days=1), "2026/4/1"])
def test_bad_times(raw):
    parsed = parse_value(TIME, raw)
    assert (parsed.ok, parsed.problem, parsed.value) == (False, "bad_time", None)


@given(st.dates(min_value=date(1927, 6, 1), max_value=date(2099, 12, 31)))
@example(date(2026, 4, 1))
@example(date(2019, 5, 31))  # 令和元年5月
@example(date(2019, 4, 30))  # 平成31年4月
def test_any_spelling_of_a_month_reads_the_same(day):
    y, m = day.year, day.month
    era = era_of(day)
    n = y - era.base_year
    first = date(y, m, 1)
    spellings: list[object] = [
        day, datetime(y, m, day.day), first, f"{y}-{m:02d}", f"{y}/{m}", f"{y}/{m:02d}", f"{y}年{m}月", f"{y}年{m}月度",
        f"{y}.{m}", f"{y}{m:02d}", y * 100 + m, fw(f"{y}年{m}月"), f"{era.letter}{n}.{m}", f"{era.ja}{n}年{m}月",
        f"{y}/{m}/{day.day}", excel_serial(day), f"{y}-{m:02d} ",
    ]
    assert {ok(MONTH, p) for p in spellings} == {first}


@pytest.mark.parametrize(("raw", "problem"), [
    ("2026/13", "bad_month"), ("未定", "bad_month"), (2026, "bad_month"), ("R8.13", "bad_month"), (202613, "bad_month"),
    ("4月", "missing_year"), ("R1.4", "era_out_of_range"), ("H31.5", "era_out_of_range"), ("H32.1", "era_out_of_range"),
])
def test_bad_months(raw, problem):
    parsed = parse_value(MONTH, raw)
    assert (parsed.ok, parsed.problem, parsed.value) == (False, problem, None)


def test_era_months_straddling_an_era_change():
    assert ok(MONTH, "H31.4") == date(2019, 4, 1)
    assert ok(MONTH, "R1.5") == ok(MONTH, "令和元年5月") == date(2019, 5, 1)
    assert ok(MONTH, "S64.1") == ok(MONTH, "H1.1") == date(1989, 1, 1)


# --- numbers --------------------------------------------------------------------------------------

def money_spellings(n: int) -> list[object]:
    grouped = f"{n:,}"
    out: list[object] = [n, float(n), str(n), grouped, fw(str(n)), fw(grouped), f"{n}円", f"{grouped}円", f"¥{grouped}",
                         f"￥{grouped}", f"\\{grouped}", f"¥ {grouped}", f"{grouped} 円", f"{n}.0", f" {grouped} "]
    if n % 10000 == 0:
        out += [f"{n // 10000}万円", f"{n // 10000}万"]
    if n % 1000 == 0:
        out += [f"{n // 1000}千円"]
    return out


@given(st.integers(min_value=0, max_value=10**12), st.data())
@example(1200, None)
@example(1500000, None)
@example(0, None)
def test_any_spelling_of_an_amount_reads_the_same(n, data):
    spellings = money_spellings(n)
    picks = spellings if data is None else data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=6))
    values = {ok(MONEY, p) for p in picks}
    assert values == {n} and all(type(v) is int for v in values)


def test_wan_with_decimals():
    assert ok(MONEY, "1.5万円") == 15000
    assert ok(MONEY, "12e2") == 1200


@given(st.integers(min_value=0, max_value=10000))
@example(855)
def test_percent_spellings(n):
    fraction = n / 1000  # 0.0 … 10.0, i.e. 0 % … 1000 %
    text = str(Decimal(n) / 10)  # "85.5", "85"
    spellings: list[object] = [f"{text}%", fw(f"{text}%"), f"{text} %", f"{text}％"]
    if fraction <= 1:
        spellings += [fraction, repr(fraction)]
    assert {ok(PERCENT, s) for s in spellings} == {fraction}


def test_percent_exact_values():
    assert ok(PERCENT, "85%") == ok(PERCENT, 0.85) == ok(PERCENT, "８５％") == ok(PERCENT, "0.85") == 0.85
    assert ok(PERCENT, "12.34%") == 0.1234
    assert ok(PERCENT, 1) == 1.0


@pytest.mark.parametrize(("raw", "value", "shown"), [(85, 85.0, "8500%"), (85.0, 85.0, "8500%"), ("８５", 85.0, "8500%"),
                                                    (1.01, 1.01, "101%"), ("1.5", 1.5, "150%")])
def test_a_number_above_one_in_a_percent_column_is_read_as_written_with_a_note(raw, value, shown):
    parsed = parse_value(PERCENT, raw)
    assert (parsed.value, parsed.ok, parsed.problem) == (value, True, "percent_over_100")
    assert shown in parsed.message_ja and "85%" in parsed.message_ja


@pytest.mark.parametrize(("column", "raw", "value"), [
    (NUMBER, "95%", 0.95), (NUMBER, 0.5, 0.5), (NUMBER, 3.0, 3), (NUMBER, "1.25", 1.25), (NUMBER, "△1.5", -1.5),
    (NUMBER, "-2", -2), (NUMBER, "+2", 2), (NUMBER, "▲3", -3), (HOURS, "2時間", 2), (HOURS, "48h", 48),
    (HOURS, "72 hours", 72), (FORMS["B-09"].column("target_count"), "120人", 120), (INT, "3件", 3),
])
def test_numbers(column, raw, value):
    got = ok(column, raw)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(("column", "raw", "problem"), [
    (MONEY, "1200.5", "not_integer"), (MONEY, 1200.5, "not_integer"), (INT, 2.5, "not_integer"),
    (MONEY, "abc", "bad_number"), (MONEY, "1,20", "bad_number"), (MONEY, "1 200", "bad_number"), (MONEY, True, "bad_number"),
    (MONEY, date(2026, 4, 1), "bad_number"), (MONEY, "--5", "bad_number"), (MONEY, "1.2.3", "bad_number"),
    (NUMBER, float("nan"), "bad_number"), (NUMBER, float("inf"), "bad_number"), (NUMBER, "30分", "bad_number"),
    (INT, "2位", "bad_number"), (PERCENT, "85%%", "bad_number"),
    (MONEY, -5, "below_minimum"), (MONEY, "△300", "below_minimum"), (MONEY, "-1,000円", "below_minimum"),
    (INT, 0, "below_minimum"), (HOURS, -1.0, "below_minimum"),
])
def test_bad_numbers(column, raw, problem):
    parsed = parse_value(column, raw)
    assert (parsed.ok, parsed.problem) == (False, problem)
    assert parsed.message_ja.startswith(column.ja + ": ")
    if problem == "below_minimum":
        assert parsed.value < column.minimum  # kept, so checks can still report the number itself
    else:
        assert parsed.value is None


# --- choices --------------------------------------------------------------------------------------

ENUM_COLUMNS = [c for c in ALL_COLUMNS if c.kind is Kind.ENUM]
ENUM_CASES = [(c, value, spelling) for c in ENUM_COLUMNS for value in c.enum
              for spelling in (value, *dict(c.aliases).get(value, ()))]


@pytest.mark.parametrize("column", ENUM_COLUMNS, ids=lambda c: c.key)
def test_enum_declarations_give_each_spelling_one_value(column):
    lookup = enum_lookup(column)  # raises ValueError on a clash
    assert set(lookup.values()) == set(column.enum)


def vary_case(data, text: str) -> str:
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.swapcase() if flip else ch for ch, flip in zip(text, flips, strict=True))


@settings(max_examples=300)
@given(st.sampled_from(ENUM_CASES), st.data())
def test_any_accepted_spelling_of_a_choice_reads_to_its_value(case, data):
    column, value, spelling = case
    text = vary_case(data, spelling)
    if data.draw(st.booleans()):
        text = fw(text)
    text = data.draw(st.sampled_from(["", " ", "\u3000"])) + text + data.draw(st.sampled_from(["", " ", "\u3000", "\n"]))
    assert ok(column, text) == value


@pytest.mark.parametrize(("column", "raw", "value"), [
    (TREATMENT, "受容（保有）", "受容"), (TREATMENT, "受容 (保有)", "受容"), (TREATMENT, "共有（移転）", "共有"),
    (TREATMENT, "共有 【移転】", "共有"), (TREATMENT, "（低減）", "低減"), (TREATMENT, "低減(管理策追加)", "低減"),
    (TREATMENT, "Mitigate", "低減"), (TREATMENT, "ＴＲＡＮＳＦＥＲ", "共有"),
    (APPLICABLE, "○ 適用", "○"), (APPLICABLE, "× 除外", "×"), (APPLICABLE, "〇", "○"), (APPLICABLE, True, "○"),
    (APPLICABLE, False, "×"), (APPLICABLE, "Not Applicable", "×"),
    (FORMS["B-12"].column("severity"), 3.0, "高"), (FORMS["B-12"].column("severity"), 1, "低"),
    (FORMS["B-08"].column("method"), "ｅラーニング", "eラーニング"),
])
def test_enum_spellings(column, raw, value):
    assert ok(column, raw) == value


@pytest.mark.parametrize(("column", "raw", "problem"), [
    (TREATMENT, "なし", "unknown_enum"), (TREATMENT, "受容する", "unknown_enum"), (TREATMENT, 3, "unknown_enum"),
    (TREATMENT, "受容(低減)", "ambiguous_enum"), (TREATMENT, "受容 低減", "ambiguous_enum"),
    (APPLICABLE, "no problem", "unknown_enum"), (TREATMENT, "〃", "ditto_mark"),
])
def test_bad_choices(column, raw, problem):
    parsed = parse_value(column, raw)
    assert (parsed.ok, parsed.problem, parsed.value) == (False, problem, None)


def test_unknown_choice_lists_the_valid_ones():
    parsed = parse_value(TREATMENT, "なし")
    assert parsed.message_ja == "リスク対応: 「なし」は選択肢にありません。使用可能な値: 受容 / 低減 / 共有 / 回避"
    assert parsed.message_en == "Treatment: 'なし' is not one of the choices. Valid values: 受容 / 低減 / 共有 / 回避"


def test_a_dash_is_a_choice_where_declared_else_blank():
    assert ok(FORMS["B-01"].column("personal_data"), "-") == "無"
    parsed = parse_value(FORMS["A-02"].column("reason_legal"), "－")
    assert (parsed.value, parsed.ok, parsed.problem) == (None, True, "dash_as_blank")


def test_an_alias_naming_two_values_is_a_broken_declaration():
    broken = Column("x", "区分", "Kind", Kind.ENUM, enum=("有", "無"), aliases=(("有", ("Y",)), ("無", ("y",))))
    with pytest.raises(ValueError, match="'有'.*'無'"):
        parse_value(broken, "y")


# --- references -----------------------------------------------------------------------------------

SEPARATORS = [",", ", ", "、", "，", ";", "；", "/", "／", " / ", "\n", "\r\n", " ", "\u3000", "・"]


@given(st.lists(st.from_regex(r"R-0[0-9]{2}", fullmatch=True), min_size=1, max_size=6, unique=True), st.data())
def test_any_separators_between_ids(ids, data):
    pieces = [fw(i) if data.draw(st.booleans()) else i for i in ids]
    text = pieces[0]
    for piece in pieces[1:]:
        text += data.draw(st.sampled_from(SEPARATORS)) + piece
    assert ok(IDS, f" {text} ") == tuple(ids)


@pytest.mark.parametrize(("raw", "value"), [(12.0, ("12",)), (7, ("7",)), ("R-001,R-001", ("R-001",)), ("R-001,,", ("R-001",))])
def test_ids_values(raw, value):
    assert ok(IDS, raw) == value


def test_single_reference_with_several_ids():
    assert ok(ONE_ID, "A-001") == "A-001"
    parsed = parse_value(ONE_ID, "A-001、A-002")
    assert (parsed.ok, parsed.problem, parsed.value) == (False, "several_ids", ("A-001", "A-002"))
    assert "2" in parsed.message_ja


def test_controls_keep_the_valid_ids_of_a_partly_bad_cell():
    assert ok(CONTROLS, "5.15, A.8.8／Ａ．５．１") == ("A.5.15", "A.8.8", "A.5.1")
    parsed = parse_value(CONTROLS, "5.15、アクセス制御、8.8")
    assert (parsed.ok, parsed.problem, parsed.value) == (False, "bad_control", ("A.5.15", "A.8.8"))
    assert "アクセス制御" in parsed.message_ja
    assert parse_value(CONTROLS, "なし").value is None
    assert parse_value(CONTROLS, 5).problem == "bad_control"


@pytest.mark.parametrize("raw", ["5.15 5.16", "5.15・5.16", "5.15\u30005.16", "A.5.15 A5.16", "5.15 アクセス制御 5.16 アクセス権",
                                 "Ａ．５．１５　Ａ．５．１６"])
def test_controls_separated_by_spaces_or_middle_dots_are_all_kept(raw):
    assert ok(CONTROLS, raw) == ("A.5.15", "A.5.16")


@pytest.mark.parametrize("raw", [" A. 5.15 ", "A 5.15", "5.15 アクセス制御", "a . 5 . 15"])
def test_a_spaced_control_id_stays_one(raw):
    assert ok(CONTROLS, raw) == ("A.5.15",)


def test_single_control():
    assert ok(ONE_CONTROL, "A.5.15") == "A.5.15"
    assert ok(ONE_CONTROL, "5.15 アクセス制御") == "A.5.15"
    assert parse_value(ONE_CONTROL, "5.15, 5.16").problem == "several_ids"


@pytest.mark.parametrize("column", [IDS, CONTROLS, DATE, MONEY, PERSON, ID], ids=lambda c: c.key)
def test_a_dash_reads_as_blank_with_a_note(column):
    parsed = parse_value(column, "－")
    assert (parsed.value, parsed.ok, parsed.problem) == (None, True, "dash_as_blank")


# --- every problem code, robustness, canonical round trip ----------------------------------------

def test_every_problem_code_is_reachable_and_has_both_messages():
    seen = {
        parse_value(c, raw).problem
        for c, raw in [
            (LEVEL, "#N/A"), (LEVEL, "〃"), (LEVEL, "-"), (LEVEL, "x"), (LEVEL, 4), (LEVEL, "3 (低)"),
            (DATE, "x"), (DATE, "4/1"), (DATE, "26/4/1"), (DATE, "H32.1.1"), (DATE, "2026/4/1(木)"), (DATE, "2026/4"),
            (DATETIME, "x"), (TIME, "x"), (MONTH, "x"), (MONEY, "x"), (MONEY, 1.5), (MONEY, -1), (PERCENT, 1.2),
            (TREATMENT, "x"), (TREATMENT, "受容(低減)"), (ONE_ID, "a,b"), (CONTROLS, "x"),
        ]
    }
    assert seen == set(PROBLEMS)
    for problem in PROBLEMS.values():
        assert problem.ja and problem.en and "{col}" in problem.ja and "{col}" in problem.en


RAW = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(),
    st.text(alphabet="0123456789/-.年月日時分秒:()（）RHSTM令和平成元 高中低,、%％¥円万△-", max_size=20),
    st.dates(), st.datetimes(), st.times(), st.timedeltas(), st.sampled_from(sorted(EXCEL_ERRORS)),
)


@settings(max_examples=500)
@given(st.sampled_from(ALL_COLUMNS), RAW)
def test_parse_value_never_raises_and_is_consistent(column, raw):
    parsed = parse_value(column, raw)
    assert isinstance(parsed, Parsed)
    if parsed.problem is None:
        assert parsed.ok and not parsed.message_ja and not parsed.message_en
    else:
        assert parsed.problem in PROBLEMS
        assert parsed.ok == PROBLEMS[parsed.problem].warning
        assert parsed.message_ja.startswith(column.ja + ": ") and parsed.message_en.startswith(column.en + ": ")


def canonical(value: object) -> object:
    """How a writer would put a parsed value back into a cell."""
    if isinstance(value, tuple):
        return ", ".join(value)
    return value


@settings(max_examples=300)
@given(st.sampled_from([c for c in ALL_COLUMNS if c.kind is not Kind.CONTROLS]), RAW)
def test_reparsing_a_parsed_value_gives_it_back(column, raw):
    parsed = parse_value(column, raw)
    assume(parsed.ok and parsed.value is not None)
    again = parse_value(column, canonical(parsed.value))
    assert again.ok and again.value == parsed.value


# --- the reader's shortcut over a column's distinct values -------------------------------------

ID_LIKE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,6}", fullmatch=True)
# Every separator _parse_ids knows, spelled every way, and whitespace and marks it does not.
SEPARATOR_SPELLINGS = [*SEPARATORS, "\t", "\x0b", "\x85", "\xa0", "\u2028", ",,", ", ;", "\u200b", "\ufe50", "|"]
ANY_SEPARATOR = st.sampled_from(SEPARATOR_SPELLINGS)


@st.composite
def id_lists(draw):
    ids = draw(st.lists(st.one_of(ID_LIKE, st.text(max_size=4)), min_size=1, max_size=5))
    text = ids[0]
    for piece in ids[1:]:
        text += draw(ANY_SEPARATOR) + piece
    return draw(st.sampled_from(["", " ", "\u3000"])) + text + draw(st.sampled_from(["", " ", ","]))


@given(st.sampled_from([c for c in ALL_COLUMNS if c.kind is Kind.IDS]),
       st.sets(st.one_of(id_lists(), ID_LIKE, st.text(max_size=6), st.none(), st.floats(allow_nan=False)), max_size=8))
@example(IDS, {"R-001, R-002", "R-001,R-001", "R-001\u3000R-002", "R-1\x85R-2", "A-1/B-2;C-3"})
def test_quick_values_agree_with_parse_value(column, distinct):
    _agree(column, distinct)


@pytest.mark.parametrize("separator", SEPARATOR_SPELLINGS)
def test_quick_values_agree_with_parse_value_for_every_separator(separator):
    _agree(IDS, {f"R-1{separator}R-2", f"R-1{separator}R-2{separator}R-1", f"A.5{separator}B_6{separator}c-7"})


def _agree(column, distinct):
    from isms_xl.values import quick_values

    changed, slow = quick_values(column, set(distinct))
    for raw in distinct:
        parsed = parse_value(column, raw)
        if raw in slow:
            continue  # the reader parses these itself
        assert parsed.ok and parsed.problem is None, (raw, parsed)
        assert changed.get(raw, raw) == parsed.value, raw
