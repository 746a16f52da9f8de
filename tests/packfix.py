"""Shared by the audit-pack tests: one demo folder and one pack per test process (building a pack
runs LibreOffice and Chromium), and helpers that compute what the pack should say from the
workbooks themselves, independently of isms_xl.pack."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from isms_xl.check import find_workbooks
from isms_xl.config import load_config
from isms_xl.office.libreoffice import find_soffice
from isms_xl.pack.pdf import find_chromium
from isms_xl.reader import read_workbook

AS_OF = dt.date(2026, 11, 26)
needs_renderers = pytest.mark.skipif(find_soffice() is None or find_chromium() is None,
                                     reason="needs LibreOffice (soffice) and Chromium")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                                   reason="needs poppler-utils (pdftoppm, pdftotext)")


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def read_forms(folder: Path) -> dict:
    config = load_config(folder)
    forms = {}
    for path in find_workbooks(folder):
        for form in read_workbook(path, config):
            forms.setdefault(form.form_id, form)
    return forms


def as_tuple(value) -> tuple:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def expected_traceability(forms: dict) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """control -> risk ids, control -> plan ids, straight from B-02 and B-03: a risk selects a
    control when its row lists it, or when a plan for that risk lists it; a plan selects the
    controls it lists."""
    risks: dict[str, set[str]] = {}
    plans: dict[str, set[str]] = {}
    b02_ids = {r.values["risk_id"] for r in forms["B-02"].records if r.values.get("risk_id") is not None}
    for r in forms["B-02"].records:
        if r.values.get("risk_id") is None:
            continue
        for c in as_tuple(r.values.get("controls")):
            risks.setdefault(c, set()).add(r.values["risk_id"])
    for p in forms["B-03"].records:
        for c in as_tuple(p.values.get("controls")):
            if p.values.get("plan_id") is not None:
                plans.setdefault(c, set()).add(str(p.values["plan_id"]))
            for rid in as_tuple(p.values.get("risk_ids")):
                if rid in b02_ids:
                    risks.setdefault(c, set()).add(rid)
    return risks, plans


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory) -> Path:
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("pack-src") / "ISMS 記録"  # a space and Japanese in the path
    generate_demo(folder, as_of=AS_OF)
    return folder


@pytest.fixture(scope="session")
def source_hashes(demo_folder) -> dict[str, str]:
    return tree_hashes(demo_folder)


@pytest.fixture(scope="session")
def built(demo_folder, source_hashes, tmp_path_factory):
    """(PackResult, pack folder) of the demo folder."""
    from isms_xl.pack import build_pack

    if find_soffice() is None or find_chromium() is None:
        pytest.skip("needs LibreOffice (soffice) and Chromium")
    out = tmp_path_factory.mktemp("pack-out") / "監査パック 2026"
    result = build_pack(demo_folder, out, as_of=AS_OF)
    return result, out
