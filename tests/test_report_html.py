"""The HTML report: escaped, self-contained, every finding with its link and cell, counts, the
pictures equal to what the records say, new / resolved, trend; and a real browser renders it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import struct
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import pytest

from isms_xl.check import CheckRun, find_workbooks
from isms_xl.config import config_from_dict, load_config
from isms_xl.findings import Finding, Severity
from isms_xl.history import finding_key, record_run, trend
from isms_xl.reader import read_workbook
from isms_xl.report import charts
from isms_xl.report.html_report import cell_text, render_html

AS_OF = dt.date(2026, 11, 26)
CHECKED_AT = dt.datetime(2026, 11, 26, 1, 30, tzinfo=dt.timezone.utc)
B02_BOOK = "ISMS-B-02_リスクアセスメント結果表.xlsx"
B02_SHEET = "リスクアセスメント結果表"
XSS_MESSAGE = '<script>alert("x")</script> 対策後レベルがない'
AMP_BOOK = "R&D 部/台帳&一覧 #1.xlsx"  # "&" for escaping, "#" and a space for the link
AMP_SHEET = "Q&A's"
FORMULA_MESSAGE = '=HYPERLINK("http://example.invalid","clickme")'
TEMPLATES = Path(__file__).resolve().parents[1] / "isms_xl" / "report" / "templates"
PAGE_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "Yu Gothic", "Meiryo", "Hiragino Sans")


# --- a check run without the rule set: the demo's forms and hand-made findings --------------------


def extra_findings() -> list[Finding]:
    return [
        Finding("RISK-002", Severity.ERROR, "B-02", B02_BOOK, B02_SHEET, "P50", "R-045",
                "<img src=x onerror=alert(1)>", XSS_MESSAGE, '<script>alert("x")</script> no residual levels'),
        Finding("READ-003", Severity.WARNING, "B-04", AMP_BOOK, AMP_SHEET, "B7", "L-01", "A & B",
                "値「A & B」が読めません", "cannot read 'A & B'"),
        Finding("READ-002", Severity.ERROR, "B-03", "ISMS-B-03_リスク対応計画書.xlsx", "リスク対応計画書", "C12",
                "=1+1", "=cmd|' /C calc'!A0", FORMULA_MESSAGE, FORMULA_MESSAGE),
        Finding("SUPP-001", Severity.WARNING, None, "isms_xl_suppressions.toml", None, None, None, None,
                "抑止の期限が切れています", "a suppression has expired"),
    ]


def demo_run(folder: Path, extra: list[Finding] | None = None, config=None) -> CheckRun:
    """The demo folder's forms as read, and its seeded defects as the findings (plus ``extra``)."""
    config = config if config is not None else load_config(folder)
    forms = {}
    for path in find_workbooks(folder):
        for form in read_workbook(path, config):
            forms.setdefault(form.form_id, form)
    seeded = json.loads((folder / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]
    findings = [Finding(d["rule"], Severity(d["severity"]), d["form"], d["workbook"], d["sheet"], d["cell"],
                        d["record"], None, d["description_ja"], d["description_en"]) for d in seeded]
    return CheckRun(folder, AS_OF, CHECKED_AT, config, forms, findings + list(extra or []))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    # A space and Japanese in the folder name: links must survive both.
    folder = tmp_path_factory.mktemp("isms") / "ISMS 記録"
    generate_demo(folder, as_of=AS_OF)
    return folder


@pytest.fixture(scope="module")
def run(demo) -> CheckRun:
    return demo_run(demo, extra_findings())


@pytest.fixture(scope="module")
def page(run, demo) -> tuple[str, Path]:
    out = demo.parent / "reports" / "nightly.html"
    return render_html(run, None, None, out_path=out), out


# --- a small DOM for assertions --------------------------------------------------------------------

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == element_id]
        assert len(found) == 1, f"expected one #{element_id}, found {len(found)}"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def heat_cells(dom: Node, element_id: str) -> dict[tuple[int, int, int], Node]:
    svg = dom.by_id(element_id)
    return {(int(g.attrs["data-impact"]), int(g.attrs["data-threat"]), int(g.attrs["data-vulnerability"])): g
            for g in svg.find_all("g", cls="hm-cell")}


def expected_heat(records, residual: bool) -> Counter:
    """Written out again here, plainly, so the test does not trust charts.risk_heatmap."""
    counts: Counter = Counter()
    for r in records:
        v = r.values
        i, t, u = v.get("impact"), v.get("threat_level"), v.get("vulnerability_level")
        if residual and v.get("treatment") == "低減":
            i = v.get("residual_impact") if v.get("residual_impact") is not None else i
            t, u = v.get("residual_threat_level"), v.get("residual_vulnerability_level")
        if all(x in (1, 2, 3) for x in (i, t, u)):
            counts[(i, t, u)] += 1
    return counts


# --- escaping and self-containment -----------------------------------------------------------------


def test_workbook_text_is_escaped(page):
    html, _ = page
    assert "<script" not in html.lower()  # the report has no script; the finding's is escaped
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 対策後レベルがない" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # Every "&" in the source starts an entity: nothing from a workbook arrives unescaped.
    assert not re.search(r"&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)", html)
    dom = parse(html)
    row = next(r for r in dom.find_all("tr", cls="finding") if r.attrs["data-rule"] == "READ-003"
               and "A &amp; B" in html and "L-01" in r.text())
    assert "値「A & B」が読めません" in row.text()
    assert row.find_all("code")[0].text() == "'Q&A''s'!B7"  # quoted as Excel quotes it
    assert row.find_all("a")[0].text() == "台帳&一覧 #1.xlsx"


def test_templates_never_mark_text_safe():
    for path in TEMPLATES.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", text), f"{path.name} marks something safe"
        assert "autoescape false" not in text


def test_page_is_self_contained_and_names_japanese_fonts(page):
    html, _ = page
    assert re.search(r'<html lang="ja">', html)
    dom = parse(html)
    nodes = list(dom.iter())
    assert not [n.tag for n in nodes if n.tag in ("script", "link", "iframe", "object", "embed", "img", "image")]
    assert not [n for n in nodes if "src" in n.attrs or "srcset" in n.attrs or "xlink:href" in n.attrs]
    hrefs = [n.attrs["href"] for n in nodes if "href" in n.attrs]
    assert hrefs and not [h for h in hrefs if re.match(r"[a-z][a-z0-9+.-]*://", h) and not h.startswith("file:")]
    style = "".join(n.text() for n in dom.find_all("style"))
    assert "url(" not in style and "@import" not in style
    fetched = {v for n in nodes for k, v in n.attrs.items() if v and "://" in v and k != "xmlns"}
    assert not fetched
    fonts = re.search(r"font-family:\s*([^;]+);", html).group(1)
    assert [f.strip().strip('"') for f in fonts.split(",")] == [*PAGE_FONTS, "sans-serif"]


def test_rejects_an_unknown_language(run):
    with pytest.raises(ValueError, match="ja, en"):
        render_html(run, lang="fr")


# --- findings, links, counts ---------------------------------------------------------------------


def test_every_finding_appears_once_with_its_link_and_cell(page, run, demo):
    html, out = page
    dom = parse(html)
    rows = dom.by_id("findings").find_all("tr", cls="finding")
    assert len(rows) == len(run.findings)
    by_key = Counter(r.attrs["data-key"] for r in rows)
    for f in run.findings:
        key = finding_key(f)
        assert by_key[key] == 1, f
        row = next(r for r in rows if r.attrs["data-key"] == key)
        assert f.message_ja in row.text()
        assert row.attrs["data-rule"] == f.rule and row.attrs["data-severity"] == f.severity.value
        link = row.find_all("a")[0]
        href = link.attrs["href"]
        path, _, fragment = href.partition("#")
        assert unquote(path) == os.path.relpath(demo / f.workbook, out.parent).replace(os.sep, "/")
        # The browser resolves the link against the report's own file: URL to the workbook itself.
        resolved = Path(url2pathname(urlsplit(urljoin(out.resolve().as_uri(), href)).path))
        assert resolved == (demo / f.workbook).resolve()
        if f.sheet and f.cell:
            assert unquote(fragment) == "'" + f.sheet.replace("'", "''") + "'!" + f.cell
            assert row.find_all("code", cls="where")[0].text() == cell_text(f.sheet, f.cell)
            assert f.cell in cell_text(f.sheet, f.cell) and f.sheet.replace("'", "''") in cell_text(f.sheet, f.cell)
        else:
            assert fragment == "" and not row.find_all("code")
    # The links of the demo's own findings point at workbooks that exist.
    for f in run.findings[:-4]:
        if f.workbook.endswith(".xlsx"):
            assert (demo / f.workbook).exists()


def test_findings_are_grouped_by_form_then_rule(page, run):
    dom = parse(page[0])
    groups = dom.by_id("findings").find_all("details", cls="form-group")
    forms = [g.attrs["data-form"] for g in groups]
    assert forms == sorted({f.form for f in run.findings if f.form}, key=lambda x: (x[0], int(x[2:]))) + [""]
    b02 = next(g for g in groups if g.attrs["data-form"] == "B-02")
    rules = [tb.attrs["data-rule"] for tb in b02.find_all("tbody", cls="rule")]
    assert rules == sorted(set(rules), key=lambda r: ({"READ": 0, "CALC": 1, "RISK": 2, "XREF": 3}[r[:4]], r))
    risk_002 = next(tb for tb in b02.find_all("tbody", cls="rule") if tb.attrs["data-rule"] == "RISK-002")
    assert len(risk_002.find_all("tr", cls="finding")) == 2  # the seeded one and the hand-made one
    assert "様式なし" in groups[-1].find_all("summary")[0].text()


def test_counts_by_severity_and_by_form(page, run):
    dom = parse(page[0])
    summary = run.summary()
    cards = {c.attrs["data-severity"]: int(c.attrs["data-count"]) for c in dom.find_all("div", cls="card")
             if "data-severity" in c.attrs}
    assert cards == summary and sum(summary.values()) == len(run.findings)
    table = dom.by_id("by-form")
    expected = Counter((f.form or "", f.severity.value) for f in run.findings)
    for tr in table.find_all("tr"):
        if "data-form" not in tr.attrs:
            continue
        for td in tr.find_all("td"):
            if "data-severity" in td.attrs:
                assert int(td.text() or 0) == expected[(tr.attrs["data-form"], td.attrs["data-severity"])]
    total_row = table.find_all("tr", cls="total")[0]
    assert [td.text() for td in total_row.find_all("td", cls="num")] == [
        str(summary["error"]), str(summary["warning"]), str(summary["info"]), str(len(run.findings))]


# --- pictures --------------------------------------------------------------------------------------


def test_heat_map_counts_equal_the_b02_records(page, run):
    dom = parse(page[0])
    records = run.forms["B-02"].records
    method = run.config.method
    for element_id, residual in (("heatmap-inherent", False), ("heatmap-residual", True)):
        cells = heat_cells(dom, element_id)
        assert len(cells) == 27
        expected = expected_heat(records, residual)
        assert {k: int(g.attrs["data-count"]) for k, g in cells.items()} == {
            (i, t, v): expected[(i, t, v)] for i in (1, 2, 3) for t in (1, 2, 3) for v in (1, 2, 3)}
        for (i, t, v), g in cells.items():
            band = method.band(method.risk_value(i, t, v))
            assert g.attrs["data-band"] == band.key
            assert g.find_all("rect")[0].attrs["fill"] == "#" + band.fill
            shown = [n.text() for n in g.find_all("text", cls="hm-count")]
            assert shown == ([str(expected[(i, t, v)])] if expected[(i, t, v)] else [])
    inherent = expected_heat(records, False)
    residual = expected_heat(records, True)
    assert inherent != residual  # the demo treats risks, so the two maps must differ
    assert sum(inherent.values()) == len(records)
    # The seeded RISK-002 row (低減 without residual levels) cannot be placed on the residual map.
    assert sum(residual.values()) == len(records) - 1
    bands = {tr.attrs["data-band"]: [td.text() for td in tr.find_all("td", cls="num")]
             for tr in dom.by_id("band-counts").find_all("tr") if "data-band" in tr.attrs}
    for key in ("accept", "acceptable", "treat"):
        want = [sum(n for (i, t, v), n in counter.items() if method.band(method.risk_value(i, t, v)).key == key)
                for counter in (inherent, residual)]
        assert [int(x) for x in bands[key][1:]] == want


def test_residual_levels_rule():
    records = [
        {"impact": 3, "threat_level": 3, "vulnerability_level": 2, "treatment": "低減",
         "residual_impact": None, "residual_threat_level": 1, "residual_vulnerability_level": 1},
        {"impact": 3, "threat_level": 3, "vulnerability_level": 2, "treatment": "低減",
         "residual_impact": 2, "residual_threat_level": 2, "residual_vulnerability_level": 1},
        {"impact": 2, "threat_level": 2, "vulnerability_level": 2, "treatment": "受容",
         "residual_impact": 1, "residual_threat_level": 1, "residual_vulnerability_level": 1},
        {"impact": 2, "threat_level": 1, "vulnerability_level": 1, "treatment": "低減",
         "residual_impact": None, "residual_threat_level": None, "residual_vulnerability_level": None},
        {"impact": 4, "threat_level": 1, "vulnerability_level": 1, "treatment": "受容"},
        {"impact": True, "threat_level": 1, "vulnerability_level": 1, "treatment": "受容"},
    ]
    before = charts.risk_heatmap(records)
    after = charts.risk_heatmap(records, residual=True)
    assert before.cell(3, 3, 2) == 2 and before.cell(2, 2, 2) == 1 and before.cell(2, 1, 1) == 1
    assert before.unplaced == 2 and before.placed == 4
    # blank residual impact → the impact; 受容 keeps its assessed levels; 低減 without levels → unplaced
    assert after.cell(3, 1, 1) == 1 and after.cell(2, 2, 1) == 1 and after.cell(2, 2, 2) == 1
    assert after.unplaced == 3 and after.placed == 3


def test_plan_progress_equals_the_b03_records(page, run):
    dom = parse(page[0])
    records = run.forms["B-03"].records
    statuses = Counter(r.values.get("status") for r in records)
    overdue = sum(1 for r in records if r.values.get("due_on") and r.values["due_on"] < AS_OF
                  and r.values.get("status") not in ("完了", "中止"))
    parts = {g.attrs["data-status"]: int(g.attrs["data-count"]) for g in dom.by_id("plan-progress").find_all("g")}
    assert parts == {s: statuses[s] for s in ("未着手", "実施中", "完了", "中止")}
    assert overdue >= 1  # the demo seeds RISK-009
    assert int(dom.by_id("plans-overdue").attrs["data-count"]) == overdue
    widths = {g.attrs["data-status"]: float(g.find_all("rect")[0].attrs["width"])
              for g in dom.by_id("plan-progress").find_all("g")}
    assert widths["実施中"] == pytest.approx(640 * statuses["実施中"] / len(records), abs=0.01)


def test_missing_b02_and_b03_say_so(demo):
    bare = demo_run(demo)
    bare.forms = {k: v for k, v in bare.forms.items() if k not in ("B-02", "B-03")}
    dom = parse(render_html(bare))
    assert "B-02 リスクアセスメント結果表がフォルダにない" in dom.by_id("no-heatmap").text()
    assert dom.by_id("no-progress") and dom.by_id("no-trend")
    assert "B-02 リスクアセスメント結果表" in dom.by_id("missing-forms").text()


def test_colours_follow_the_configured_bands(demo):
    config = config_from_dict({"method": {"colours": {"treat": {"fill": "FF0000", "font": "FFFFFF"},
                                                      "accept": {"fill": "#00ff00; background:url(x)"}}}})
    html = render_html(demo_run(demo, config=config))
    assert ".sev-error { background: #FF0000; color: #FFFFFF; }" in html
    cells = heat_cells(parse(html), "heatmap-inherent")
    assert cells[(3, 3, 3)].find_all("rect")[0].attrs["fill"] == "#FF0000"
    assert cells[(1, 1, 1)].find_all("rect")[0].attrs["fill"] == "#D9D9D9"  # not a colour: grey, not CSS
    assert "url(x)" not in html


# --- history: new, resolved, trend -----------------------------------------------------------------


def test_new_and_resolved_since_the_previous_run(run, tmp_path):
    db = tmp_path / "history.sqlite"
    gone = Finding("XREF-003", Severity.ERROR, "B-01", "ISMS-B-01_情報資産台帳.xlsx", "情報資産台帳", "A99", "A-094",
                   None, "解消した <指摘>", "resolved")
    earlier = [f for f in run.findings[3:]] + [gone]
    first = record_run(db, earlier, checked_at="2026-11-25T01:00:00+00:00", today="2026-11-25", version="t")
    delta = record_run(db, run.findings, checked_at="2026-11-26T01:00:00+00:00", today="2026-11-26", version="t")
    assert len(delta.new) == 3 and len(delta.resolved) == 1
    dom = parse(render_html(run, delta, trend(db)))
    new_rows = dom.by_id("new-findings").find_all("tr", cls="change")
    assert {r.attrs["data-key"] for r in new_rows} == {finding_key(f) for f in delta.new}
    resolved_rows = dom.by_id("resolved-findings").find_all("tr", cls="change")
    assert [r.attrs["data-key"] for r in resolved_rows] == [finding_key(gone)]
    assert "解消した <指摘>" in resolved_rows[0].text()
    assert int(dom.by_id("count-new").attrs["data-count"]) == 3
    assert int(dom.by_id("count-resolved").attrs["data-count"]) == 1
    flagged = {r.attrs["data-key"] for r in dom.find_all("tr", cls="finding") if r.attrs.get("data-new") == "1"}
    assert flagged == {finding_key(f) for f in delta.new}
    for r in dom.find_all("tr", cls="finding"):
        assert r.find_all("td")[-1].text() == ("2026-11-26" if r.attrs["data-key"] in flagged else "2026-11-25")
    # The first recorded run has nothing to compare with; no history at all says so too.
    first_page = render_html(run, first, trend(db))
    assert "初めて記録した実行です" in first_page and 'id="new-findings"' not in first_page
    assert "履歴を記録していないため" in render_html(run, None, None)


def test_trend_has_one_column_per_run_in_proportion(run, tmp_path):
    db = tmp_path / "history.sqlite"
    for day, n in ((20, 10), (21, 40), (22, 25)):
        record_run(db, run.findings[:n], checked_at=f"2026-11-{day}T01:00:00+00:00", today=f"2026-11-{day}",
                   version="t")
    runs = trend(db)
    dom = parse(render_html(run, None, runs))
    columns = dom.by_id("trend").find_all("g", cls="tr-run")
    assert [g.attrs["data-date"] for g in columns] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    for g, r in zip(columns, runs):
        assert {s: int(g.attrs[f"data-{s}"]) for s in ("error", "warning", "info")} == {
            s: r[s] for s in ("error", "warning", "info")}
    heights = [sum(float(rect.attrs["height"]) for rect in g.find_all("rect")) for g in columns]
    assert heights[1] / heights[0] == pytest.approx(40 / 10, rel=1e-3)
    assert heights[2] / heights[0] == pytest.approx(25 / 10, rel=1e-3)
    one = render_html(run, None, runs[:1])
    assert "記録された実行が 1 回だけです" in one


# --- English ---------------------------------------------------------------------------------------


def test_english_version(run, demo):
    html = render_html(run, None, None, lang="en")
    dom = parse(html)
    assert '<html lang="en">' in html
    headings = [h.text() for h in dom.find_all("h2")]
    assert headings == ["Summary", "At a glance", "Since the previous run", "Findings by form and rule"]
    assert "Inherent risk (before treatment)" in html and "Risk assessment results" in html
    assert "指摘事項" not in html and "リスクの分布" not in html and "エラー" not in html
    seeded = next(f for f in run.findings if f.rule == "XREF-001")
    assert seeded.message_en in html and seeded.message_ja not in html


def test_writes_the_page_to_out_path(run, tmp_path):
    out = tmp_path / "deep" / "report.html"
    html = render_html(run, out_path=out)
    assert out.read_text(encoding="utf-8") == html
    first = run.findings[0]
    row = next(r for r in parse(html).find_all("tr", cls="finding") if r.attrs["data-key"] == finding_key(first))
    href = row.find_all("a")[0].attrs["href"]
    assert unquote(href.split("#")[0]) == os.path.relpath(run.folder / first.workbook, out.parent)


# --- a real browser --------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (apt-get install chromium)")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _pixel_stats(tmp_path: Path, png: bytes) -> dict:
    """Decode the screenshot in the browser (a canvas; no imaging library needed): how many pixels
    are not white, and how many wear each band colour of the heat map."""
    probe = tmp_path / "probe.html"
    probe.write_text(f"""<!DOCTYPE html><html><body><img id="s" src="data:image/png;base64,{base64.b64encode(png).decode()}">
<script>
window.addEventListener('load', function () {{
  var img = document.getElementById('s'), c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  var g = c.getContext('2d'); g.drawImage(img, 0, 0);
  var d = g.getImageData(0, 0, c.width, c.height).data, counts = {{}}, nonwhite = 0;
  for (var i = 0; i < d.length; i += 4) {{
    var hex = ((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]).toString(16).padStart(6, '0').toUpperCase();
    if (hex !== 'FFFFFF') nonwhite++;
    counts[hex] = (counts[hex] || 0) + 1;
  }}
  var out = document.createElement('pre'); out.id = 'stats';
  out.textContent = JSON.stringify({{width: c.width, height: c.height, nonwhite: nonwhite, counts: counts}});
  document.body.appendChild(out); img.remove();
}});
</script></body></html>""", encoding="utf-8")
    result = _chromium(tmp_path, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="stats">(.*?)</pre>', result.stdout, re.S)
    assert found, f"the probe page did not report: {result.stderr[-2000:]}"
    return json.loads(found.group(1))


def _japanese_font_named_by_the_page() -> str:
    """A font the page names that fontconfig has and that covers Japanese, or fail saying what to install."""
    if not shutil.which("fc-list"):
        pytest.fail("fontconfig (fc-list) is missing: cannot tell whether Japanese text can be shaped")
    japanese = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout
    families = {name.strip() for line in japanese.splitlines() for name in line.split(",")}
    named = [f for f in PAGE_FONTS if f in families]
    matched = subprocess.run(["fc-match", "-f", "%{family}", "Noto Sans CJK JP"], capture_output=True, text=True).stdout
    if not named:
        pytest.fail("No Japanese font the report names is installed "
                    f"({', '.join(PAGE_FONTS)}); fc-match 'Noto Sans CJK JP' gives {matched!r}. "
                    "Install one: apt-get install fonts-noto-cjk")
    return named[0]


@needs_chromium
@pytest.mark.slow
def test_chromium_renders_the_report(run, demo, tmp_path):
    font = _japanese_font_named_by_the_page()
    assert font in PAGE_FONTS
    out = demo.parent / "reports-browser" / "report.html"
    render_html(run, None, [{"run": 1, "today": "2026-11-25", "error": 30, "warning": 20, "info": 3},
                            {"run": 2, "today": "2026-11-26", **run.summary()}], out_path=out)
    png = tmp_path / "report.png"
    shot = _chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", out.as_uri())
    assert png.exists(), f"chromium wrote no screenshot (exit {shot.returncode}): {shot.stderr[-2000:]}"
    data = png.read_bytes()
    assert _png_size(data) == (1280, 2000)
    stats = _pixel_stats(tmp_path, data)
    assert (stats["width"], stats["height"]) == (1280, 2000)
    assert stats["nonwhite"] > 0.05 * 1280 * 2000, "the screenshot is (nearly) blank"
    assert len(stats["counts"]) > 50, "the screenshot has hardly any colours: nothing rendered"
    for band in run.config.method.bands:  # the heat maps' cells, in their band colours, are on screen
        assert stats["counts"].get(band.fill, 0) > 1000, f"no {band.key} ({band.fill}) cells visible"

    dom_dump = _chromium(tmp_path, "--dump-dom", out.as_uri())
    assert dom_dump.returncode == 0, dom_dump.stderr[-2000:]
    dom = parse(dom_dump.stdout)
    assert dom.find_all("html")[0].attrs.get("lang") == "ja"
    for element_id in ("heatmap-inherent", "heatmap-residual"):
        assert len(heat_cells(dom, element_id)) == 27
    assert dom.by_id("plan-progress") and dom.by_id("trend")
    assert len(dom.by_id("findings").find_all("tr", cls="finding")) == len(run.findings)
    assert "リスクアセスメント結果表" in dom.by_id("findings").text()


def test_a_real_check_run_renders_with_rule_titles(demo, tmp_path):
    from isms_xl.check import check_folder
    from isms_xl.rules.registry import RULES

    try:
        real = check_folder(demo, today=AS_OF)
    except ImportError as exc:  # the rule modules are written separately; the rest of this file does not need them
        pytest.skip(f"the rule set does not import yet: {exc}")
    assert real.findings
    dom = parse(render_html(real, None, None, out_path=tmp_path / "report.html"))
    rows = dom.by_id("findings").find_all("tr", cls="finding")
    assert Counter(r.attrs["data-key"] for r in rows) == Counter(finding_key(f) for f in real.findings)
    for body in dom.by_id("findings").find_all("tbody", cls="rule"):
        rule = RULES.get(body.attrs["data-rule"])
        if rule is not None:
            assert rule.title_ja in body.find_all("th", cls="rule-head")[0].text()


def test_suppressed_findings_and_unreadable_workbooks_are_listed(demo):
    from isms_xl.check import Problem
    from isms_xl.suppress import Suppression

    hidden = Finding("XREF-003", Severity.ERROR, "B-01", "ISMS-B-01_情報資産台帳.xlsx", "情報資産台帳", "A23", "A-018",
                     None, "使用中の資産にリスクがない", "asset in use without risks")
    bare = demo_run(demo)
    bare.suppressed = [(hidden, Suppression("XREF-003", "A-018", None, "<b>廃棄予定</b> & 棚卸し待ち",
                                            dt.date(2027, 3, 31), 1))]
    bare.problems = [Problem("壊れた<ブック>.xlsx", "unreadable", "開けません: <zip>", "cannot open: <zip>", 3)]
    html = render_html(bare)
    dom = parse(html)
    rows = dom.by_id("suppressed").find_all("tr", cls="suppressed")
    assert len(rows) == 1 and "<b>廃棄予定</b> & 棚卸し待ち" in rows[0].text() and "2027-03-31" in rows[0].text()
    assert "&lt;b&gt;廃棄予定&lt;/b&gt; &amp; 棚卸し待ち" in html
    assert int(dom.by_id("count-suppressed").attrs["data-count"]) == 1
    problem = dom.by_id("problems").find_all("tbody")[0].text()
    assert "壊れた<ブック>.xlsx" in problem and "読めない" in problem and "開けません: <zip>" in problem
