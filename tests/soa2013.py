"""Test helpers: 2013 Statements of Applicability with chosen decisions, written like the project's
own A-02 (the templates builder, 2013 catalog) so that the migration reads them as users' files."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from isms_xl.catalog import load_catalog
from isms_xl.content import FormContent
from isms_xl.forms import FORMS
from isms_xl.method import DEFAULT_METHOD
from isms_xl.schema import DocControl
from isms_xl.templates.build import build_workbook

STATUSES = ("実施済", "実施中", "未実施")
CONTROLS_2013 = tuple(c.control_id for c in load_catalog("2013").controls)


def random_rows(rng: random.Random) -> list[dict[str, Any]]:
    """One row per 2013 control with a random decision, reasons, status and documents."""
    rows = []
    for cid in CONTROLS_2013:
        applicable = rng.choice(("○", "○", "×"))
        row: dict[str, Any] = {"control_id": cid, "control_name": load_catalog("2013").get(cid).title_ja,
                               "applicable": applicable}
        if applicable == "○":
            row["reason_legal"] = "○" if rng.random() < 0.3 else None
            row["reason_contract"] = "○" if rng.random() < 0.2 else None
            row["reason_other"] = rng.choice(("", "基本方針による", "顧客要求"))
            row["status"] = rng.choice(STATUSES)
            row["documents"] = rng.choice(("", f"ISMS-A-04 {cid[2:]}", "ISMS-A-05"))
        else:
            row["exclusion_reason"] = f"{cid} は該当業務なし"
        rows.append(row)
    return rows


def write_soa_2013(path: Path, rows: list[dict[str, Any]], *, version: str = "1.3") -> Path:
    spec = FORMS["A-02"]
    doc = DocControl(doc_number=spec.doc_number, doc_title=spec.ja, version=version, author="ISMS管理責任者")
    build_workbook([FormContent(spec, doc, rows)], path, DEFAULT_METHOD)
    return path
