"""Expr.evaluate_column (a column at a time, with shortcuts for columns of plain numbers) gives
what Expr.evaluate gives row by row: the same values of the same types, for every risk formula."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.expr import Band, Coalesce, Ref, RiskValue
from isms_xl.method import FORMULAS, Method

KEYS = ("impact", "threat", "vulnerability", "residual_impact")
EXPRS = {
    "risk": RiskValue(Ref("impact"), Ref("threat"), Ref("vulnerability")),
    "band": Band(RiskValue(Ref("impact"), Ref("threat"), Ref("vulnerability"))),
    "residual": RiskValue(Coalesce(Ref("residual_impact"), Ref("impact")), Ref("threat"), Ref("vulnerability")),
    "residual_band": Band(RiskValue(Coalesce(Ref("residual_impact"), Ref("impact")), Ref("threat"),
                                    Ref("vulnerability"))),
    "band_of_input": Band(Ref("impact")),
}


class Level(float):
    """A float subclass (as numpy's float64 is): a number to the row-by-row test, not to a type test."""


LEVELS = st.sampled_from([1, 2, 3, 1.0, 2.0, 3.0])
ODD = st.sampled_from([None, "", " ", "高", "2", True, False, 0, 4, 2.5, -1, Level(2.0)])


def columns(n: int, odd: bool):
    value = st.one_of(LEVELS, ODD) if odd else LEVELS
    return st.fixed_dictionaries({k: st.lists(value, min_size=n, max_size=n) for k in KEYS})


@st.composite
def tables(draw):
    n = draw(st.integers(0, 12))
    return n, draw(columns(n, odd=draw(st.booleans())))


def _typed(values):
    return [(type(v), v) for v in values]


@settings(max_examples=200, deadline=None)
@given(tables(), st.sampled_from(FORMULAS), st.sampled_from(sorted(EXPRS)))
def test_a_column_at_once_equals_row_by_row(table, formula, name):
    n, cols = table
    method = Method(formula=formula)
    expr = EXPRS[name]
    if formula == "matrix":  # the matrix takes levels 1-3 only; odd values are blanked by the guards
        cols = {k: [v if v in (1, 2, 3) or not isinstance(v, (int, float)) or isinstance(v, bool) else 1
                    for v in col] for k, col in cols.items()}
    rows = [{k: cols[k][i] for k in KEYS} for i in range(n)]
    assert _typed(expr.evaluate_column(cols, method, n)) == _typed([expr.evaluate(env, method) for env in rows])


def test_numbers_only_columns_take_the_shortcut():
    """The plain-number case really is computed by Method.risk_values (so the test above covers it)."""
    calls = []

    class Counting(Method):
        def risk_values(self, *cols):
            calls.append(len(cols[0]))
            return super().risk_values(*cols)

    cols = {"impact": [1, 2, 3], "threat": [3, 2, 1], "vulnerability": [1, 1, 2]}
    assert EXPRS["risk"].evaluate_column(cols, Counting(), 3) == [4, 6, 9]
    # With blanks (residual levels of accepted risks), the rows with three numbers still are.
    cols["threat"][1] = None
    assert EXPRS["risk"].evaluate_column(cols, Counting(), 3) == [4, None, 9]
    cols["vulnerability"][0] = "高"
    assert EXPRS["risk"].evaluate_column(cols, Counting(), 3) == [None, None, 9]
    # A number type a type test does not know: row by row.
    cols["impact"][2] = Level(3.0)
    assert EXPRS["risk"].evaluate_column(cols, Counting(), 3) == [None, None, 9]
    assert calls == [3, 2, 1]
