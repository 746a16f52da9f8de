"""Blank form workbooks generated from the form declarations (``isms-xl templates``)."""

from __future__ import annotations

from pathlib import Path

from isms_xl.catalog import load_catalog
from isms_xl.content import FormContent
from isms_xl.forms import FORMS
from isms_xl.method import DEFAULT_METHOD, Method
from isms_xl.schema import DocControl, FormSpec, Layout
from isms_xl.templates.build import BuildResult, build_workbook

__all__ = ["template_content", "write_template", "write_templates", "write_committed_templates", "build_workbook",
           "BuildResult"]

TEMPLATE_ROWS = 50  # blank rows with live formulas, so a new user can start typing at once


def template_content(spec: FormSpec, annex: str = "2022", lang: str = "ja") -> FormContent:
    doc = DocControl(doc_number=spec.doc_number, doc_title=spec.name(lang), version="1.0", author=spec.drafter)
    records: list = []
    spare = TEMPLATE_ROWS if spec.layout is Layout.TABLE else 0
    if spec.form_id == "A-02":
        # The SoA lists every control of the configured Annex A version, once, in catalog order.
        records = [{"control_id": c.control_id, "control_name": c.title(lang)} for c in load_catalog(annex).controls]
        spare = 0
    return FormContent(spec, doc, records, spare_rows=spare, lang=lang)


def write_template(spec: FormSpec, out_dir: Path, annex: str = "2022", lang: str = "ja",
                   method: Method = DEFAULT_METHOD) -> Path:
    path = Path(out_dir) / spec.file_name(lang)
    build_workbook([template_content(spec, annex, lang)], path, method)
    return path


def write_templates(out_dir: Path | str, annex: str = "2022", lang: str = "ja",
                    method: Method = DEFAULT_METHOD) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [write_template(spec, out, annex, lang, method) for spec in FORMS.values()]


# What workbook_templates/ holds: (sub-folder, Annex A version, language, forms or None for all).
COMMITTED_SETS: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("", "2022", "ja", None),
    ("en", "2022", "en", None),
    ("annex2013", "2013", "ja", ("A-02",)),
)


def write_committed_templates(root: Path | str) -> list[Path]:
    """Everything under workbook_templates/, regenerated (scripts/build_templates.py, and the test
    that compares the committed copies with fresh ones)."""
    paths: list[Path] = []
    for sub, annex, lang, only in COMMITTED_SETS:
        out = Path(root) / sub
        out.mkdir(parents=True, exist_ok=True)
        for spec in FORMS.values():
            if only is None or spec.form_id in only:
                paths.append(write_template(spec, out, annex, lang))
    return paths
