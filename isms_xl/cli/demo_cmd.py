"""``isms-xl demo DIR``: a filled demo ISMS folder with documented, seeded defects."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The date the demo data is relative to (default: today).")
@click.option("--seed", type=int, default=20261126, show_default=True)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
@click.pass_obj
@handle_errors
def demo(obj: Ctx, out_dir: Path, as_of: dt.datetime | None, seed: int, force: bool) -> None:
    """Write a demo ISMS folder (28 workbooks, isms_xl.toml, seeded_defects.json) into OUT_DIR."""
    from isms_xl.demo import generate_demo

    day = as_of.date() if as_of else dt.date.today()
    result = generate_demo(out_dir, as_of=day, seed=seed, force=force)
    by_rule = Counter(d["rule"] for d in result.defects)
    obj.say(
        f"デモ ISMS フォルダを作成しました: {out_dir}（{len(result.workbooks)} ブック、基準日 {day}、"
        f"埋め込んだ不備 {len(result.defects)} 件 / {len(by_rule)} ルール、一覧: seeded_defects.json）",
        f"Demo ISMS folder written: {out_dir} ({len(result.workbooks)} workbooks, as of {day}, "
        f"{len(result.defects)} seeded defects over {len(by_rule)} rules, listed in seeded_defects.json)",
    )
