"""The document-control block: read it (defined names first, labels second) and say what is
missing or wrong (READ-007, READ-008)."""

from __future__ import annotations


from isms_xl.config import Config
from isms_xl.forms import parse_form_id
from isms_xl.headers import normalize_header
from isms_xl.reader.grid import SheetGrid
from isms_xl.reader.identify import find_labelled
from isms_xl.reader.model import CellRef
from isms_xl.reader.sink import Sink
from isms_xl.schema import DOC_FIELDS, Column, DocControl, FormSpec, Kind
from isms_xl.values import is_blank, parse_value

# 改訂日 stays blank until the first revision; every other field is part of a complete block.
OPTIONAL_DOC_FIELDS = ("revised_on",)


def read_doc(spec: FormSpec, grid: SheetGrid, named: dict[str, CellRef], sink: Sink,
             config: Config) -> tuple[DocControl, dict[str, CellRef]]:
    """``named``: doc field key -> cell of its sheet-scoped defined name on this sheet."""
    labelled = find_labelled(grid)
    doc = DocControl()
    cells: dict[str, CellRef] = {}
    for field in DOC_FIELDS:
        if field.key in named:
            ref = named[field.key]
            value = grid.value(ref.row, ref.col)
        elif field.key in labelled:
            r, c, value = labelled[field.key]
            ref = CellRef(grid.name, r, c)
        else:
            continue
        cells[field.key] = ref
        if field.kind is Kind.DATE and not is_blank(value):
            parsed = parse_value(Column(field.key, field.ja, field.en, Kind.DATE), value)
            value = parsed.value if parsed.ok else value
        setattr(doc, field.key, None if is_blank(value) else value)
    _check(spec, doc, cells, grid, sink, config)
    return doc, cells


def _check(spec: FormSpec, doc: DocControl, cells: dict[str, CellRef], grid: SheetGrid, sink: Sink,
           config: Config) -> None:
    if "doc_number" not in cells:
        sink.add("READ-007", CellRef(grid.name, 0, 0), None, None,
                 f"文書管理欄（文書番号・版数・承認者など）が見つかりません（{spec.doc_number}）",
                 f"No document-control block (document number, version, approver …) found for {spec.doc_number}")
        return
    number = doc.doc_number
    if number is not None and parse_form_id(str(number)) != spec.form_id:
        sink.add("READ-007", cells["doc_number"], None, number,
                 f"文書番号「{number}」がこの様式（{spec.doc_number}）と一致しません",
                 f"Document number {number!r} does not match this form ({spec.doc_number})")
    for field in DOC_FIELDS:
        if field.key in OPTIONAL_DOC_FIELDS or doc.get(field.key) is not None:
            continue
        where = cells.get(field.key) or cells["doc_number"]
        sink.add("READ-007", where, None, None,
                 f"文書管理欄の「{field.ja}」が空欄です", f"Document control: {field.en} ({field.ja}) is blank")
    approver = doc.approver
    if approver is not None and not _is_role(str(approver), spec.approver.value, config):
        sink.add("READ-008", cells["approver"], None, approver,
                 f"承認者が「{approver}」です。§7.5.2 では {spec.form_id} の承認者は{spec.approver.value}です",
                 f"Approver is {approver!r}; §7.5.2 names {spec.approver.value} for {spec.form_id}")


def _is_role(value: str, role: str, config: Config) -> bool:
    """The approver cell holds the role ("社長"), or the name of its holder when people are configured."""
    text = normalize_header(value)
    role_norm = normalize_header(role)
    other_roles = [normalize_header(r) for r in ("社長", "ISMS管理責任者") if r != role]
    if role_norm in text and not any(o in text for o in other_roles if o not in role_norm):
        return True
    return any(normalize_header(name) in text for name in config.organisation.holders(role))


def named_doc_cells(names: dict[str, CellRef]) -> dict[str, CellRef]:
    by_name = {f.name.lower(): f.key for f in DOC_FIELDS}
    return {by_name[n.lower()]: ref for n, ref in names.items() if n.lower() in by_name}


