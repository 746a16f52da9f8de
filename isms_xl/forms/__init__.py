"""The registry of the 28 forms: A-02 and B-01 … B-27, each declared once in its own module."""

from __future__ import annotations

import re
import unicodedata
from importlib import import_module

from isms_xl.schema import FormSpec

# Module per form, in document-number order. Adding a form is one module and one line here.
_MODULES = (
    "a02_soa",
    "b01_asset_register",
    "b02_risk_assessment",
    "b03_treatment_plan",
    "b04_legal_register",
    "b05_bc_risk_assessment",
    "b06_bc_plan",
    "b07_bcp_test_records",
    "b08_training_plan",
    "b09_training_report",
    "b10_control_measurement",
    "b11_effectiveness_review",
    "b12_incident_report",
    "b13_event_log",
    "b14_entry_log",
    "b15_confidentiality_pledge",
    "b16_personal_data_consent",
    "b17_new_supplier_evaluation",
    "b18_supplier_review",
    "b19_supplier_register",
    "b20_audit_plan",
    "b21_auditor_register",
    "b22_audit_checklist",
    "b23_audit_report",
    "b24_corrective_action",
    "b25_management_review",
    "b26_security_objectives",
    "b27_risk_list",
)


def _load() -> dict[str, FormSpec]:
    forms: dict[str, FormSpec] = {}
    for name in _MODULES:
        spec: FormSpec = import_module(f"{__name__}.{name}").SPEC
        if spec.form_id in forms:
            raise RuntimeError(f"form {spec.form_id} declared twice ({name})")
        forms[spec.form_id] = spec
    return forms


FORMS: dict[str, FormSpec] = _load()

# "ISMS-B-02", "B02", "b-2" — but not the "a02" inside "array_formula02": a letter or digit may
# not come right before the form letter.
_FORM_ID = re.compile(r"(?:(?<![A-Za-z0-9])ISMS\s*[-_ ]?\s*|(?<![A-Za-z0-9]))([AB])\s*[-_ ]?\s*(\d{1,2})(?!\d)",
                      re.IGNORECASE)


def parse_form_id(text: str) -> str | None:
    """"B-02" from "ISMS-B-02", "B02", "b-2", "ＩＳＭＳ－Ｂ－０２" …; None when it names no known form."""
    m = _FORM_ID.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    form_id = f"{m.group(1).upper()}-{int(m.group(2)):02d}"
    return form_id if form_id in FORMS else None


def get_form(form_id: str) -> FormSpec:
    parsed = parse_form_id(form_id)
    if parsed is None:
        raise KeyError(f"unknown form {form_id!r}; known forms: {', '.join(FORMS)}")
    return FORMS[parsed]
