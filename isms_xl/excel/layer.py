"""The three jobs of the Excel buttons, over an open ``xlwings.Book``: recompute and colour the
active form, check the whole ISMS folder, build the audit pack.

Each reads what it needs from Excel in one call per sheet (book_io), hands the values to the same
pure code the command line uses (reader, recompute, rules), and writes back one call per
contiguous block. Every job ends with a message box; an ``IsmsXlError`` becomes that message, not
a traceback. Desktop buttons (macros.py) and xlwings Lite scripts (lite.py) both call these.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_xl.apply import NEEDS  # forms whose computed columns come from other forms
from isms_xl.config import Config, config_for
from isms_xl.errors import IsmsXlError, UnknownFormError
from isms_xl.excel import book_io
from isms_xl.excel.findings_sheet import SEVERITY_COLUMN, findings_rows, sheet_name
from isms_xl.excel.plan import FormPlan, Paint, plan_form
from isms_xl.reader import not_a_form, several_forms
from isms_xl.reader.from_grids import read_grids
from isms_xl.reader.model import Form

__all__ = ["BookState", "CheckOutcome", "RecomputeOutcome", "check", "pack", "read_book", "read_open_form",
           "recompute"]


def default_lang() -> str:
    """Messages in Japanese unless ISMS_XL_LANG=en (a button has no --lang option)."""
    lang = os.environ.get("ISMS_XL_LANG", "ja")
    return lang if lang in ("ja", "en") else "ja"


@dataclass
class BookState:
    """An open workbook as read from Excel: where it lives, its sheets, its forms."""

    path: Path
    folder: Path | None  # None for an unsaved book or one opened from a web address
    sheets: dict[str, book_io.SheetRead]
    forms: list[Form]
    active_sheet: str | None
    config: Config

    def values(self) -> dict[str, list[list[Any]]]:
        return {name: s.values for name, s in self.sheets.items()}

    def formulas(self) -> dict[str, list[list[Any]]] | None:
        if any(s.formulas is None for s in self.sheets.values()):
            return None
        return {name: s.formulas for name, s in self.sheets.items()}

    def active_form(self) -> Form:
        for form in self.forms:
            if self.active_sheet in form.sheets:
                return form
        if len(self.forms) == 1:
            return self.forms[0]
        raise UnknownFormError("作業中のシートは ISMS の様式ではありません。様式のシートを開いてから押してください",
                               "The active sheet is not an ISMS form; open a form's sheet and press the button again")


def folder_of(path: Path) -> Path | None:
    text = str(path)
    if "://" in text or path.parent == Path(".") or not path.parent.is_dir():
        return None
    return path.parent


def read_book(book: Any, *, skip: tuple[str, ...] = (), folder: Path | None = None,
              config: Config | None = None, form: str | None = None) -> BookState:
    """``folder``: where the workbook lives when Excel cannot say (xlwings Lite and Server give
    only its name). ``config``: instead of the folder's ``isms_xl.toml``. ``form``: only that
    form (what the book holds when nothing in it says); a book without it raises
    UnknownFormError, where without ``form`` a book of no form just has none."""
    path = book_io.book_path(book)
    if folder is not None and folder_of(path) is None:
        path = folder / path.name
    folder = folder or folder_of(path)
    if config is None:
        config = config_for(path) if folder is not None else Config()  # an unsaved book: the defaults
    sheets = {}
    for sheet in book.sheets:
        if sheet.name in skip:
            continue
        read = book_io.read_sheet(sheet)
        sheets[read.name] = read
    names = book_io.read_names(book)
    try:
        forms = read_grids(path, [s.grid() for s in sheets.values()], names=names, config=config, form=form)
    except UnknownFormError:
        if form is not None:
            raise  # the caller asked for that form: say why there is none
        forms = []
    try:
        active = book.sheets.active.name
    except Exception:  # noqa: BLE001 - no active sheet (a chart is selected): the first form decides
        active = None
    return BookState(path, folder, sheets, forms, active, config)


def read_open_form(sheet_or_book: Any, form: str | None = None, config: Config | None = None) -> Form:
    """``isms_xl.read_form`` of an open workbook: an ``xlwings.Sheet`` gives the form that sheet
    belongs to (a card form: all its sheets), an ``xlwings.Book`` its only form; ``form`` names
    one. The whole book is read, one call per sheet, as the buttons read it."""
    if hasattr(sheet_or_book, "used_range") and hasattr(sheet_or_book, "book"):
        book, sheet = sheet_or_book.book, str(sheet_or_book.name)
    elif hasattr(sheet_or_book, "sheets") and hasattr(sheet_or_book, "fullname"):
        book, sheet = sheet_or_book, None
    else:
        raise TypeError(f"read_form takes a path, an xlwings Sheet or an xlwings Book, not {type(sheet_or_book).__name__}")
    state = read_book(book, config=config, form=form)
    forms = state.forms
    name = state.path.name
    if sheet is not None:
        forms = [f for f in forms if sheet in f.sheets]
        if not forms:
            raise UnknownFormError(f"{name}: シート「{sheet}」は ISMS の様式ではありません",
                                   f"{name}: sheet {sheet!r} is not part of an ISMS form")
    if not forms:
        raise not_a_form(name)
    if len(forms) > 1:
        raise several_forms(name, forms)
    return forms[0]


# --------------------------------------------------------------------------------------------
# Recompute and colour

@dataclass
class RecomputeOutcome:
    form_id: str
    plan: FormPlan
    calls: int = 0  # Excel write calls made
    message: str = ""


def recompute(book: Any, *, lang: str | None = None, show: bool = True) -> RecomputeOutcome | None:
    """Recompute the active form of ``book``: its computed cells get their formulas back where
    they are wrong or typed over, and every banded cell its band's fill."""
    lang = lang or default_lang()
    try:
        state = read_book(book, skip=(sheet_name("ja"), sheet_name("en")))
        form = state.active_form()
        others = _others(state, form)
        plan = plan_form(form, state.config, others, values=state.values(), formulas=state.formulas())
    except IsmsXlError as err:
        _tell(book, err.message(lang), show)
        return None
    engine = book_io.engine_name(book)
    calls = 0
    for block in plan.blocks:
        book_io.write_block(book.sheets[block.sheet], block)
        calls += 1
    for paint in plan.paints:
        calls += book_io.paint(book.sheets[paint.sheet], paint, engine)
    out = RecomputeOutcome(form.form_id, plan, calls, _recompute_message(form, plan, lang))
    _tell(book, out.message, show)
    return out


def _others(state: BookState, form: Form) -> dict[str, Form]:
    """The forms ``form``'s cross-form columns come from: this workbook's, else the folder's files."""
    wanted = set(NEEDS.get(form.form_id, ()))
    found = {f.form_id: f for f in state.forms if f.form_id in wanted}
    if wanted - set(found) and state.folder is not None:
        from isms_xl.apply import _others as from_folder

        found.update(from_folder(state.folder, wanted - set(found), state.config, state.path))
    return found


def _recompute_message(form: Form, plan: FormPlan, lang: str) -> str:
    values = len(plan.written - plan.restored)
    formulas = len(plan.restored)
    if lang == "ja":
        head = f"{form.form_id} {form.spec.ja}: 再計算しました。"
        body = f"値の修正 {values} セル、数式の書き戻し {formulas} セル、帯の色 {plan.painted} セル"
        calc = [c for c in plan.changes if c.value_changed]
        return head + "\n" + body + ("" if calc else "\n（計算値の誤りはありませんでした）")
    head = f"{form.form_id} {form.spec.en}: recomputed."
    body = f"{values} values corrected, {formulas} formulas written back, {plan.painted} band colours set"
    calc = [c for c in plan.changes if c.value_changed]
    return head + "\n" + body + ("" if calc else "\n(no computed value was wrong)")


# --------------------------------------------------------------------------------------------
# Check the folder

@dataclass
class CheckOutcome:
    counts: dict[str, int]
    rows: int
    calls: int = 0
    message: str = ""
    problems: list[str] = field(default_factory=list)


def check(book: Any, *, lang: str | None = None, show: bool = True, today: dt.date | None = None,
          folder: Path | None = None, whole_folder: bool = True) -> CheckOutcome | None:
    """Check every workbook of the folder ``book`` lives in (this one as it is open, unsaved edits
    included) and write the findings into its 検査結果 sheet, each with a link to its cell.
    ``whole_folder=False`` checks only the forms in this workbook (xlwings Lite has no folder)."""
    from isms_xl.check import check_folder

    lang = lang or default_lang()
    try:
        state = read_book(book, skip=(sheet_name("ja"), sheet_name("en")), folder=folder)
        if whole_folder and state.folder is None:
            _tell(book, *_NO_FOLDER[lang], show)
            return None
        if whole_folder:
            run = check_folder(state.folder, today=today, config=state.config, overrides={state.path: state.forms})
        else:
            run = check_forms(state.forms, state.config, today)
    except IsmsXlError as err:
        _tell(book, err.message(lang), show)
        return None
    rows = findings_rows(run, state.path, lang)
    calls = write_findings_sheet(book, rows, run, lang)
    counts = run.summary()
    out = CheckOutcome(counts, len(rows) - 1, calls, _check_message(counts, run, lang),
                       [p.workbook for p in run.problems if p.kind == "unreadable"])
    _tell(book, out.message, show)
    return out


def check_forms(forms: list[Form], config: Config, today: dt.date | None = None):
    """The rules over the forms of one workbook, without a folder (the CheckRun check_folder gives)."""
    from isms_xl.check import CheckRun, _order
    from isms_xl.rules import CheckContext, run_rules
    from isms_xl.rules.registry import RULES, load_builtin_rules

    today = today or dt.date.today()
    by_id = {f.form_id: f for f in forms}
    load_builtin_rules()
    # Only the rules this workbook's forms can answer: one workbook is not the folder, and a
    # "not checked, form missing" line for every other rule would bury the findings.
    runnable = [rule_id for rule_id, r in RULES.items() if all(f in by_id for f in r.forms)]
    findings = sorted(run_rules(CheckContext(by_id, config, today, None), runnable), key=_order)
    return CheckRun(Path("."), today, dt.datetime.now(dt.UTC).replace(microsecond=0), config, by_id,
                    findings)


_NO_FOLDER = {
    "ja": ("このブックはまだフォルダに保存されていません（または Web 上のブックです）。ISMS フォルダに保存してから押してください",),
    "en": ("This workbook is not saved in a folder (or is opened from the web); save it in the ISMS folder first",),
}


def write_findings_sheet(book: Any, rows: list[list[Any]], run, lang: str) -> int:
    """The 検査結果 sheet: created after the last sheet, or emptied; one write for all rows, one
    paint for the severity column. Returns the number of write calls."""
    name = sheet_name(lang)
    names = [s.name for s in book.sheets]
    if name in names:
        sheet = book.sheets[name]
        sheet.clear()
    else:
        sheet = book.sheets.add(name, after=book.sheets[len(names) - 1])
    width = len(rows[0])
    sheet.range((1, 1), (len(rows), width)).formula = rows
    calls = 2
    sheet.range((1, 1), (1, width)).font.bold = True
    calls += 1
    if len(rows) > 1:
        from isms_xl.report.charts import severity_colours

        colours = severity_colours(run.config.method)
        fill = [[colours[f.severity.value][0].lstrip("#").upper()] for f in run.findings]
        calls += book_io.paint(sheet, Paint(name, 1, SEVERITY_COLUMN, fill), book_io.engine_name(book))
    sheet.activate()
    return calls + 1


def _check_message(counts: dict[str, int], run, lang: str) -> str:
    unreadable = [p for p in run.problems if p.kind == "unreadable"]
    if lang == "ja":
        text = (f"検査しました（{len(run.forms)} 様式）: エラー {counts['error']} 件、警告 {counts['warning']} 件、"
                f"情報 {counts['info']} 件。{sheet_name('ja')}シートのセルをクリックすると該当箇所に移動します")
        if unreadable:
            text += f"\n読めなかったブック: {', '.join(p.workbook for p in unreadable)}"
        return text
    text = (f"Checked ({len(run.forms)} forms): {counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['info']} info. Click a cell link on the {sheet_name('en')} sheet to go to it")
    if unreadable:
        text += f"\nUnreadable workbooks: {', '.join(p.workbook for p in unreadable)}"
    return text


# --------------------------------------------------------------------------------------------
# The audit pack

PACK_UNAVAILABLE = (("監査パックの作成は、このバージョンの isms_xl にはまだありません（isms_xl.pack がありません）。"
                    "isms_xl を更新してください"),
                    ("The audit pack is not available in this version of isms_xl (no isms_xl.pack); "
                    "update isms_xl"))


def pack(book: Any, *, lang: str | None = None, show: bool = True, folder: Path | None = None) -> Path | None:
    """The audit pack of the folder ``book`` lives in, through ``isms_xl.pack.build_pack`` when this
    version has it, written beside that folder (a pack inside it would be read by the next check
    as a second copy of every form)."""
    lang = lang or default_lang()
    try:
        from isms_xl.pack import build_pack
    except ImportError:
        _tell(book, PACK_UNAVAILABLE[0 if lang == "ja" else 1], show)
        return None
    folder = folder or folder_of(book_io.book_path(book))
    if folder is None:
        _tell(book, *_NO_FOLDER[lang], show)
        return None
    # A new name each time: a button pressed twice must not fail on the first pack.
    out = folder.parent / f"{folder.name}_audit_pack_{dt.datetime.now():%Y%m%d_%H%M%S}"
    try:
        made = build_pack(folder, out, lang=lang)
    except IsmsXlError as err:
        _tell(book, err.message(lang), show)
        return None
    where = Path(getattr(made, "out", None) or out)
    _tell(book, f"監査パックを作成しました: {where}" if lang == "ja" else f"Audit pack written: {where}", show)
    return where


def _tell(book: Any, message: str, show: bool) -> None:
    if show:
        book_io.alert(book, message)
