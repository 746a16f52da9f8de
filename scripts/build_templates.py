"""Regenerate the committed blank templates in workbook_templates/ (a test fails when they differ)."""

from pathlib import Path

from isms_xl.templates import write_committed_templates

ROOT = Path(__file__).resolve().parent.parent / "workbook_templates"

if __name__ == "__main__":
    paths = write_committed_templates(ROOT)
    print(f"{len(paths)} templates written under {ROOT}")
