"""Control ids in every spelling of method.md, one or many per cell."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isms_xl.controls import parse_control_id, parse_controls


@pytest.mark.parametrize("text", ["5.15", "A.5.15", "A5.15", "Ａ．５．１５", "5.15 アクセス制御", "a.5.15", " A. 5.15 "])
def test_2022_spellings(text):
    assert parse_control_id(text) == "A.5.15"


@pytest.mark.parametrize("text", ["A.9.2.1", "9.2.1", "Ａ.９.２.１", "A9.2.1 利用者登録"])
def test_2013_spellings(text):
    assert parse_control_id(text) == "A.9.2.1"


@pytest.mark.parametrize("text", ["アクセス制御", "ISMS-B-02", "", "5", "515"])
def test_not_a_control(text):
    assert parse_control_id(text) is None


SEPARATORS = [",", "、", "，", ";", "／", "\n", ", ", " / "]
SPELLINGS = {"A.5.15": ["5.15", "A.5.15", "A5.15", "Ａ．５．１５", "5.15 アクセス制御"],
             "A.8.8": ["8.8", "A.8.8", "Ａ．８．８", "8.8 技術的ぜい弱性の管理"],
             "A.5.1": ["5.1", "A.5.1", "A5.1"]}


@given(st.lists(st.sampled_from(sorted(SPELLINGS)), min_size=1, max_size=6, unique=True), st.data())
def test_any_mix_of_spellings_and_separators(ids, data):
    pieces = [data.draw(st.sampled_from(SPELLINGS[i])) for i in ids]
    text = pieces[0]
    for piece in pieces[1:]:
        text += data.draw(st.sampled_from(SEPARATORS)) + piece
    parsed = parse_controls(text)
    assert parsed.ids == tuple(ids)
    assert parsed.invalid == ()


def test_invalid_pieces_are_reported():
    parsed = parse_controls("5.15, アクセス管理, 8.8")
    assert parsed.ids == ("A.5.15", "A.8.8") and parsed.invalid == ("アクセス管理",)
