"""Entry points for the buttons of desktop Excel (Windows/macOS), called by xlwings' VBA
``RunPython``. No logic of their own: they find the workbook to work on and call the Excel layer.

The button console ``isms_xl.macros.xlsm`` (excel/console.py) is built from xlwings' own
``vbaProject.bin``, whose one macro ``SampleCall`` runs ``import <file name>; <file name>.main()``
for the workbook's file name without its extension; the console's name makes that
``import isms_xl.macros; isms_xl.macros.main()``. A form workbook with a module of its own can
call the jobs directly::

    RunPython "import isms_xl.macros as m; m.recompute()"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from isms_xl.excel import layer

CONSOLE_STEM = "isms_xl.macros"  # the console's file name without .xlsm: SampleCall imports it
TARGET_NAME = "ISMS_Target"  # console cell: the form workbook to work on
JOB_NAME = "ISMS_Job"  # console cell: the job, when Excel cannot say which button was pressed
JOBS = {
    "recompute": ("再計算・色付け", "Recompute & colour"),
    "check": ("整合性チェック", "Check the folder"),
    "pack": ("監査パック作成", "Build the audit pack"),
}


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def recompute() -> None:
    book = _caller()
    target = target_book(book)
    if target is not None:
        layer.recompute(target)


def check() -> None:
    # The whole folder is checked: the console (or the form that called) takes the 検査結果 sheet.
    layer.check(_caller())


def pack() -> None:
    layer.pack(_caller())


def main() -> None:
    """The console's buttons all run ``SampleCall``; which one was pressed decides the job."""
    book = _caller()
    job = job_of(book)
    if job is None:
        book.app.alert("ボタンまたは「処理」欄で処理を選んでください / Choose a job in the 処理 cell", "isms_xl")
        return
    {"recompute": recompute, "check": check, "pack": pack}[job]()


def job_of(book: Any) -> str | None:
    """The job of the pressed button (its caption, through Excel's Application.Caller), else the
    console's 処理 cell."""
    caption = None
    try:
        caller = book.app.api.Caller  # Windows: the name of the button that ran the macro
        caption = book.sheets.active.api.Buttons(caller).Caption
    except Exception:  # noqa: BLE001 - macOS and Lite have no Application.Caller through xlwings
        caption = None
    for choice in (caption, _named_value(book, JOB_NAME)):
        job = job_by_label(choice)
        if job:
            return job
    return None


def job_by_label(label: Any) -> str | None:
    text = str(label or "").strip()
    for job, labels in JOBS.items():
        if text == job or text in labels:
            return job
    return None


def target_book(book: Any) -> Any | None:
    """The workbook a console button works on: the one named in its 対象ブック cell, else the only
    other open workbook of its folder. A form workbook that calls the jobs itself is its own
    target."""
    if Path(str(book.name)).stem != CONSOLE_STEM:
        return book
    folder = Path(str(book.fullname)).parent
    wanted = str(_named_value(book, TARGET_NAME) or "").strip()
    others = [b for b in book.app.books if b.name != book.name]
    if wanted:
        for b in others:
            if b.name == wanted:
                return b
        path = folder / wanted
        if path.is_file():
            return book.app.books.open(str(path))
    in_folder = [b for b in others if Path(str(b.fullname)).parent == folder]
    if len(in_folder) == 1:
        return in_folder[0]
    book.app.alert("「対象ブック」欄で様式のブックを選んでください / Choose the form workbook in the 対象ブック cell",
                   "isms_xl")
    return None


def _named_value(book: Any, name: str) -> Any:
    try:
        return book.names[name].refers_to_range.value
    except Exception:  # noqa: BLE001 - the console was edited and lost the name
        return None
