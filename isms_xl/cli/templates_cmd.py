"""``isms-xl templates OUT_DIR``: the 28 blank form workbooks."""

from __future__ import annotations

from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors
from isms_xl.templates import write_templates


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--annex", type=click.Choice(["2022", "2013"]), default="2022", show_default=True,
              help="Annex A version the SoA lists.")
@click.pass_obj
@handle_errors
def templates(obj: Ctx, out_dir: Path, annex: str) -> None:
    """Write the blank form workbooks (A-02, B-01 … B-27) into OUT_DIR."""
    paths = write_templates(out_dir, annex=annex, lang=obj.lang)
    obj.say(f"{len(paths)} 件の様式を {out_dir} に作成しました。", f"Wrote {len(paths)} form workbooks to {out_dir}.")
