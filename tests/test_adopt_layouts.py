"""adopt: registers and SoAs in three foreign layouts become the project's forms; where the
headers or values cannot be decided a draft mapping is written, and once edited it succeeds."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from isms_xl.adopt.run import adopt_file
from isms_xl.catalog import load_catalog
from isms_xl.errors import ConfigError, MappingNeededError, NotAWorkbookError, OutputExistsError
from isms_xl.reader import read_form
from tests.foreign import (GROUPED_ASSETS, GROUPED_ASSETS_HEADERS, GROUPED_MERGES, GROUPED_TOP, ISO27K_ASSETS,
                           ISO27K_ASSETS_HEADERS, ISO27K_CATEGORIES, ISO27K_SOA_HEADERS, JP_RISK_HEADERS, JP_RISKS,
                           LEVELS_1_TO_5, write_sheet)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_errors(form):
    return [(f.rule, f.cell) for f in form.findings if f.severity.value == "error"]


def edit(draft: Path, replacements: dict[str, str]) -> Path:
    """What a user does to the draft: fill the lines marked CHECK."""
    text = draft.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    draft.write_text(text, encoding="utf-8")
    return draft


def test_iso27k_asset_register_needs_a_mapping_then_adopts(tmp_path):
    src = write_sheet(tmp_path / "assets.xlsx", "Information asset inventory", ISO27K_ASSETS_HEADERS, ISO27K_ASSETS,
                      sheet="Assets")
    before = sha(src)
    out = tmp_path / "B-01.xlsx"
    with pytest.raises(MappingNeededError) as err:
        adopt_file(src, out, "B-01", lang="en")
    draft = Path(err.value.draft)
    assert draft == tmp_path / "B-01_mapping.toml" and not out.exists()
    assert "Department" in err.value.message_en and "Category" in err.value.message_en
    parsed = tomllib.loads(draft.read_text(encoding="utf-8"))
    assert parsed["columns"]["department"] == "" and parsed["columns"]["owner"] == "Owner"
    assert set(parsed["values"]["category"]) == set(ISO27K_CATEGORIES)
    edit(draft, {'department = ""': 'department = "Business unit"',
                 **{f'"{k}" = ""': f'"{k}" = "{v}"' for k, v in ISO27K_CATEGORIES.items()}})
    result = adopt_file(src, out, "B-01", mapping=draft)
    assert sha(src) == before
    form = read_form(out)
    assert read_errors(form) == []
    got = [(r.values["asset_id"], r.values["name"], r.values["category"], r.values["department"], r.values["owner"],
            r.values["confidentiality"], r.values["integrity"], r.values["availability"], r.values["value"],
            r.values["notes"]) for r in form.records]
    assert got == [(a, n, ISO27K_CATEGORIES[t], d, o, c, i, av, max(c, i, av), rem)
                   for a, n, t, o, d, _loc, c, i, av, rem in ISO27K_ASSETS]
    assert [r.values["location"] for r in form.records] == [row[5] for row in ISO27K_ASSETS]
    assert result.converted.extra == ()


def test_iso27k_soa_with_two_control_headers(tmp_path):
    rows = [["5.1", "Policies for information security", "Yes", None, "Implemented", "POL-01"],
            ["5.7", "Threat intelligence", "No", "No threat feeds are in scope", None, None],
            ["A.8.8", "Management of technical vulnerabilities", "Y", None, "Partially implemented", "PRO-07"],
            ["7.4", None, "Yes", None, "Not implemented", None]]
    src = write_sheet(tmp_path / "soa.xlsx", "Statement of Applicability", ISO27K_SOA_HEADERS, rows, sheet="SoA")
    out = tmp_path / "A-02.xlsx"
    with pytest.raises(MappingNeededError) as err:
        adopt_file(src, out, "A-02")
    draft = Path(err.value.draft)
    text = draft.read_text(encoding="utf-8")
    assert 'control_id = ""' in text and '"Ref", "Control"' in text
    assert "kept as extra columns" not in text  # "Control" is a candidate, not a column of the user's own
    edit(draft, {'control_id = ""': 'control_id = "Ref"', '# control_name = ""': 'control_name = "Control"'})
    adopt_file(src, out, "A-02", mapping=draft)
    form = read_form(out)
    assert read_errors(form) == []
    got = [(r.values["control_id"], r.values["control_name"], r.values["applicable"], r.values["status"],
            r.values["exclusion_reason"], r.values["documents"]) for r in form.records]
    assert got == [
        ("A.5.1", "Policies for information security", "○", "実施済", None, "POL-01"),
        ("A.5.7", "Threat intelligence", "×", None, "No threat feeds are in scope", None),
        ("A.8.8", "Management of technical vulnerabilities", "○", "実施中", None, "PRO-07"),
        ("A.7.4", load_catalog("2022").get("A.7.4").title_ja, "○", "未実施", None, None),  # named from the catalog
    ]


def test_japanese_risk_register_with_another_method(tmp_path):
    src = write_sheet(tmp_path / "risks.xlsx", "リスク分析表（5段階評価）", JP_RISK_HEADERS, JP_RISKS)
    out = tmp_path / "B-02.xlsx"
    result = adopt_file(src, out, "B-02")
    # Without a mapping of levels nothing is re-rated: the levels are blank (the reader says so)
    # and the original values are in 備考.
    form = read_form(out)
    assert {rule for rule, _ in read_errors(form)} == {"READ-002"}
    first = form.records[0].values
    assert (first["threat_level"], first["vulnerability_level"], first["impact"], first["risk_value"]) == (None,) * 4
    assert "脅威レベル=4" in first["notes"] and "リスク値=100" in first["notes"]
    assert form.records[1].values["notes"].startswith("予備機あり\n")
    assert form.records[1].values["treatment"] == "受容"  # 保有 is the form's 受容
    assert form.records[0].values["controls"] == ("A.5.17", "A.8.5")
    assert result.draft == tmp_path / "B-02_mapping.toml"
    # The user rates the 1–5 values on 1–3 in the draft and runs again.
    draft = result.draft
    text = draft.read_text(encoding="utf-8")
    for section in ("threat_level", "vulnerability_level", "impact"):
        assert f"[levels.{section}]" in text
    lines = []
    section = None
    for line in text.splitlines():
        if line.startswith("["):
            section = line
        if section and section.startswith("[levels.") and line.endswith(' = ""'):
            key = line.split(" = ")[0].strip('"')
            line = f'"{key}" = {LEVELS_1_TO_5[key]}'
        lines.append(line)
    draft.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = adopt_file(src, out, "B-02", mapping=draft, force=True)
    form = read_form(out)
    assert read_errors(form) == []
    rated = [(r.values["threat_level"], r.values["vulnerability_level"], r.values["impact"], r.values["risk_value"],
              r.values["evaluation"]) for r in form.records]
    assert rated == [(3, 3, 3, 18, "リスク対応"), (1, 2, 2, 6, "原則受容"), (1, 1, 3, 6, "原則受容")]
    assert "リスク値=100" in form.records[0].values["notes"]  # the original stays on record
    assert result.converted.rerated == 9


def test_grouped_two_row_headers(tmp_path):
    src = write_sheet(tmp_path / "grouped.xlsx", "情報資産一覧", GROUPED_ASSETS_HEADERS, GROUPED_ASSETS,
                      merges=GROUPED_MERGES, top=GROUPED_TOP)
    out = tmp_path / "B-01.xlsx"
    result = adopt_file(src, out, "B-01")
    assert result.decision.header.header_rows == 2
    form = read_form(out)
    assert read_errors(form) == []
    got = [(r.values["asset_id"], r.values["confidentiality"], r.values["integrity"], r.values["availability"],
            r.values["location"], r.extra.get("独自メモ") or None) for r in form.records]
    assert got == [("A-01", 3, 3, 2, "NAS", "年次棚卸"), ("A-02", 2, 3, 1, "書庫", None), ("A-03", 3, 2, 1, "各席", "20台")]


def test_mapping_by_column_letters_and_defaults(tmp_path):
    src = write_sheet(tmp_path / "assets.xlsx", "x", ISO27K_ASSETS_HEADERS, ISO27K_ASSETS)
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'form = "B-01"\nheader_row = 3\n[columns]\nasset_id = "A"\nname = "B"\ncategory = "c"\nowner = "D"\n'
        'department = ""\nconfidentiality = "G"\nintegrity = "H"\navailability = "I"\n'
        '[defaults]\ndepartment = "管理部門"\n[values.category]\n'
        + "".join(f'"{k}" = "{v}"\n' for k, v in ISO27K_CATEGORIES.items()), encoding="utf-8")
    result = adopt_file(src, tmp_path / "out.xlsx", "B-01", mapping=mapping)
    form = read_form(tmp_path / "out.xlsx")
    assert read_errors(form) == []
    assert {r.values["department"] for r in form.records} == {"管理部門"}
    # Cells the mapping does not name are still matched by their headers; the rest is kept.
    assert [r.values["location"] for r in form.records] == [row[5] for row in ISO27K_ASSETS]
    assert result.converted.extra == ("Business unit",)
    assert [r.extra["Business unit"] for r in form.records] == [row[4] for row in ISO27K_ASSETS]


def test_refusals_change_nothing(tmp_path):
    src = write_sheet(tmp_path / "assets.xlsx", "x", ISO27K_ASSETS_HEADERS, ISO27K_ASSETS)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep")
    with pytest.raises(OutputExistsError):
        adopt_file(src, out, "B-01")
    assert out.read_bytes() == b"keep"
    with pytest.raises(OutputExistsError):
        adopt_file(src, src, "B-01", force=True)
    draft = tmp_path / "mine.toml"
    draft.write_text("# being edited\n", encoding="utf-8")
    with pytest.raises(MappingNeededError) as err:
        adopt_file(src, tmp_path / "new.xlsx", "B-01", draft=draft)
    assert draft.read_text(encoding="utf-8") == "# being edited\n" and str(draft) in err.value.message_en
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nno_such_column = "Asset"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        adopt_file(src, tmp_path / "new.xlsx", "B-01", mapping=bad)
    bad.write_text('[columns]\nname = "Not a header"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        adopt_file(src, tmp_path / "new.xlsx", "B-01", mapping=bad)
    assert "Asset ID" in err.value.message_en  # the message lists the headers there are
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(NotAWorkbookError):
        adopt_file(empty, tmp_path / "new.xlsx", "B-01")
    assert not (tmp_path / "new.xlsx").exists()


def test_day_one_foreign_2013_soa_adopted_then_migrated(tmp_path):
    """A new user's SoA: their own layout and still on 2013. adopt, then migrate-soa."""
    from isms_xl.migrate.run import migrate_soa_file
    from tests.soa2013 import CONTROLS_2013

    headers = [["管理策", "", "適用可否", "除外の理由", "導入状況"], ["番号", "管理策名", None, None, None]]
    rows = [[cid[2:], None, "適用" if n % 5 else "除外", None if n % 5 else "該当なし", "済" if n % 5 else None]
            for n, cid in enumerate(CONTROLS_2013)]
    rows.append([None, "合計", f"{len(rows)}件", None, None])
    src = write_sheet(tmp_path / "soa2013.xlsx", "適用宣言書（2013年版）", headers, rows, merges=["A3:B3"])
    adopted = adopt_file(src, tmp_path / "A-02_2013.xlsx", "A-02")
    assert adopted.decision.header.header_rows == 2 and len(adopted.converted.records) == 114  # no totals row
    form = read_form(tmp_path / "A-02_2013.xlsx")
    assert read_errors(form) == []
    assert form.records[0].values["control_name"] == load_catalog("2013").get("A.5.1.1").title_ja
    result = migrate_soa_file(tmp_path / "A-02_2013.xlsx", tmp_path / "A-02.xlsx")
    decisions = {r.values["control_id"]: r.values["applicable"] for r in read_form(result.soa).records}
    assert len(decisions) == 93
    excluded_2013 = {cid for n, cid in enumerate(CONTROLS_2013) if n % 5 == 0}
    assert decisions["A.5.2"] == ("×" if "A.6.1.1" in excluded_2013 else "○")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    import datetime as dt

    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=dt.date(2026, 11, 26))
    return folder


@pytest.mark.parametrize("form_id", ["A-02", "B-01", "B-02", "B-03"])
def test_adopting_the_projects_own_form_changes_no_value(demo, tmp_path, form_id):
    """The demo's own workbooks (with their seeded defects) adopt to the same input values."""
    src = next(demo.glob(f"ISMS-{form_id}_*.xlsx"))
    adopt_file(src, tmp_path / "out.xlsx", form_id)
    before, after = read_form(src), read_form(tmp_path / "out.xlsx")
    keys = [c.key for c in before.spec.columns if not c.is_computed]
    assert len(after.records) == len(before.records) > 50
    assert [[r.values[k] for k in keys] for r in after.records] == [[r.values[k] for k in keys] for r in before.records]
    assert [r.extra for r in after.records] == [r.extra for r in before.records]


def test_the_register_sheet_is_found_among_others(tmp_path):
    import openpyxl

    src = write_sheet(tmp_path / "book.xlsx", "t", GROUPED_ASSETS_HEADERS, GROUPED_ASSETS, merges=GROUPED_MERGES,
                      top=GROUPED_TOP, sheet="資産")
    wb = openpyxl.load_workbook(src)
    readme = wb.create_sheet("説明", 0)
    readme["A1"], readme["A2"] = "この台帳の使い方", "資産番号は A- で始める"
    wb.save(src)
    result = adopt_file(src, tmp_path / "out.xlsx", "B-01")
    assert result.decision.header.sheet == "資産" and len(result.converted.records) == 3
    with pytest.raises(ConfigError) as err:
        adopt_file(src, tmp_path / "out2.xlsx", "B-01", sheet="Assets")
    assert "資産" in err.value.message_en and "説明" in err.value.message_en
