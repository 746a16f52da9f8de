"""isms_xl: the Excel workbooks of an ISO/IEC 27001 ISMS, read, recomputed, cross-checked and
written back without losing what their users put there.

    >>> import isms_xl
    >>> form = isms_xl.read_form("ISMS-B-02_リスクアセスメント結果表.xlsx")
    >>> run = isms_xl.check_folder("ISMS/")
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# The main entry points, imported on first use so that ``import isms_xl`` (the CLI's startup,
# an Excel button's) stays light.
_LAZY = {
    "read_form": "isms_xl.reader",
    "read_workbook": "isms_xl.reader",
    "check_folder": "isms_xl.check",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'isms_xl' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
