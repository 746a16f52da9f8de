"""Test helpers: registers and SoAs in layouts of other organisations, written with openpyxl the
way people lay them out (title rows, English ISO27k-style headers, grouped two-row headers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def write_sheet(path: Path, title: str, headers: list[list[Any]], rows: list[list[Any]], *, sheet: str = "Sheet1",
                merges: list[str] = (), top: int = 3) -> Path:
    """``headers``: one or two header rows starting at Excel row ``top``; then ``rows``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.cell(1, 1, title)
    r = top
    for line in headers + rows:
        for c, value in enumerate(line, start=1):
            if value is not None:
                ws.cell(r, c, value)
        r += 1
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


# An English asset register (ISO27k toolkit style): categories in English, no department column.
ISO27K_ASSETS_HEADERS = [["Asset ID", "Asset", "Type", "Owner", "Business unit", "Location",
                          "Confidentiality", "Integrity", "Availability", "Remarks"]]
ISO27K_ASSETS = [
    ["IA-001", "Customer database", "Data", "Sato", "Sales", "AWS Tokyo", 3, 3, 2, "PII"],
    ["IA-002", "File server", "Hardware", "Suzuki", "IT", "Server room", 2, 2, 3, None],
    ["IA-003", "Payroll files", "Paper", "Tanaka", "Admin", "Cabinet 2F", 3, 2, 1, "locked"],
    ["IA-004", "Office 365", "Service", "Suzuki", "IT", "Cloud", 2, 2, 2, None],
]
ISO27K_CATEGORIES = {"Data": "電子データ", "Hardware": "ハードウェア", "Paper": "紙媒体", "Service": "サービス"}

# An English SoA (ISO27k toolkit style): both "Ref" and "Control" name the control id.
ISO27K_SOA_HEADERS = [["Ref", "Control", "Applicable", "Justification", "Status", "Documents"]]

# Another Japanese risk register with a 1–5 scale and its own risk score.
JP_RISK_HEADERS = [["No.", "資産番号", "資産名", "脅威の内容", "脅威の大きさ", "脆弱性の内容", "脆弱性の大きさ",
                    "影響度", "リスク値", "対応方針", "管理策番号", "リスクオーナー", "備考"]]
JP_RISKS = [
    ["R-01", "IA-001", "顧客DB", "不正アクセス", 4, "パスワードの使い回し", 5, 5, 100, "低減", "5.17、8.5", "佐藤", None],
    ["R-02", "IA-002", "ファイルサーバ", "故障", 2, "保守契約なし", 3, 3, 18, "保有", None, "鈴木", "予備機あり"],
    ["R-03", "IA-003", "給与ファイル", "紛失", 1, "施錠管理の不徹底", 2, 4, 12, "低減", "7.10", "田中", None],
]
LEVELS_1_TO_5 = {"1": 1, "2": 1, "3": 2, "4": 3, "5": 3}

# A Japanese asset register with grouped two-row headers (評価 over 機密性 / 完全性 / 可用性).
GROUPED_ASSETS_HEADERS = [
    ["資産番号", "資産名", "分類", "管理部門", "管理責任者", "評価", None, None, "保管場所", "独自メモ"],
    [None, None, None, None, None, "機密性", "完全性", "可用性", None, None],
]
GROUPED_TOP = 4  # the merges below are for header rows 4 and 5
GROUPED_MERGES = ["A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:E5", "F4:H4", "I4:I5", "J4:J5"]
GROUPED_ASSETS = [
    ["A-01", "顧客台帳", "電子データ", "営業部門", "佐藤", 3, 3, 2, "NAS", "年次棚卸"],
    ["A-02", "契約書原本", "紙媒体", "管理部門", "田中", 2, 3, 1, "書庫", None],
    ["A-03", "業務PC", "ハードウェア", "技術部門", "鈴木", "高", "中", "低", "各席", "20台"],
]
