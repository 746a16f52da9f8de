"""The button console for desktop Excel: ``isms_xl.macros.xlsm``, a macro-enabled workbook with
the three buttons, the 対象ブック / 処理 cells and an ``xlwings.conf`` sheet for the user's Python.

VBA source cannot be compiled outside Excel, so the console carries the ``vbaProject.bin`` of
xlwings' own standalone quickstart workbook, shipped inside the xlwings package of the same
version as the Python side (the VBA checks that they match). That project holds xlwings' VBA
module (``RunPython``, no add-in or VBA reference needed) and ``Module1.SampleCall``, which runs
``import <file stem>; <file stem>.main()``; the console is named so that this is
``isms_xl.macros.main()``. XlsxWriter writes the workbook around it, with form buttons bound to
``SampleCall``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from isms_xl import __version__
from isms_xl.macros import CONSOLE_STEM, JOB_NAME, JOBS, TARGET_NAME

CONSOLE_FILE = CONSOLE_STEM + ".xlsm"  # check.SKIP_FILES names it too
TEMPLATE = "quickstart_standalone.xlsm"  # inside the xlwings package
MACRO = "SampleCall"
BUTTON_SHEET = "ボタン"
CONF_SHEET = "xlwings.conf"  # the name xlwings' VBA looks for (PROJECT_NAME & ".conf")


@dataclass(frozen=True)
class Interpreter:
    """What goes into the xlwings.conf sheet."""

    win: str = ""
    mac: str = ""
    conda_path: str = ""
    conda_env: str = ""
    pythonpath: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # further xlwings.conf keys (OneDrive folders)

    @classmethod
    def current(cls) -> Interpreter:
        """This Python, for the platform setup runs on (the other platform's line stays empty:
        xlwings then falls back to its default)."""
        exe = sys.executable
        if sys.platform == "win32":
            # python.exe, not pythonw.exe: xlwings' VBA hides the console window itself ("Show
            # Console" FALSE), and doctor can run the same interpreter to see what it has.
            return cls(win=exe)
        if sys.platform == "darwin":
            return cls(mac=exe)
        return cls()


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def xlwings_template() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / TEMPLATE


def vba_project() -> bytes:
    with zipfile.ZipFile(xlwings_template()) as z:
        return z.read("xl/vbaProject.bin")


def conf_rows(interpreter: Interpreter) -> list[tuple[str, str]]:
    """Keys as xlwings' GetConfig looks them up (upper-cased), in the quickstart's spelling."""
    return [
        ("Interpreter_Win", interpreter.win),
        ("Interpreter_Mac", interpreter.mac),
        ("PYTHONPATH", interpreter.pythonpath),
        ("Conda Path", interpreter.conda_path),
        ("Conda Env", interpreter.conda_env),
        ("Show Console", "FALSE"),
        *interpreter.extra,
    ]


def build_console(out: Path | str, *, interpreter: Interpreter | None = None, targets: list[str] = (),
                  lang: str = "ja") -> Path:
    """Write the console workbook to ``out`` (a folder: the file is named ``isms_xl.macros.xlsm``
    there, the name the VBA imports)."""
    import xlsxwriter

    out = Path(out)
    path = out / CONSOLE_FILE if out.suffix.lower() != ".xlsm" else out
    if path.name != CONSOLE_FILE:
        raise ValueError(f"the console must be named {CONSOLE_FILE} (its macro imports the module of that name)")
    path.parent.mkdir(parents=True, exist_ok=True)
    interpreter = interpreter or Interpreter.current()
    ja = lang == "ja"

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    # doctor.py compares this with the installed xlwings: VBA and Python must be the same version.
    wb.set_properties({"title": "isms_xl buttons", "comments": f"isms_xl {__version__}; xlwings {xlwings_version()}"})
    title = wb.add_format({"bold": True, "font_size": 14})
    label = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    box = wb.add_format({"border": 1, "bg_color": "#FFFFFF"})
    note = wb.add_format({"font_color": "#595959", "text_wrap": True, "valign": "top"})

    ws = wb.add_worksheet(BUTTON_SHEET)
    ws.set_vba_name("Sheet1")  # the document modules in xlwings' project are Sheet1 and Sheet2
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 48)
    ws.set_column(2, 2, 4)
    ws.set_column(3, 3, 60)
    ws.write_string(0, 0, "isms_xl ボタン" if ja else "isms_xl buttons", title)
    ws.write_string(2, 0, "対象ブック" if ja else "Target", label)
    ws.write_blank(2, 1, None, box)
    wb.define_name(TARGET_NAME, f"='{BUTTON_SHEET}'!$B$3")
    if targets:
        inline = sum(len(t) + 1 for t in targets) < 255
        ws.data_validation(2, 1, 2, 1, {"validate": "list", "ignore_blank": True,
                                        "source": list(targets) if inline else _list_range(ws, targets)})
    ws.write_string(3, 0, "処理" if ja else "Job", label)
    labels = [JOBS[j][0 if ja else 1] for j in JOBS]
    ws.write_string(3, 1, labels[0], box)
    ws.data_validation(3, 1, 3, 1, {"validate": "list", "source": labels})
    wb.define_name(JOB_NAME, f"='{BUTTON_SHEET}'!$B$4")
    for i, job in enumerate(JOBS):
        ws.insert_button(5 + 3 * i, 1, {"macro": MACRO, "caption": JOBS[job][0 if ja else 1],
                                        "width": 240, "height": 36})
    help_ja = ("「再計算・色付け」: 対象ブック（空欄なら、このフォルダで開いているもう一つのブック）の"
               "計算列を直し、リスク評価の色を塗り直します。\n"
               "「整合性チェック」: このフォルダのすべての様式を検査し、結果をこのブックの「検査結果」シートに"
               "書きます（セルをクリックすると該当箇所へ移動）。\n"
               "「監査パック作成」: 監査用の資料一式を作ります。\n"
               "動かないときは、コマンドプロンプトで isms-xl excel doctor を実行してください。")
    help_en = ("Recompute & colour: fixes the computed columns and band colours of the target workbook (blank: "
               "the other open workbook of this folder).\nCheck the folder: checks every form of this folder and "
               "writes the findings to the Findings sheet of this workbook, each linked to its cell.\n"
               "Build the audit pack: writes the audit pack.\nIf nothing happens, run isms-xl excel doctor.")
    ws.merge_range(2, 3, 14, 3, help_ja if ja else help_en, note)

    conf = wb.add_worksheet(CONF_SHEET)
    conf.set_vba_name("Sheet2")
    conf.set_column(0, 0, 18)
    conf.set_column(1, 1, 70)
    for row, (key, value) in enumerate(conf_rows(interpreter)):
        conf.write_string(row, 0, key)
        if value:
            conf.write_string(row, 1, value)
    ws.activate()
    wb.close()
    return path


def _list_range(ws, targets: list[str]) -> str:
    """A drop-down list longer than Excel's 255-character inline limit lives in a hidden column."""
    for row, name in enumerate(targets):
        ws.write_string(row, 25, name)  # column Z
    ws.set_column(25, 25, None, None, {"hidden": True})
    return f"=$Z$1:$Z${len(targets)}"
