"""adopt, property-tested: a register whose columns come in any order, headed by any mix of the
form's Japanese/English headers and synonyms, under any number of title rows, adopts to the same
records."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from isms_xl.adopt.run import adopt_file
from isms_xl.forms import FORMS
from isms_xl.reader import read_form
from tests.foreign import write_sheet

SPEC = FORMS["B-01"]
KEYS = ("asset_id", "name", "category", "department", "owner", "confidentiality", "integrity", "availability",
        "location", "notes")
ROWS = [
    {"asset_id": "A-1", "name": "顧客DB", "category": "電子データ", "department": "営業部門", "owner": "佐藤",
     "confidentiality": 3, "integrity": 2, "availability": 1, "location": "NAS", "notes": "x"},
    {"asset_id": "A-2", "name": "契約書", "category": "紙媒体", "department": "管理部門", "owner": "田中",
     "confidentiality": "高", "integrity": "中", "availability": "低", "location": None, "notes": None},
]
EXPECTED = [(r["asset_id"], r["name"], r["category"], r["department"], r["owner"],
             *({"高": 3, "中": 2, "低": 1}.get(r[k], r[k]) for k in ("confidentiality", "integrity", "availability")),
             r["location"], r["notes"]) for r in ROWS]


def spellings(key: str) -> list[str]:
    col = SPEC.column(key)
    # One-letter synonyms ("C", "I", "A") are kept: they are what grouped CIA headers use.
    return [col.ja, col.en, *col.synonyms]


@settings(max_examples=25)
@given(st.permutations(KEYS), st.data(), st.integers(min_value=1, max_value=6))
def test_any_order_and_spelling_adopts_the_same(order, data, top):
    headers = [data.draw(st.sampled_from(spellings(k)), label=k) for k in order]
    assume(len({h.casefold() for h in headers}) == len(headers))  # two alike: the ambiguous case, tested elsewhere
    rows = [[r[k] for k in order] for r in ROWS]
    with tempfile.TemporaryDirectory() as d:
        src = write_sheet(Path(d) / "in.xlsx", "資産台帳", [headers], rows, top=top)
        adopt_file(src, Path(d) / "out.xlsx", "B-01")
        form = read_form(Path(d) / "out.xlsx")
        got = [tuple(r.values[k] for k in ("asset_id", "name", "category", "department", "owner", "confidentiality",
                                           "integrity", "availability", "location", "notes")) for r in form.records]
        assert got == EXPECTED
        assert [f for f in form.findings if f.severity.value == "error"] == []
