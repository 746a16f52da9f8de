"""reader.fills.Fills behaves as the dict ``(sheet, row, col) -> fill`` it replaces, whatever is
put in by column or set, read, iterated, counted or deleted cell by cell; and ``column`` gives
what looking up each cell gives."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isms_xl.reader.fills import Fills

SHEETS = st.sampled_from(["リスク", "Sheet2"])
ROWS = st.integers(0, 6)
COLS = st.integers(0, 3)
FILL = st.sampled_from([None, "", "FFC7CE", "C6EFCE", "theme:4"])

put = st.tuples(st.just("put"), SHEETS, COLS, st.lists(st.tuples(ROWS, FILL), max_size=6))
set_ = st.tuples(st.just("set"), SHEETS, ROWS, COLS, FILL)
delete = st.tuples(st.just("del"), SHEETS, ROWS, COLS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(put, set_, delete), max_size=12), st.lists(ROWS, max_size=8), SHEETS, COLS)
def test_fills_behave_as_a_dict(ops, asked, sheet, col):
    fills, model = Fills(), {}
    for op in ops:
        if op[0] == "put":
            _, s, c, cells = op
            fills.put_column(s, c, [r for r, _ in cells], [f for _, f in cells])
            for key in [k for k in model if k[0] == s and k[2] == c]:
                del model[key]
            model.update({(s, r, c): f for r, f in cells})
        elif op[0] == "set":
            _, s, r, c, f = op
            fills[(s, r, c)] = model[(s, r, c)] = f
        else:
            _, s, r, c = op
            if (s, r, c) in model:
                del fills[(s, r, c)]
                del model[(s, r, c)]
            else:
                with pytest.raises(KeyError):
                    del fills[(s, r, c)]
        assert dict(fills.items()) == model
        assert len(fills) == len(model) and bool(fills) == bool(model)
        assert sorted(fills) == sorted(model)
    assert fills.column(sheet, asked, col) == [model.get((sheet, r, col)) for r in asked]
    assert fills == model and copy.deepcopy(fills) == model and pickle.loads(pickle.dumps(fills)) == model


def test_a_column_put_is_handed_over_as_read():
    fills = Fills()
    rows, got = [5, 6, 7], ["FFC7CE", None, "C6EFCE"]
    fills.put_column("s", 2, rows, got)
    assert fills.column("s", rows, 2) == got
    assert fills.column("s", [7, 5], 2) == ["C6EFCE", "FFC7CE"]  # other rows: cell by cell
    fills[("s", 6, 2)] = "FFEB9C"  # a cell set since: it wins
    assert fills.column("s", rows, 2) == ["FFC7CE", "FFEB9C", "C6EFCE"]
    with pytest.raises(ValueError):
        fills.put_column("s", 3, [1, 2], ["x"])
    assert ("s", 1, 3) not in fills and fills.get(("s", 9, 2)) is None and fills.get("not a key") is None


def test_deleting_a_cell_of_a_column_keeps_the_rest_as_read():
    fills = Fills()
    fills.put_column("s", 1, [3, 4, 3], ["A", "B", "C"])  # row 3 twice: the last is what a dict keeps
    fills[("s", 5, 1)] = "D"
    del fills[("s", 4, 1)]
    assert dict(fills.items()) == {("s", 3, 1): "C", ("s", 5, 1): "D"}
    fills.put_column("s", 1, [3], ["E"])  # a new column replaces the cells set before
    assert dict(fills.items()) == {("s", 3, 1): "E"}
