"""What the auditor looks at: the PDFs convert to PNG and carry the Japanese headings, control
titles and findings as text (with a CJK font embedded); the PNG heat maps show, cell by cell, the
band colour and a bar whose length is the number of risks counted here from B-02; the risk
workbook's native charts read the count tables, and those hold the same numbers; the SoA
workbook's traceability is B-02/B-03's; the index pages link every file and show the document
control of every form."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image
from python_calamine import CalamineWorkbook

from isms_xl.config import load_config
from isms_xl.method import LEVELS
from isms_xl.pack.fonts import find_cjk_font, has_glyphs
from isms_xl.pack.heatmap_png import BAR_COLOUR, GEOMETRY, faded
from isms_xl.report.charts import hex_colour
from tests.packfix import (
    AS_OF,
    expected_traceability,
    needs_poppler,
    needs_renderers,
    read_forms,
)

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, needs_renderers]


def _text(pdf: Path) -> str:
    res = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    return res.stdout.decode("utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _png_pages(pdf: Path, tmp_path: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / pdf.stem)], check=True, capture_output=True)
    return sorted(tmp_path.glob(pdf.stem + "*.png"))


def _ink(png: Path) -> float:
    img = Image.open(png).convert("L")
    hist = img.histogram()
    return sum(hist[:200]) / (img.width * img.height)


# --- PDFs ---------------------------------------------------------------------------------------


@needs_poppler
def test_soa_pdf_has_the_headings_every_control_and_a_cjk_font(built, tmp_path):
    result, out = built
    pdf = out / "soa" / "soa_summary.pdf"
    pages = _png_pages(pdf, tmp_path)
    assert pages and all(_ink(p) > 0.01 for p in pages[:3])
    text = _squash(_text(pdf))
    for heading in ("適用宣言書（ISMS-A-02）サマリー", "管理策番号", "採用理由", "実施状況", "関連リスク（B-02）",
                    "対応計画（B-03）", "管理策→リスク・対応計画"):
        assert _squash(heading) in text, heading
    soa = result.run.forms["A-02"]
    missing = [r.values["control_id"] for r in soa.records if _squash(str(r.values["control_name"])) not in text]
    assert missing == [], f"control titles not in the PDF text: {missing[:5]}"
    assert all(str(r.values["control_id"]) in text for r in soa.records)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"CJK|Gothic|Mincho|Meiryo|Hiragino", fonts), fonts


@needs_poppler
def test_check_report_pdf_has_the_headings_and_the_open_findings(built, tmp_path):
    result, out = built
    pdf = out / "check" / "check_report.pdf"
    pages = _png_pages(pdf, tmp_path)
    assert len(pages) >= 2 and _ink(pages[0]) > 0.01
    text = _squash(_text(pdf))
    assert "検査結果" in text and "リスクの分布" in text
    missing = {f.rule for f in result.run.findings} - set(re.findall(r"[A-Z]{4}-\d{3}", text))
    assert missing == set(), missing
    # The open findings' Japanese messages are in the PDF (their start: a table cell wraps the
    # rest onto lines that pdftotext may interleave with the next column).
    for f in result.run.findings[::3]:
        assert _squash(f.message_ja)[:10] in text, f


@needs_poppler
def test_risk_pdf_has_the_headings_the_high_risks_and_the_charts(built, tmp_path):
    result, out = built
    pdf = out / "risk" / "risk_summary.pdf"
    pages = _png_pages(pdf, tmp_path)
    assert pages and _ink(pages[0]) > 0.01
    text = _squash(_text(pdf))
    for heading in ("リスク登録簿サマリー（ISMS-B-02/B-03）", "固有リスク（対応前）", "残留リスク（対応後）",
                    "評価別のリスク数（固有・残留）", "リスク値10以上のリスク", "期限超過の対応計画"):
        assert heading in text, heading
    assert all(h.risk_id in text for h in result.risks.high)


# --- PNG heat maps ---------------------------------------------------------------------------------


def _expected_heat(forms, residual: bool) -> Counter:
    counts: Counter = Counter()
    for r in forms["B-02"].records:
        v = r.values
        i, t, u = v.get("impact"), v.get("threat_level"), v.get("vulnerability_level")
        if residual and v.get("treatment") == "低減":
            i = v.get("residual_impact") if v.get("residual_impact") is not None else i
            t, u = v.get("residual_threat_level"), v.get("residual_vulnerability_level")
        if all(x in LEVELS and not isinstance(x, bool) for x in (i, t, u)):
            counts[(int(i), int(t), int(u))] += 1
    return counts


def _rgb(hex6: str) -> tuple[int, int, int]:
    return tuple(int(hex6[k:k + 2], 16) for k in (0, 2, 4))


@pytest.mark.parametrize("residual", [False, True])
def test_heat_map_png_cells_show_the_band_and_the_count(built, residual):
    _result, out = built
    forms = read_forms(out / "workbooks")
    method = load_config(out / "workbooks").method
    expected = _expected_heat(forms, residual)
    assert sum(expected.values()) > 400
    largest = max(expected.values())
    img = Image.open(out / "risk" / ("heatmap_residual.png" if residual else "heatmap_inherent.png")).convert("RGB")
    assert img.size == (GEOMETRY.width, GEOMETRY.height)
    px = img.load()
    for i in LEVELS:
        for t in LEVELS:
            for v in LEVELS:
                count = expected[(i, t, v)]
                band = method.band(method.risk_value(i, t, v))
                colour = _rgb(hex_colour(band.fill))
                _x0, y0, x1, _y1 = GEOMETRY.cell_box(i, t, v)
                assert px[x1 - 3, y0 + 3] == (colour if count else faded(colour)), (i, t, v)
                bx0, bx1, by = GEOMETRY.bar_track(i, t, v)
                length = 0
                while bx0 + length <= bx1 and px[bx0 + length, by] == BAR_COLOUR:
                    length += 1
                track = bx1 - bx0 + 1
                assert abs(length - track * count / largest) <= 1, (i, t, v, count, length)
                assert (length > 0) == (count > 0)


def test_heat_map_text_is_drawn_with_japanese_glyphs(built):
    _result, out = built
    font = find_cjk_font()
    assert has_glyphs(font.load(20), "固有リスク残留損害脅威ぜい弱性原則受容可能対応")
    img = Image.open(out / "risk" / "heatmap_inherent.png").convert("L")
    title = img.crop((0, 0, GEOMETRY.width, 70))
    assert sum(title.histogram()[:128]) > 500, "no title drawn"


def test_has_glyphs_tells_a_latin_font_from_a_cjk_one():
    from PIL import ImageFont

    latin = next((p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf") if Path(p).exists()), None)
    if latin is None:
        pytest.skip("no Latin-only font installed")
    assert not has_glyphs(ImageFont.truetype(latin, 20), "損害")
    assert has_glyphs(ImageFont.truetype(latin, 20), "Impact")


# --- the risk workbook's native charts ---------------------------------------------------------------


def _ranges(xml: str) -> list[str]:
    return re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", xml)


def _read_range(wb: CalamineWorkbook, ref: str) -> list[float]:
    sheet, cells = ref.split("!")
    m = re.fullmatch(r"\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", cells)
    col = ord(m[1]) - 65
    grid = wb.get_sheet_by_name(sheet.strip("'")).to_python(skip_empty_area=False)
    return [grid[r - 1][col] for r in range(int(m[2]), int(m[4]) + 1)]


def test_native_charts_read_count_tables_that_match_the_records(built):
    _result, out = built
    forms = read_forms(out / "workbooks")
    method = load_config(out / "workbooks").method
    path = out / "risk" / "risk_summary.xlsx"
    wb = CalamineWorkbook.from_path(str(path))
    with zipfile.ZipFile(path) as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        xml = {n: zf.read(n).decode("utf-8") for n in charts}
    assert len(charts) == 3
    by_band = []
    for residual in (False, True):
        counts = Counter()
        for (i, t, v), n in _expected_heat(forms, residual).items():
            counts[method.band(method.risk_value(i, t, v)).key] += n
        by_band.append([counts[b.key] for b in method.bands])
    band_chart = next(x for x in xml.values() if "評価別のリスク数" in x)
    assert [_read_range(wb, r) for r in _ranges(band_chart)] == by_band
    plans = Counter(r.values.get("status") for r in forms["B-03"].records)
    plan_chart = next(x for x in xml.values() if "状況別の対応計画" in x)
    assert _read_range(wb, _ranges(plan_chart)[0]) == [plans[s] for s in ("未着手", "実施中", "完了", "中止")]
    # The heat-map table itself: counts per cell, as the PNG shows them.
    grid = wb.get_sheet_by_name("ヒートマップ").to_python(skip_empty_area=False)
    inherent = _expected_heat(forms, False)
    for i in LEVELS:
        for t in LEVELS:
            for v in LEVELS:
                assert grid[3 + 2 + i][(t - 1) * 3 + v] == inherent[(i, t, v)]


def test_high_risks_and_overdue_plans_are_listed(built):
    _result, out = built
    forms = read_forms(out / "workbooks")
    wb = CalamineWorkbook.from_path(str(out / "risk" / "risk_summary.xlsx"))
    high = wb.get_sheet_by_name("高リスク").to_python()
    ids = {row[0] for row in high[4:] if row[0]}
    expected = {r.values["risk_id"] for r in forms["B-02"].records
                if isinstance(r.values.get("risk_value"), (int, float)) and r.values["risk_value"] >= 10}
    assert ids == expected and len(ids) > 50
    overdue = wb.get_sheet_by_name("期限超過").to_python()
    due = {str(r.values["plan_id"]) for r in forms["B-03"].records
           if r.values.get("due_on") is not None and r.values["due_on"] < AS_OF and r.values.get("status") not in ("完了", "中止")}
    assert {row[0] for row in overdue[4:] if row[0]} == due and due


# --- the SoA workbook --------------------------------------------------------------------------------


def test_soa_workbook_traceability_is_b02_and_b03s(built):
    _result, out = built
    forms = read_forms(out / "workbooks")
    risks, plans = expected_traceability(forms)
    wb = CalamineWorkbook.from_path(str(out / "soa" / "soa_summary.xlsx"))
    rows = wb.get_sheet_by_name("適用宣言書サマリー").to_python()[4:]
    soa_ids = [str(r.values["control_id"]) for r in forms["A-02"].records]
    assert [row[0] for row in rows] == soa_ids
    for row in rows:
        cid = row[0]
        got_risks = {x for x in str(row[6]).split(", ") if x}
        got_plans = {re.sub(r"（.*）$", "", x) for x in str(row[7]).split(", ") if x}
        assert got_risks == risks.get(cid, set()), cid
        assert got_plans == plans.get(cid, set()), cid
        assert ("リスク対応" in str(row[3])) == bool(risks.get(cid)), cid
    trace = wb.get_sheet_by_name("対応関係").to_python()[4:]
    pairs = {(row[0], row[3]) for row in trace}
    assert pairs == {(c, r) for c, rs in risks.items() if c in soa_ids for r in rs} | \
        {(c, p) for c, ps in plans.items() if c in soa_ids for p in ps}


# --- the index pages ---------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "img" and a.get("src"):
            self.links.append(a["src"])

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("name,words", [
    ("index.html", ("監査パック", "様式と文書管理（§7.5.2）", "承認者（§7.5.2）", "整合性チェック報告書")),
    ("index.en.html", ("ISMS audit pack", "Forms and document control (§7.5.2)", "Required approver", "Consistency report")),
])
def test_index_links_every_file_and_shows_document_control(built, name, words):
    result, out = built
    parser = _Links()
    parser.feed((out / name).read_text(encoding="utf-8"))
    text = "".join(parser.text)
    for w in words:
        assert w in text
    targets = {unquote(h) for h in parser.links if "://" not in h}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert files - {"index.html", "index.en.html", "workbooks/isms_xl.toml"} <= targets
    assert all((out / t).exists() for t in targets), sorted(t for t in targets if not (out / t).exists())
    for form in result.run.forms.values():
        assert str(form.doc.doc_number) in text and str(form.doc.version) in text, form.form_id
    assert text.count("ISMS-B-") >= 27


def test_check_report_links_point_into_the_pack(built):
    _result, out = built
    parser = _Links()
    parser.feed((out / "check" / "check_report.html").read_text(encoding="utf-8"))
    books = {unquote(h.split("#")[0]) for h in parser.links if h.startswith("../workbooks/")}
    assert books and all((out / "check" / b).resolve().is_file() for b in books)
    assert ".isms-xl-tmp" not in (out / "check" / "check_report.html").read_text(encoding="utf-8")



