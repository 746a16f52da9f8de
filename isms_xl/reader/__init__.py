"""Read ISMS form workbooks, however people have edited them, into typed records with cell
locations and READ findings — or say exactly why not (a one-line error with its exit code).

``read_workbook(path)`` gives every form in a workbook (one per workbook, or one per sheet);
``read_form(path, form=None)`` gives one. Reading never writes anything.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from isms_xl.config import Config, config_for
from isms_xl.errors import UnknownFormError
from isms_xl.forms import FORMS, get_form
from isms_xl.headers import HeaderMatch
from isms_xl.io.cell_styles import style_ids_by_column
from isms_xl.io.preflight import (
    COLLECT_ALL,
    COLLECT_DEFAULT,
    Staged,
    WorkbookInfo,
    preflight_staged,
)
from isms_xl.layout import COVER_SHEET, COVER_SHEET_EN, col_index, table_layout
from isms_xl.reader.card import is_card_sheet, read_card
from isms_xl.reader.doc import named_doc_cells, read_doc
from isms_xl.reader.grid import SheetGrid, load_grids
from isms_xl.reader.identify import form_by_headers, form_of_file, form_of_sheet
from isms_xl.reader.model import CellRef, Form, Record
from isms_xl.reader.sink import Sink
from isms_xl.reader.table import read_table
from isms_xl.schema import DocControl, FormSpec, Layout

__all__ = ["read_form", "read_workbook", "Form", "Record", "CellRef"]

_REF = re.compile(r"^(?:'?(?P<sheet>.*?)'?!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")


@dataclass
class _Names:
    cells: dict[str, dict[str, CellRef]] = field(default_factory=dict)  # sheet -> name -> single cell
    ranges: dict[str, dict[str, tuple[int, int, int, int]]] = field(default_factory=dict)


def _names(info: WorkbookInfo) -> _Names:
    out = _Names()
    for dn in getattr(info, "defined_names", ()):
        if not dn.sheet:
            continue
        m = _REF.match(str(dn.ref).strip().lstrip("="))
        if not m:
            continue
        r1, c1 = int(m["r1"]) - 1, col_index(m["c1"])
        if m["c2"]:
            out.ranges.setdefault(dn.sheet, {})[dn.name] = (r1, c1, int(m["r2"]) - 1, col_index(m["c2"]))
        else:
            out.cells.setdefault(dn.sheet, {})[dn.name] = CellRef(dn.sheet, r1, c1)
    return out


def _strip_prefix(names: dict[str, CellRef]) -> dict[str, CellRef]:
    return {n[5:]: ref for n, ref in names.items() if n.lower().startswith("isms_")}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a workbook is read.

    Reading builds millions of objects that all stay alive (the grid's rows, the records), so
    every collection the allocations trigger finds nothing to free, and the full ones walk all of
    them again: about 0.3 s of a 50,000-row register (benchmarks/bench_read.py). Reading makes no
    reference cycles to free. Reference counting still frees everything as usual; the collector
    is re-enabled afterwards only if it was enabled before (a caller may have paused it too).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_workbook(path: Path | str, config: Config | None = None, *, form: str | None = None,
                  styles: bool = True) -> list[Form]:
    """Every form in the workbook. ``form``: only that one (and what the workbook holds when it
    does not say); without it, the folder's [forms] may say. ``styles`` also reads the fills of
    banded cells (for CALC-003; it costs a second look at every cell's style id)."""
    path = Path(path)
    config = config if config is not None else config_for(path)
    form = form if form is not None else config.form_of(path)
    with gc_paused():
        # Only forms with banded columns need the style ids. The file's name (or ``form``) says
        # which form it holds before anything is read; when it misleads, the workbook is read
        # again with them.
        named = get_form(form).form_id if form is not None else form_of_file(path)
        collect = styles and (named is None or _banded(named))
        forms = _read_workbook(path, config, form=form, styles=collect, named=named)
        if styles and not collect and any(_banded(f.form_id) for f in forms):
            forms = _read_workbook(path, config, form=form, styles=True)
        return forms


def _banded(form_id: str) -> bool:
    return any(c.band_of for c in FORMS[form_id].columns)


def _read_workbook(path: Path, config: Config, *, form: str | None, styles: bool,
                   named: str | None = None) -> list[Form]:
    info, grids, styles_of = _checked_grids(path, _BandedStyles(named) if styles else None)
    names = _names(info)
    per_sheet = {}
    for name, grid in grids.items():
        doc_number_ref = names.cells.get(name, {}).get("ISMS_DocNo")
        named_value = grid.value(doc_number_ref.row, doc_number_ref.col) if doc_number_ref else None
        per_sheet[name] = form_of_sheet(grid, named_value)
    groups = form_groups(path, grids, per_sheet, form)
    return [_read(FORMS[fid], path, [grids[s] for s in sheets], info, names, config, styles_of)
            for fid, sheets in groups.items()]


def form_groups(path: Path, grids: dict[str, SheetGrid], per_sheet: dict[str, str | None],
                form: str | None) -> dict[str, list[str]]:
    """The forms of a workbook and their sheets; with ``form``, that one only. A workbook that
    says nothing of what it holds (no document number, headers of no form, a file name that
    names none) is read as ``form`` when the caller names one."""
    try:
        groups = _group_sheets(path, grids, per_sheet)
    except UnknownFormError:
        if form is None:
            raise
        groups = {}
    if form is None:
        return groups
    wanted = get_form(form).form_id
    if wanted in groups:
        return {wanted: groups[wanted]}
    if len(groups) <= 1 and not any(per_sheet.values()) and form_of_file(path) is None:
        return {wanted: list(grids)}  # the caller says what it is
    found = ", ".join(groups) or "なし"
    raise UnknownFormError(f"{path}: {wanted} がありません（見つかった様式: {found}）",
                           f"{path}: no {wanted} in this workbook (forms found: {found})")


# Below this file size calamine parses after the scan: a thread costs more than it would save.
_BESIDE_FROM = 256 * 1024


def _checked_grids(path: Path, styles: _BandedStyles | None) -> tuple[WorkbookInfo, dict[str, SheetGrid],
                                                                     _BandedStyles | None]:
    """The preflight's verdict, python-calamine's grids of the bytes it checked, and (when
    ``styles`` is asked and the sheets were vetted) where banded cells' style ids come from.

    Calamine parses only sheets whose cells are known to be bounded (``Staged.parse_safe``); then
    it parses in a thread (it releases the GIL) while the preflight scans the cells here, which
    hides the scan's time. The workbook is accepted only once the scan has passed: a refusal
    waits for calamine to finish and drops its grids. Style ids are not collected by that scan
    (every cell's costs more than the values): the banded columns are read from the sheet's XML,
    while calamine is still parsing when the file's name says which form it holds.
    """
    staged = preflight_staged(path, collect=COLLECT_DEFAULT)
    if not staged.parse_safe or len(staged.data) < _BESIDE_FROM:
        info = staged.finish(COLLECT_ALL if styles else None)
        return info, load_grids(path, staged.data), None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="isms-xl-calamine") as pool:
        parsed = pool.submit(load_grids, path, staged.data)
        try:
            info = staged.finish()
        except BaseException:
            parsed.exception()  # wait: the grids (or calamine's error) no longer matter
            raise
        if styles is not None:
            styles.staged = staged
            styles.prefetch(info)
        return info, parsed.result(), styles


class _BandedStyles:
    """The style ids of a vetted sheet's banded cells, read from its XML (io/cell_styles).

    The form the file's name announces says where its banded columns are in the template; they
    are read ahead (``prefetch``) while calamine parses. Columns found elsewhere once the header
    is known (a user moved them) are read then."""

    def __init__(self, named: str | None) -> None:
        self.staged: Staged | None = None
        spec = FORMS.get(named) if named else None
        if spec is not None and spec.layout is Layout.TABLE:
            layout = table_layout(spec)
            self.guess = frozenset(layout.index(c.key) for c in spec.columns if c.band_of)
        else:
            self.guess = frozenset()
        self.read: dict[str, tuple[frozenset[int], dict[int, dict[int, int]]]] = {}

    def prefetch(self, info: WorkbookInfo) -> None:
        if self.guess:
            for sheet in info.sheets:
                if sheet.type == "worksheet":
                    self.ids(sheet.name, self.guess)

    def ids(self, sheet: str, columns: Iterable[int]) -> dict[int, dict[int, int]] | None:
        """col -> {row -> style id} for the cells of ``columns``; None when the sheet is not vetted."""
        columns = frozenset(columns)
        if sheet in self.read and columns <= self.read[sheet][0]:
            return self.read[sheet][1]
        xml = self.staged.sheet_pieces(sheet) if self.staged is not None else None
        if xml is None:
            return None
        self.read[sheet] = (columns, style_ids_by_column(xml, columns))
        return self.read[sheet][1]


def read_form(path_or_sheet: Path | str | Any, form: str | None = None, config: Config | None = None, *,
              styles: bool = True) -> Form:
    """One form: the one named, or the workbook's only one.

    ``path_or_sheet`` is the workbook's file, or a workbook open in Excel: an ``xlwings.Sheet``
    (the form that sheet belongs to) or an ``xlwings.Book``, read as Excel shows it, unsaved
    edits included (``isms_xl.excel.layer.read_open_form``; no fills from there, so CALC-003
    cannot be judged on such a form)."""
    if not isinstance(path_or_sheet, (str, os.PathLike)):
        from isms_xl.excel.layer import read_open_form

        return read_open_form(path_or_sheet, form, config)
    forms = read_workbook(path_or_sheet, config, form=form, styles=styles)
    if len(forms) > 1:
        raise several_forms(path_or_sheet, forms)
    return forms[0]


def several_forms(where: object, forms: list[Form]) -> UnknownFormError:
    ids = ", ".join(f.form_id for f in forms)
    return UnknownFormError(f"{where}: 複数の様式があります（{ids}）。--form で指定してください",
                            f"{where}: several forms in this workbook ({ids}); name one with --form")


def _group_sheets(path: Path, grids: dict[str, SheetGrid], per_sheet: dict[str, str | None]) -> dict[str, list[str]]:
    distinct = list(dict.fromkeys(f for f in per_sheet.values() if f))
    if len(distinct) > 1:
        groups: dict[str, list[str]] = {}
        for sheet, fid in per_sheet.items():
            if fid:
                groups.setdefault(fid, []).append(sheet)
        return groups
    fid = distinct[0] if distinct else form_of_file(path)
    if fid is None:
        for grid in grids.values():
            if grid.visible and (fid := form_by_headers(grid)):
                break
    if fid is None:
        raise not_a_form(path)
    return {fid: list(grids)}


def not_a_form(where: object) -> UnknownFormError:
    return UnknownFormError(
        f"{where}: ISMS の様式ではありません（文書番号 ISMS-A-02 / ISMS-B-01〜B-27 が見つかりません）",
        f"{where}: not an ISMS form (no document number ISMS-A-02 / ISMS-B-01 … B-27 found)")


def _read(spec: FormSpec, path: Path, grids: list[SheetGrid], info: WorkbookInfo, names: _Names,
          config: Config, styles: _BandedStyles | None = None) -> Form:
    sink = Sink(spec.form_id, path.name)
    sheet_info = {s.name: s for s in getattr(info, "sheets", ())}

    def errors_of(name: str) -> dict[tuple[int, int], str]:
        return getattr(sheet_info.get(name), "error_cells", None) or {}

    formulas = {g.name: sheet_info[g.name].formula_cells for g in grids
                if g.name in sheet_info and sheet_info[g.name].formula_cells is not None}
    cell_info = "formulas" in info.collected
    if spec.layout is Layout.TABLE:
        grid, found = _table_sheet(spec, grids)
        doc, doc_cells = read_doc(spec, grid, named_doc_cells(names.cells.get(grid.name, {})), sink, config)
        read = read_table(spec, grid, sink, error_cells=errors_of(grid.name),
                          table_last_row=_table_end(sheet_info.get(grid.name), read_header_row=None), found=found)
        header_row = None if read.header is None else read.header.row + read.header.header_rows - 1
        result = Form(spec, path, (grid.name,), read.records, sink.findings, doc, doc_cells, header_row,
                      read.columns, formulas, cell_info=cell_info, sha256=info.sha256, info=info)
        _banded_fills(result, info, sheet_info.get(grid.name), styles)
        return result
    cover = next((g for g in grids if g.name in (COVER_SHEET, COVER_SHEET_EN)
                  or "ISMS_DocNo" in names.cells.get(g.name, {})), None)
    if cover is not None:
        doc, doc_cells = read_doc(spec, cover, named_doc_cells(names.cells.get(cover.name, {})), sink, config)
    else:
        doc, doc_cells = DocControl(), {}
        sink.add("READ-007", CellRef(grids[0].name, 0, 0), None, None,
                 f"表紙（文書管理欄）のシートがありません（{spec.doc_number}）",
                 f"No cover sheet with the document-control block ({spec.doc_number})")
    records: list[Record] = []
    seen: dict[str, str] = {}
    for grid in grids:
        if grid is cover:
            continue
        named = _strip_prefix(names.cells.get(grid.name, {}))
        if not is_card_sheet(spec, grid, named):
            continue
        tables = {k[5:]: v for k, v in names.ranges.get(grid.name, {}).items() if k.lower().startswith("isms_")}
        record = read_card(spec, grid, sink, named, tables, seen, errors_of(grid.name))
        if record is not None:
            records.append(record)
    return Form(spec, path, tuple(g.name for g in grids), records, sink.findings, doc, doc_cells, None, {}, formulas,
                cell_info=cell_info, sha256=info.sha256, info=info)


def _banded_fills(form: Form, info: WorkbookInfo, sheet, styles: _BandedStyles | None) -> None:
    """The fill of every cell that shows a risk band (CALC-003): from the style ids the
    preflight collected, or from the vetted sheet's XML (``styles``); without either, CALC-003
    cannot be judged."""
    banded = [form.columns[c.key] for c in form.spec.columns if c.band_of and c.key in form.columns]
    if not banded:
        return
    ids = None
    if sheet is not None and sheet.style_ids is None and styles is not None:
        ids = styles.ids(sheet.name, banded)
    if sheet is None or (sheet.style_ids is None and ids is None):
        form.cell_info = False  # no fills: CALC-003 cannot be judged
        return
    rows = [record.row for record in form.records]
    for col in banded:  # a column at a time: one lookup call for all its cells
        if ids is None:
            styles = sheet.style_ids.get_in_column(rows, col, 0)
        else:
            styles = list(map(ids.get(col, {}).get, rows, repeat(0)))
        fill_of = {sid: info.fill(sid) for sid in set(styles)}  # a few styles, many cells
        form.fills.put_column(sheet.name, col, rows, list(map(fill_of.__getitem__, styles)))


def _table_sheet(spec: FormSpec, grids: list[SheetGrid]) -> tuple[SheetGrid, HeaderMatch | None]:
    """The sheet holding the register: the one that names the form, else the first visible one
    with the form's headers; and its header (so it is not looked for twice)."""
    from isms_xl.reader.identify import matcher

    best = None
    for grid in grids:
        found = matcher(spec).find_header(grid.rows, grid.merged)
        score = found.score if found else -1
        if best is None or score > best[0] or (score == best[0] and grid.visible and not best[1].visible):
            best = (score, grid, found)
    return best[1], best[2]


def _table_end(sheet, read_header_row) -> int | None:
    """The last row of the sheet's Excel table (ListObject), 0-based, when it has one."""
    tables = getattr(sheet, "tables", None) or ()
    if len(tables) != 1:
        return None
    m = _REF.match(str(tables[0].ref))
    return int(m["r2"]) - 1 if m and m["r2"] else None
