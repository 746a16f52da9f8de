"""The built-in rules of checks.md: importing each module registers its rules."""

from importlib import import_module

MODULES = (
    "reading",  # READ-001 … 009
    "computed",  # CALC-001 … 003
    "risk",  # RISK-001 … 010
    "xref_risk",  # XREF-001 … 007
    "xref_soa",  # XREF-010 … 016
    "xref_context",  # XREF-020, 021, 030, 031
    "xref_continuity",  # XREF-040, 041
    "xref_training",  # XREF-050, 051
    "xref_monitoring",  # XREF-060 … 062
    "xref_incidents",  # XREF-070 … 072
    "xref_premises",  # XREF-080, 081
    "xref_people",  # XREF-090
    "xref_suppliers",  # XREF-100 … 103
    "xref_audit",  # XREF-110 … 114
    "xref_corrective",  # XREF-120, 121
    "xref_review",  # XREF-130, 131
)

for _name in MODULES:
    import_module(f"isms_xl.rules.{_name}")
