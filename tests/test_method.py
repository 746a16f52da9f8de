"""The risk method reproduces the manual's acceptance table, bands and colours (method.md)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isms_xl.config import config_from_dict
from isms_xl.errors import ConfigError
from isms_xl.method import DEFAULT_METHOD, LEVELS, Method

# The manual's table, transcribed independently of isms_xl.method.MANUAL_TABLE.
ACCEPTANCE = {
    1: [2, 3, 4, 3, 4, 5, 4, 5, 6],
    2: [4, 6, 8, 6, 8, 10, 8, 10, 12],
    3: [6, 9, 12, 9, 12, 15, 12, 15, 18],
}


@pytest.mark.parametrize("impact", LEVELS)
@pytest.mark.parametrize("threat", LEVELS)
@pytest.mark.parametrize("vulnerability", LEVELS)
def test_all_27_cells_of_the_acceptance_table(impact, threat, vulnerability):
    expected = ACCEPTANCE[impact][(threat - 1) * 3 + vulnerability - 1]
    assert DEFAULT_METHOD.risk_value(impact, threat, vulnerability) == expected


def test_possible_values():
    assert DEFAULT_METHOD.possible_values() == [2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 18]


@pytest.mark.parametrize(("value", "label", "fill", "font"), [
    (2, "原則受容", "C6EFCE", "006100"), (6, "原則受容", "C6EFCE", "006100"),
    (8, "受容可能", "FFEB9C", "9C5700"), (9, "受容可能", "FFEB9C", "9C5700"),
    (10, "リスク対応", "FFC7CE", "9C0006"), (18, "リスク対応", "FFC7CE", "9C0006"),
])
def test_bands_and_colours(value, label, fill, font):
    band = DEFAULT_METHOD.band(value)
    assert (band.ja, band.fill, band.font) == (label, fill, font)


@given(st.sampled_from(LEVELS), st.sampled_from(LEVELS), st.sampled_from(LEVELS))
def test_matrix_method_with_manual_table_equals_formula(i, t, v):
    assert Method(formula="matrix").risk_value(i, t, v) == DEFAULT_METHOD.risk_value(i, t, v)


def test_configured_method_thresholds_labels_colours():
    cfg = config_from_dict({"method": {
        "formula": "multiplicative", "accept_max": 8, "acceptable_max": 12,
        "labels": {"treat": "要対応"}, "colours": {"treat": {"fill": "#ff0000", "font": "ffffff"}},
    }})
    m = cfg.method
    assert m.risk_value(3, 3, 3) == 27
    assert m.band_label(8) == "原則受容" and m.band_label(12) == "受容可能"
    treat = m.band(27)
    assert (treat.ja, treat.fill, treat.font) == ("要対応", "FF0000", "FFFFFF")
    assert 'IF(X<=8,"原則受容",IF(X<=12,"受容可能","要対応"))' == m.band_excel("X")


@pytest.mark.parametrize("bad", [
    {"method": {"formula": "sum"}}, {"method": {"accept_max": 9, "acceptable_max": 6}},
    {"annex": {"version": "2005"}}, {"fiscal_year": {"start_month": 13}},
])
def test_bad_configuration_is_a_config_error(bad):
    with pytest.raises(ConfigError):
        config_from_dict(bad)
