"""Annex A catalogs as package data: 93 (2022), 114 (2013), the 2013 → 2022 correspondence."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from isms_xl.catalog import NEW_IN_2022, load_catalog, load_correspondence

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def test_2022_has_93_controls_in_four_themes():
    cat = load_catalog("2022")
    assert len(cat) == 93
    assert Counter(c.group for c in cat.controls) == {"Organizational": 37, "People": 8, "Physical": 14, "Technological": 34}


def test_2013_has_114_controls():
    assert len(load_catalog("2013")) == 114


@pytest.mark.parametrize("version", ["2022", "2013"])
def test_every_control_has_a_unique_japanese_title(version):
    titles = [c.title_ja for c in load_catalog(version).controls]
    assert all(t.strip() for t in titles)
    assert len(set(titles)) == len(titles)


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference not beside the checkout")
@pytest.mark.parametrize(("version", "name"), [("2022", "annex_a_2022.csv"), ("2013", "annex_a_2013.csv")])
def test_ids_and_english_titles_equal_the_reference(version, name):
    with (REFERENCE / name).open(encoding="utf-8", newline="") as fh:
        ref = [(r["control_id"], r["title_en"]) for r in csv.DictReader(fh)]
    assert [(c.control_id, c.title_en) for c in load_catalog(version).controls] == ref


def test_correspondence_resolves_and_names_the_new_controls():
    rows = load_correspondence()
    c2013, c2022 = load_catalog("2013"), load_catalog("2022")
    assert all(r.control_id_2022 in c2022 for r in rows)
    assert all(r.control_id_2013 in c2013 for r in rows if r.control_id_2013)
    assert {r.control_id_2013 for r in rows if r.control_id_2013} == set(c2013.by_id)
    assert {r.control_id_2022 for r in rows} == set(c2022.by_id)
    assert tuple(r.control_id_2022 for r in rows if r.kind == "new in 2022") == NEW_IN_2022
    assert {r.control_id_2022 for r in rows if r.kind == "split"} == {"A.5.36", "A.8.8"}
