"""A demo ISMS folder: the 28 workbooks of a fictional company, filled with realistic records that
are clean except for a documented set of deliberate defects, one or more per rule of
spec/checks.md.

The company, 株式会社サンプルシステムズ, does what the manual's §1 scope names: software contract
development, package software (development, sales, maintenance, deployment support) and hardware
contract development, with about 40 staff in 営業部門, 技術部門 and 管理部門.

Output (``generate_demo``): every form's workbook named ``spec.file_name()``, ``isms_xl.toml``
(Annex A 2022, fiscal year from April, the organisation with every staff member) and
``seeded_defects.json`` listing the defects::

    {"as_of": "2026-11-26", "seed": 20261126,
     "defects": [{"rule": "XREF-001", "severity": "error", "form": "B-02",
                  "workbook": "ISMS-B-02_リスクアセスメント結果表.xlsx", "sheet": "リスクアセスメント結果表",
                  "cell": "B140", "record": "R-139", "description_ja": "…", "description_en": "…"}]}

sorted by rule, form, workbook, sheet, then cell in reading order (row, then column).

Determinism: one ``random.Random(seed)`` drives every choice, and every date is an offset from
``as_of``; the same seed and as-of date give the same records, cells and defect list. Rules with a
time window ("older than 12 months", "past", "after the fiscal year's February") give the same
verdict on the same record whatever the as-of date, except XREF-062, which cannot be shown in the
first month of a fiscal year (no month has elapsed; reported in ``DemoResult.not_seeded``).

Cell convention (the checker reports its findings at the same places):

- a value that is wrong, or a required value that is blank: that cell; in a card form the field's
  value cell, or ``table[k].column`` of an embedded table (B-20 schedule, B-23 findings, B-25
  inputs);
- "X has no Y": the cell of X that names what is missing — the id cell of an asset without risks
  (XREF-003), of a course without a report (XREF-050); a supplier's 初回評価ID (XREF-100) or
  最新継続評価日 (XREF-101); the 評価 cell of a nonconforming checklist item (XREF-113); the 是正ID
  cell of a failed test, a 高 incident or a nonconformity (XREF-041, XREF-071, XREF-114);
- a person on the staff list without a pledge (XREF-090): ``workbook`` "isms_xl.toml",
  ``sheet`` and ``cell`` null, ``record`` the person's name;
- whole-form rules: the header cell of the form's id column when nothing in the form is the place
  (XREF-010 SoA lacks a control, XREF-061 a §9.1 subject without a review); otherwise the record
  concerned — XREF-112: the 年度 cell of that fiscal year's B-20 plan; XREF-130: the 開催日 of the
  latest B-25 review;
- READ-001 (missing column): the first cell of the header row; READ-005 (blank row): the first
  cell of the blank row; READ-009 (extra column): that column's header cell; READ-007/008: the
  document-control value cell (``layout.doc_cell``), on the cover sheet of a card form;
- XREF-004: the リスク対応 cell of the disposed asset's risk row; XREF-011: the SoA's 適用 cell of
  the excluded control (one form selects it, so there is one finding); XREF-060: the B-10
  管理策番号 cell.

Rule by rule, how the clean data keeps each rule silent, and what is seeded: see ``defects``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_xl.config import load_config
from isms_xl.demo.audit import build_audits, number_checklists
from isms_xl.demo.compliance import build_legal_register
from isms_xl.demo.continuity import build_continuity, number_tests
from isms_xl.demo.corrective import number_correctives
from isms_xl.demo.dataset import DemoData, new_data
from isms_xl.demo.dates import Calendar
from isms_xl.demo.defects import NOT_SEEDED, RULES, seed_sources
from isms_xl.demo.defects_soa import seed_soa
from isms_xl.demo.folder import describe, prepare_folder, sort_key, write_config, write_defects, write_workbooks
from isms_xl.demo.incidents import build_incidents, number_incidents
from isms_xl.demo.monitoring import build_monitoring, number_reviews
from isms_xl.demo.org import build_org
from isms_xl.demo.people import build_people, number_pledges
from isms_xl.demo.premises import build_entry_log
from isms_xl.demo.review import build_reviews
from isms_xl.demo.risk_core import build_risk_core, number_risks
from isms_xl.demo.seeds import Seed
from isms_xl.demo.soa import build_soa
from isms_xl.demo.suppliers import build_suppliers, finish_suppliers
from isms_xl.demo.training import build_training

__all__ = ["DEFAULT_SEED", "DemoResult", "generate_demo"]

DEFAULT_SEED = 20261126


@dataclass
class DemoResult:
    folder: Path
    as_of: dt.date
    workbooks: list[Path]
    defects: list[dict[str, Any]]  # as in seeded_defects.json
    counts: dict[str, int]  # records per form
    config: Path
    not_seeded: dict[str, str] = field(default_factory=dict)  # rule -> why it is not shown


def build_dataset(as_of: dt.date, seed: int = DEFAULT_SEED) -> tuple[DemoData, list[Seed], dict[str, str]]:
    """Every form's records with the defects seeded and all references resolved to ids."""
    rng = random.Random(seed)
    cal = Calendar(as_of)
    data = new_data(cal, build_org(rng, cal), rng)
    build_risk_core(data)
    build_legal_register(data)
    build_continuity(data)
    build_training(data)
    build_monitoring(data)
    build_incidents(data)
    build_entry_log(data)
    build_people(data)
    build_suppliers(data)
    build_audits(data)
    build_reviews(data)

    seeds, skipped, targets = seed_sources(data)
    # Ids that follow register order or dates are given once the defects have added their rows.
    number_risks(data)
    number_tests(data)
    number_reviews(data)
    number_incidents(data)
    number_correctives(data)
    number_pledges(data)
    number_checklists(data)
    finish_suppliers(data)
    facts = build_soa(data)
    seeds += seed_soa(data, facts, targets)
    data.resolve_all()
    _drop_internal_keys(data)
    not_seeded = dict(NOT_SEEDED)
    not_seeded.update({rule: f"{ja} / {en}" for rule, ja, en in skipped})
    return data, seeds, not_seeded


def _drop_internal_keys(data: DemoData) -> None:
    for content in data.forms.values():
        for rec in content.records:
            if rec is not None:
                for key in [k for k in rec if k.startswith("_") and k != "_overrides"]:
                    del rec[key]


def generate_demo(out_dir: Path | str, *, as_of: dt.date, seed: int = DEFAULT_SEED, force: bool = False) -> DemoResult:
    """Write the demo folder into ``out_dir`` (created if needed).

    Refuses a folder that is not empty unless ``force``; with ``force`` only the demo's own files
    are overwritten, anything else in the folder is left alone.
    """
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    folder = Path(out_dir)
    prepare_folder(folder, force)
    data, seeds, not_seeded = build_dataset(as_of, seed)
    config = write_config(folder, data.org, as_of)
    method = load_config(folder).method
    results = write_workbooks(folder, data, method)
    defects = sorted((describe(s, data, results, RULES[s.rule]) for s in seeds), key=sort_key)
    write_defects(folder, as_of, seed, defects)
    counts = {form_id: sum(r is not None for r in content.records) for form_id, content in data.forms.items()}
    return DemoResult(folder, as_of, [r.path for r in results.values()], defects, counts, config, not_seeded)
