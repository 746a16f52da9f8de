"""reader.identify.find_labelled: a document-control field's value is the first non-blank cell
right of its label and before the row's next label, however many columns a user inserted
through the block (found by Hypothesis: three inserted columns put 文書番号's value four cells
away, and it was read as blank)."""

from __future__ import annotations

from isms_xl.reader.grid import SheetGrid
from isms_xl.reader.identify import find_labelled


def grid(*rows: list) -> SheetGrid:
    return SheetGrid("表紙", [list(r) for r in rows], ())


def test_values_past_inserted_columns():
    g = grid(["文書番号", None, None, None, "ISMS-B-08", "文書名", "年間教育計画表", "版数", None, None, "1.2"])
    got = find_labelled(g)
    assert got["doc_number"] == (0, 4, "ISMS-B-08")
    assert got["doc_title"][2] == "年間教育計画表"
    assert got["version"] == (0, 10, "1.2")  # the row's last label: within reach


def test_a_blank_field_does_not_take_the_next_labels_value():
    g = grid(["改訂日", None, None, "作成者", "ISMS事務局"],
             ["文書番号", None, "ISMS-B-08", "承認者", None])
    got = find_labelled(g)
    assert got["author"] == (0, 4, "ISMS事務局")
    assert got["revised_on"][2] is None
    assert got["doc_number"] == (1, 2, "ISMS-B-08")
    # Blank, at the offset the value of the label above it has (both label columns are D).
    assert got["approver"] == (1, 4, None)


def test_a_last_label_reaches_only_so_far():
    g = grid(["承認者"] + [None] * 9 + ["メモ書き"])
    assert find_labelled(g)["approver"][2] is None
