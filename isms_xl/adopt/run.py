"""``adopt_file``: read a foreign register or SoA (refusing bad input as the reader does), decide
its columns, and either write the form (``OUT``) or the draft mapping the user completes.

The source is never changed; ``OUT`` is never written over without ``force``; a draft mapping
that already exists is never written over without ``force`` either (the user may be editing it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from isms_xl.adopt.convert import Converted, convert
from isms_xl.adopt.mapping import Decision, Mapping, decide, draft_toml, load_mapping
from isms_xl.content import FormContent
from isms_xl.errors import ConfigError, MappingNeededError, OutputExistsError
from isms_xl.findings import Finding
from isms_xl.forms import get_form
from isms_xl.headers import HeaderMatcher
from isms_xl.io.preflight import preflight_with_bytes
from isms_xl.method import DEFAULT_METHOD, Method
from isms_xl.migrate.write import write_new_file
from isms_xl.reader import read_form
from isms_xl.reader.grid import SheetGrid, load_grids
from isms_xl.schema import DocControl, FormSpec, Layout

SPARE_ROWS = 20  # blank rows with live formulas under the records, room to type (registers only)
DRAFT_SUFFIX = "_mapping.toml"


@dataclass
class AdoptResult:
    out: Path
    decision: Decision
    converted: Converted
    findings: list[Finding] = field(default_factory=list)  # READ findings of the output, read back
    draft: Path | None = None  # a draft written for re-rating levels (the run itself succeeded)


def draft_path(out: Path, draft: Path | None = None) -> Path:
    return draft if draft is not None else out.with_name(out.stem + DRAFT_SUFFIX)


def _pick_sheet(spec: FormSpec, grids: dict[str, SheetGrid], wanted: str | None, path: Path) -> SheetGrid:
    if wanted is not None:
        if wanted not in grids:
            raise ConfigError(f"{path}: シート「{wanted}」がありません（シート: {', '.join(grids)}）",
                              f"{path}: no sheet {wanted!r} (sheets: {', '.join(grids)})")
        return grids[wanted]
    matcher = HeaderMatcher(spec.columns, spec.form_id)
    best: tuple[int, bool, SheetGrid] | None = None
    for grid in grids.values():
        found = matcher.find_header(grid.rows, grid.merged, min_score=1)
        score = found.score if found else 0
        if best is None or (score, grid.visible) > (best[0], best[1]):
            best = (score, grid.visible, grid)
    if best is None:
        raise ConfigError(f"{path}: ワークシートがありません", f"{path}: no worksheet")
    return best[2]


def adopt_file(src: Path | str, out: Path | str, form: str, *, mapping: Path | str | None = None,
               sheet: str | None = None, draft: Path | str | None = None, force: bool = False, lang: str = "ja",
               today: dt.date | None = None, method: Method = DEFAULT_METHOD) -> AdoptResult:
    src, out = Path(src), Path(out)
    spec = get_form(form)
    if spec.layout is not Layout.TABLE:
        raise ConfigError(f"{spec.form_id} は帳票形式のため取り込めません（台帳形式の様式のみ）",
                          f"{spec.form_id} is a card form; only table forms can be adopted")
    if out.resolve() == src.resolve():
        raise OutputExistsError(f"出力先が元のファイルと同じです（元のファイルは変更しません）: {out}",
                                f"The output would overwrite the source (it is never changed): {out}")
    if out.exists() and not force:
        raise OutputExistsError(f"出力先が既にあります（上書きするには --force）: {out}",
                                f"Output already exists (use --force to overwrite): {out}")
    # Refuses what the reader refuses, before anything is decided or written; calamine then
    # parses the very bytes that were checked.
    _, data = preflight_with_bytes(src)
    grids = load_grids(src, data)
    del data
    mapped = load_mapping(mapping, spec) if mapping is not None else None
    grid = _pick_sheet(spec, grids, sheet or (mapped.sheet if mapped else None), src)
    decision = decide(spec, grid.name, grid.rows, grid.merged, mapped)
    draft_file = draft_path(out, Path(draft) if draft else None)
    if not decision.complete:
        raise _mapping_needed(decision, src, out, draft_file, mapped, force)
    converted = convert(decision, grid.rows, mapped, lang=lang, method=method)
    doc = DocControl(doc_number=spec.doc_number, doc_title=spec.name(lang), version="1.0",
                     established_on=today or dt.date.today(), author=spec.drafter)
    content = FormContent(spec, doc, converted.records, extra=converted.extra, lang=lang,
                          spare_rows=0 if spec.form_id == "A-02" else SPARE_ROWS)
    from isms_xl.templates.build import build_workbook

    id_key = spec.id_column.key
    back: list = []

    def verify(tmp: Path) -> None:
        # Read back as any form is read (what `check` will see): every record, with its id.
        form = read_form(tmp, spec.form_id)
        wanted = [str(r.get(id_key) or "") for r in converted.records]
        got = [str(r.raw.get(id_key) or r.values.get(id_key) or "") for r in form.records]
        if len(got) != len(wanted) or (spec.form_id != "A-02" and got != wanted):
            raise ValueError(f"read back {len(got)} records, expected {len(wanted)}")
        back.append(form)

    write_new_file(out, lambda tmp: build_workbook([content], tmp, method), verify)
    result = AdoptResult(out, decision, converted)
    result.findings = [replace(f, workbook=out.name) for f in back[0].findings if f.rule.startswith("READ")]
    unrated = {k for k in decision.foreign_levels if not (mapped and mapped.levels.get(k))}
    if unrated and (not draft_file.exists() or force):
        text = draft_toml(decision, str(src), str(out), str(draft_file), mapped)
        write_new_file(draft_file, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        result.draft = draft_file
    return result


def _mapping_needed(decision: Decision, src: Path, out: Path, draft: Path, mapped: Mapping | None,
                    force: bool) -> MappingNeededError:
    spec = decision.spec
    parts_ja, parts_en = [], []
    if decision.missing_required:
        names = [spec.column(k) for k in decision.missing_required]
        parts_ja.append("見出しが見つからない必須列: " + "、".join(c.ja for c in names))
        parts_en.append("required columns with no header: " + ", ".join(f"{c.en} ({c.ja})" for c in names))
    if decision.duplicates:
        names = [spec.column(k) for k in decision.duplicates]
        parts_ja.append("複数の見出しが該当する列: " + "、".join(c.ja for c in names))
        parts_en.append("columns named by several headers: " + ", ".join(f"{c.en} ({c.ja})" for c in names))
    if decision.unknown_values:
        names = [spec.column(k) for k in decision.unknown_values]
        parts_ja.append("様式にない値がある列: " + "、".join(c.ja for c in names))
        parts_en.append("columns with values the form does not know: " + ", ".join(f"{c.en} ({c.ja})" for c in names))
    if draft.exists() and not force:
        return MappingNeededError(
            f"{src}: 列の対応を決められません（{'；'.join(parts_ja)}）。対応表 {draft} は既にあります: 編集して --map {draft} を指定してください",
            f"{src}: cannot decide the columns ({'; '.join(parts_en)}). The mapping {draft} already exists: edit it and pass --map {draft}",
            draft=str(draft))
    text = draft_toml(decision, str(src), str(out), str(draft), mapped)
    write_new_file(draft, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return MappingNeededError(
        f"{src}: 列の対応を決められません（{'；'.join(parts_ja)}）。対応表の下書きを {draft} に書きました: 「要確認」の行を直して --map {draft} を指定してください",
        f"{src}: cannot decide the columns ({'; '.join(parts_en)}). A draft mapping was written to {draft}: "
        f"edit the lines marked CHECK and pass --map {draft}",
        draft=str(draft))
