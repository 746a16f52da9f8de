"""xlwings Lite scripts: the three buttons inside Excel's xlwings Lite add-in (Excel on Windows,
macOS and the web; Python runs in the browser with Pyodide).

In the Lite editor's ``main.py``::

    from isms_xl.lite import isms_recompute, isms_check, isms_pack  # noqa: F401

and ``isms-xl`` in its ``requirements.txt``. Each script also runs from the Lite task pane; for
sheet buttons, add a sheet named ``ISMS`` with three shapes named ``isms_recompute``,
``isms_check`` and ``isms_pack``, each linked (Link > This Document) to the cell given below.

Lite has no file system: "check" checks the forms of the open workbook only (not the folder), and
the audit pack, which writes files, is not available there.
"""

from __future__ import annotations

import xlwings as xw

from isms_xl.excel import layer

BUTTON_SHEET = "ISMS"
BUTTONS = {
    "isms_recompute": f"[isms_recompute]{BUTTON_SHEET}!B2",
    "isms_check": f"[isms_check]{BUTTON_SHEET}!B4",
    "isms_pack": f"[isms_pack]{BUTTON_SHEET}!B6",
}

PACK_IN_LITE = (("監査パックは xlwings Lite では作れません（ファイルを書けないため）。"
                "デスクトップ版の isms-xl pack かボタン用ブックを使ってください"),
                ("The audit pack cannot be built in xlwings Lite (it cannot write files); "
                "use isms-xl pack or the desktop button workbook"))


@xw.script(button=BUTTONS["isms_recompute"], show_taskpane=False)
def isms_recompute(book: xw.Book):
    """再計算・色付け: recompute and colour the active form."""
    layer.recompute(book)


@xw.script(button=BUTTONS["isms_check"], show_taskpane=False)
def isms_check(book: xw.Book):
    """整合性チェック: check the forms of this workbook; findings on the 検査結果 sheet."""
    layer.check(book, whole_folder=False)


@xw.script(button=BUTTONS["isms_pack"], show_taskpane=False)
def isms_pack(book: xw.Book):
    """監査パック: not in Lite; says so."""
    lang = layer.default_lang()
    book.app.alert(PACK_IN_LITE[0 if lang == "ja" else 1], "isms_xl")
