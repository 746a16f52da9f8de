"""Headers in every variant of inputs.md match their declared column; the header row is found in
the first 30 rows, two-row merged headers included; no form declares one header for two columns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.forms import FORMS
from isms_xl.headers import HEADER_SEARCH_ROWS, HeaderMatcher, normalize_header
from isms_xl.schema import Column, Kind

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
HALF_KANA = str.maketrans({"リ": "ﾘ", "ス": "ｽ", "ク": "ｸ", "コ": "ｺ", "ト": "ﾄ", "レ": "ﾚ", "ル": "ﾙ"})
# (form id, embedded table key or "", columns): the column sets a matcher is built for.
COLUMN_SETS = [(f.form_id, "", f.columns) for f in FORMS.values()] + [
    (f.form_id, t.key, t.columns) for f in FORMS.values() for t in f.tables]
SPELLINGS = [(form_id, table, columns, column, spelling)
             for form_id, table, columns in COLUMN_SETS for column in columns
             for spelling in (column.ja, column.en, *column.synonyms)]
A02 = FORMS["A-02"]
B01 = FORMS["B-01"]


@pytest.mark.parametrize(("text", "normalized"), [
    ("資産ID", "資産id"), ("資産\nID", "資産id"), ("資産\r\nＩＤ", "資産id"), (" 資産 ID ", "資産id"), ("資産\u3000ID", "資産id"),
    ("資産ID※", "資産id"), ("※資産ID", "資産id"), ("資産ID※1", "資産id"), ("資産ID *", "資産id"), ("資産ID＊", "資産id"),
    ("★資産ID", "資産id"), ("資産ID(必須)", "資産id"), ("資産ID（必須）", "資産id"), ("【必須】資産ID", "資産id"),
    ("資産ID 必須", "資産id"), ("必須 資産ID", "資産id"), ("資産ID(任意)", "資産id"), ("※資産ID（必須）※", "資産id"),
    ("資産ID：", "資産id"), ("「資産ID」", "資産id"), ("『資産ID』", "資産id"),
    ("コスト（円）", "コスト(円)"), ("コスト[円]", "コスト(円)"), ("コスト【円】", "コスト(円)"), ("コスト〔円〕", "コスト(円)"),
    ("採用理由：リスク対応", "採用理由:リスク対応"), ("採用理由︰リスク対応", "採用理由:リスク対応"),
    ("法令･規制名", "法令・規制名"), ("法令·規制名", "法令・規制名"), ("ﾘｽｸID", "リスクid"),
    ("Risk ID", "riskid"), ("RISK\nID", "riskid"), ("Ｒｉｓｋ　ＩＤ", "riskid"), ("Control No.", "controlno"), ("№", "no"),
    ("MTPD（h）", "mtpd(h)"), (None, ""), ("", ""), ("※", "※"), ("(必須)", "(必須)"), (12.0, "12"), (4, "4"),
])
def test_normalize_header(text, normalized):
    assert normalize_header(text) == normalized


@pytest.mark.parametrize(("form_id", "table", "columns"), COLUMN_SETS,
                         ids=[f"{f}{'.' + t if t else ''}" for f, t, _ in COLUMN_SETS])
def test_every_declared_form_has_unambiguous_headers(form_id, table, columns):
    # Raises ValueError when two columns of one form (or embedded table) claim one spelling.
    matcher = HeaderMatcher(columns, f"{form_id}{'.' + table if table else ''}")
    for column in columns:
        for spelling in (column.ja, column.en, *column.synonyms):
            assert matcher.match(spelling) is column


def test_there_are_28_forms():
    assert len(FORMS) == 28


def test_a_clash_names_both_columns():
    a = Column("asset_id", "資産ID", "Asset ID", Kind.ID, synonyms=("資産番号",))
    b = Column("asset_no", "資産No", "Asset No", Kind.TEXT, synonyms=("資産 番号",))  # equal once normalised
    with pytest.raises(ValueError, match=r"B-99: .*'asset_id'.*'asset_no'"):
        HeaderMatcher([a, b], "B-99")
    c = Column("owner", "管理責任者", "Owner")
    d = Column("responsible", "担当者", "OWNER")  # case differs only
    with pytest.raises(ValueError, match="'owner'.*'responsible'"):
        HeaderMatcher([c, d])
    with pytest.raises(ValueError, match="empty"):
        HeaderMatcher([Column("y", "甲", "Y", synonyms=("\u3000",))])


def test_one_column_may_repeat_a_spelling():
    HeaderMatcher([Column("x", "資産ID", "Asset ID", synonyms=("資産ＩＤ", "asset id"))])


def test_a_column_key_declared_twice_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        HeaderMatcher([Column("x", "甲", "A"), Column("x", "乙", "B")])


# --- header variants ------------------------------------------------------------------------------

@st.composite
def mangled(draw, text: str) -> str:
    """The header as a person might have typed it: line breaks and spaces anywhere, full-width or
    half-width forms, other bracket styles, required/footnote markers, any letter case."""
    chars = []
    for ch in text:
        if ch.isascii() and ch.isalpha() and draw(st.booleans()):
            ch = ch.swapcase()
        if draw(st.integers(0, 3)) == 0:
            ch = ch.translate(FULL_WIDTH)
        if draw(st.integers(0, 5)) == 0:
            ch = ch.translate(HALF_KANA)
        if ch in "()":
            ch = draw(st.sampled_from({"(": ["(", "（", "【", "［", "["], ")": [")", "）", "】", "］", "]"]}[ch]))
        if ch == ":":
            ch = draw(st.sampled_from([":", "："]))
        chars.append(ch)
        if draw(st.integers(0, 6)) == 0:
            chars.append(draw(st.sampled_from(["\n", "\r\n", " ", "\u3000", "  "])))
    out = "".join(chars)
    out = draw(st.sampled_from(["", "※", "*", "＊", "★", "(必須)", "【必須】", "必須 ", " "])) + out
    out += draw(st.sampled_from(["", "※", "※1", " ※", "*", "＊", "（必須）", "(必須)", " 必須", "：", " ", "\n"]))
    return out


@settings(max_examples=400)
@given(st.sampled_from(SPELLINGS), st.data())
def test_any_variant_of_a_declared_header_matches_its_column(case, data):
    form_id, table, columns, column, spelling = case
    matcher = _matcher(form_id, table)
    header = data.draw(mangled(spelling))
    assert matcher.match(header) is column, (header, normalize_header(header))


_MATCHERS: dict[tuple[str, str], HeaderMatcher] = {}


def _matcher(form_id: str, table: str = "") -> HeaderMatcher:
    key = (form_id, table)
    if key not in _MATCHERS:
        form = FORMS[form_id]
        _MATCHERS[key] = HeaderMatcher(form.table(table).columns if table else form.columns, form_id)
    return _MATCHERS[key]


@pytest.mark.parametrize(("header", "key"), [
    ("脅威レベル(1〜3)", "threat_level"), ("脅威レベル（1～3）", "threat_level"), ("リスク値（自動計算）", "risk_value"),
    ("残留リスク値(計算式)", "residual_risk"), ("資産ID（例: A-001）", "asset_id"), ("リスク値(計算)", "risk_value"),
])
def test_a_trailing_note_in_brackets_is_ignored(header, key):
    assert _matcher("B-02").match(header).key == key


def test_a_bracketed_sub_header_reads_as_upper_colon_lower():
    assert _matcher("A-02").match("採用理由（法令）").key == "reason_legal"
    assert _matcher("A-02").match("採用理由(リスク対応)").key == "reason_risk"


@pytest.mark.parametrize("header", ["", None, "脅威レベル合計", "自社独自の列", "※", "(必須)", "No.1"])
def test_headers_that_name_no_column(header):
    assert _matcher("B-02").match(header) is None


# --- a header row ---------------------------------------------------------------------------------

@settings(max_examples=200)
@given(st.sampled_from([(f, t) for f, t, _ in COLUMN_SETS]), st.data())
def test_a_shuffled_row_of_variants_with_extra_columns_maps_every_column(form_table, data):
    form_id, table = form_table
    matcher = _matcher(form_id, table)
    columns = data.draw(st.permutations(matcher.columns))
    extras = data.draw(st.lists(st.sampled_from(["自社メモ", "確認欄", "Extra", "チェック", "社長印"]), unique=True, max_size=3))
    cells: list[object] = []
    expected: dict[str, int] = {}
    for column in columns:
        if data.draw(st.integers(0, 5)) == 0:
            cells.append(data.draw(st.sampled_from([None, "", " "])))  # an inserted or hidden blank column
        if extras and data.draw(st.booleans()):
            cells.append(extras.pop())
        expected[column.key] = len(cells)
        spelling = data.draw(st.sampled_from((column.ja, column.en, *column.synonyms)))
        cells.append(data.draw(mangled(spelling)))
    cells.extend(extras)
    found = matcher.match_row(cells)
    assert found.columns == expected
    assert found.score == len(columns)
    assert found.duplicates == () and found.missing_required == ()
    assert [i for i, _ in found.unmatched] == [
        i for i, c in enumerate(cells) if isinstance(c, str) and c.strip() and i not in expected.values()]


def test_match_row_reports_unmatched_duplicates_and_missing_required():
    row = ["資産番号", "名称", "自社メモ", None, "機密性", "完全性(I)", "Availability", "資産ID", "資産価値", "管理部門（必須）"]
    found = _matcher("B-01").match_row(row)
    assert found.columns == {"asset_id": 0, "name": 1, "department": 9, "confidentiality": 4, "integrity": 5,
                             "availability": 6, "value": 8}
    assert list(found.columns) == ["asset_id", "name", "department", "confidentiality", "integrity", "availability", "value"]
    assert found.labels["department"] == "管理部門（必須）"
    assert found.unmatched == ((2, "自社メモ"),)
    assert found.duplicates == ((7, "資産ID", "asset_id"),)
    assert found.missing_required == ("category", "owner")
    assert found.score == 7


def test_an_exact_header_wins_over_a_bracket_note_match():
    found = _matcher("B-02").match_row(["脅威レベル(1〜3)", "脅威レベル"])
    assert found.columns["threat_level"] == 1
    assert found.duplicates == ((0, "脅威レベル(1〜3)", "threat_level"),)


# --- two-row headers ------------------------------------------------------------------------------

A02_UPPER = ["管理策番号", "管理策", "適用", "採用理由", None, None, None, "除外理由", "実施状況", "関連文書", "関連リスクID", "備考"]
A02_LOWER = [None, None, None, "リスク対応", "法令", "契約", "その他", None, None, None, None, None]


def test_a02_two_row_header_matches_every_column():
    found = _matcher("A-02").match_two_rows(A02_UPPER, A02_LOWER, [(3, 6)])
    assert found.columns == {c.key: i for i, c in enumerate(A02.columns)}
    assert found.labels["reason_risk"] == "採用理由:リスク対応"
    assert found.labels["reason_other"] == "採用理由:その他"
    assert found.header_rows == 2 and found.unmatched == () and found.duplicates == ()


@given(st.data())
def test_a02_two_row_header_variants(data):
    upper = [data.draw(mangled(t)) if t else data.draw(st.sampled_from([None, ""])) for t in A02_UPPER]
    lower = [data.draw(mangled(t)) if t else data.draw(st.sampled_from([None, "", " "])) for t in A02_LOWER]
    found = _matcher("A-02").match_two_rows(upper, lower, [(3, 6)])
    assert found.columns == {c.key: i for i, c in enumerate(A02.columns)}


def test_two_row_header_with_upper_text_repeated_or_lower_alone():
    upper = list(A02_UPPER)
    upper[4:7] = ["採用理由"] * 3  # calamine/openpyxl give None for merged cells, but a user may repeat
    found = _matcher("A-02").match_two_rows(upper, A02_LOWER, [(3, 6)])
    assert found.score == 12
    # The spanning text alone names nothing, and the lower texts alone are synonyms.
    lower_only = _matcher("A-02").match_two_rows([None] * 12, ["管理策番号", "管理策", "適用", "リスク対応", "法令", "契約", "その他"])
    assert lower_only.score == 7


def test_a_spanning_upper_text_never_matches_on_its_own_under_its_span():
    # 評価 spans two columns whose lower cells are blank: it must not claim B-02's evaluation twice.
    found = _matcher("B-02").match_two_rows(["リスクID", "評価", None], [None, None, None], [(1, 2)])
    assert found.columns == {"risk_id": 0}


def test_a_two_row_header_needs_its_merged_span():
    found = _matcher("A-02").match_two_rows(A02_UPPER, A02_LOWER)  # no span: 採用理由 is over リスク対応 only
    assert found.labels["reason_risk"] == "採用理由:リスク対応"
    assert found.labels["reason_legal"] == "法令"  # the lower text alone is a synonym
    assert found.score == 12


# --- finding the header row -----------------------------------------------------------------------

def b01_rows(header_at: int) -> list[list[object]]:
    doc = [["情報資産台帳"], ["文書番号", "ISMS-B-01", None, "版数", "1.0"], ["承認者", "山田", None, "承認日", "2026/4/1"],
           [], ["※ 機密性・完全性・可用性は 1〜3 で記入"]]
    rows: list[list[object]] = [doc[i] if i < len(doc) else [] for i in range(header_at)]
    rows.append([c.ja for c in B01.columns])
    rows.append(["A-001", "顧客名簿", "電子データ", "営業部門", "佐藤", "ファイルサーバ", "営業部", 3, 2, 2, 3, "有"])
    return rows


@given(st.integers(0, HEADER_SEARCH_ROWS - 1))
def test_the_header_row_is_found_anywhere_in_the_first_30_rows(at):
    found = _matcher("B-01").find_header(b01_rows(at))
    assert found is not None and found.row == at and found.data_start == at + 1
    assert found.score == len(B01.columns)


def test_a_header_below_row_30_is_not_found():
    assert _matcher("B-01").find_header(b01_rows(HEADER_SEARCH_ROWS)) is None
    assert _matcher("B-01").find_header(b01_rows(HEADER_SEARCH_ROWS), limit=HEADER_SEARCH_ROWS + 1).row == HEADER_SEARCH_ROWS


def test_no_header_at_all():
    assert _matcher("B-01").find_header([["情報資産台帳"], ["資産ID", "ISMS-B-01"], []]) is None


def test_find_a_two_row_header_from_merged_ranges():
    rows = [["適用宣言書"], ["文書番号", "ISMS-A-02"], [], A02_UPPER, A02_LOWER,
            ["5.1", "情報セキュリティのための方針群", "○", "○", None, None, None, None, "実施済"]]
    merged = [(0, 0, 0, 11), (3, 3, 3, 6), (3, 0, 4, 0), (3, 1, 4, 1)]  # title, 採用理由, vertical merges
    found = _matcher("A-02").find_header(rows, merged)
    assert (found.row, found.header_rows, found.data_start, found.score) == (3, 2, 5, 12)
    # Without the merges the group title typed over its columns is still recognised.
    unmerged = _matcher("A-02").find_header(rows)
    assert (unmerged.row, unmerged.header_rows, unmerged.score) == (3, 2, 12)


def test_a_merged_single_row_header_stays_single():
    header = [c.ja for c in B01.columns]
    rows = [header, ["A-001", "顧客名簿", "電子データ"]]
    found = _matcher("B-01").find_header(rows, merged=[(0, 16, 0, 17)])
    assert (found.row, found.header_rows, found.score) == (0, 1, len(B01.columns))
