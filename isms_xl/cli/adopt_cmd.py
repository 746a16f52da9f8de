"""``isms-xl adopt FILE OUT --form B-01|B-02|A-02 [--map MAP.toml]``: a register or SoA in another
layout, imported into the project's form."""

from __future__ import annotations

from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors
from isms_xl.cli.migrate_cmd import xlsx_only

ADOPTABLE = ("A-02", "B-01", "B-02", "B-03")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), callback=xlsx_only)
@click.option("--form", "form", required=True, type=click.Choice(ADOPTABLE, case_sensitive=False),
              help="The project's form to write.")
@click.option("--map", "mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mapping file (TOML): which header is which column, values, level re-rating.")
@click.option("--sheet", help="The sheet to read (default: the one whose headers fit the form best).")
@click.option("--draft", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the draft mapping (default: OUT_mapping.toml).")
@click.option("--force", is_flag=True, help="Overwrite OUT (and an existing draft mapping).")
@click.pass_obj
@handle_errors
def adopt(obj: Ctx, file: Path, out: Path, form: str, mapping: Path | None, sheet: str | None, draft: Path | None,
          force: bool) -> None:
    """Import FILE (an asset register, risk register or SoA in a layout of its own) into the
    project's FORM, written to OUT. When the columns cannot be decided, a draft mapping file is
    written and the exit code is 11: edit it and run again with --map."""
    from isms_xl.adopt.run import adopt_file

    result = adopt_file(file, out, form.upper(), mapping=mapping, sheet=sheet, draft=draft, force=force, lang=obj.lang)
    c = result.converted
    errors = [f for f in result.findings if f.severity.value == "error"]
    obj.say(f"{out}: {len(c.records)} 件を {result.decision.spec.form_id} に取り込みました"
            f"（追加の列 {len(c.extra)}、備考に元の値を残した行 {c.kept_in_notes}、評価し直したセル {c.rerated}）",
            f"{out}: {len(c.records)} records adopted into {result.decision.spec.form_id} "
            f"({len(c.extra)} extra columns, {c.kept_in_notes} rows keep original values in the notes, {c.rerated} cells re-rated)")
    if errors:
        obj.say(f"読み戻しで要修正 {len(errors)} 件（isms-xl read {out} で一覧）",
                f"{len(errors)} values to fix when read back (list them with: isms-xl read {out})")
    if result.draft is not None:
        obj.say(f"別の評価方法の値は備考に残しました。評価し直すには {result.draft} の [levels] を埋めて --map で再実行してください",
                f"Values of another rating method were kept in the notes; to re-rate, fill [levels] in {result.draft} "
                "and run again with --map")
