"""``isms-xl pack DIR OUT``: build the audit pack; ``isms-xl pack verify OUT``: check one."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from isms_xl.cli.common import Ctx, handle_errors

STEPS = {
    "copies": ("ブックを再計算して写しています", "Copying and recomputing the workbooks"),
    "check": ("整合性チェック", "Running the consistency check"),
    "soa": ("適用宣言書サマリー", "SoA summary"),
    "risk": ("リスク登録簿サマリーとヒートマップ", "Risk register summary and heat maps"),
    "pdf": ("PDF を作成しています", "Making the PDFs"),
    "changes": ("前回のパックと比較しています", "Comparing with the previous pack"),
    "index": ("索引ページ", "Index pages"),
    "manifest": ("マニフェストとチェックサム", "Manifest and checksums"),
    "place": ("出力先に配置しています", "Putting the pack in place"),
}


class _PackGroup(click.Group):
    """``pack DIR OUT`` builds; ``pack verify OUT`` verifies: a first argument that is not a
    subcommand name is the folder of the default ``build`` command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_PackGroup)
def pack() -> None:
    """Build an audit pack (pack DIR OUT) or verify one (pack verify OUT)."""


@pack.command("build")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The date the check and overdue plans are judged by (default: today).")
@click.option("--since", type=click.Path(exists=True, path_type=Path), default=None,
              help="A previous pack (folder or zip): list what changed since.")
@click.option("--zip", "as_zip", is_flag=True, help="Write OUT as one zip file.")
@click.option("--force", is_flag=True, help="Replace OUT when it is an earlier audit pack.")
@click.pass_obj
@handle_errors
def build(obj: Ctx, folder: Path, out: Path, as_of: dt.datetime | None, since: Path | None, as_zip: bool,
          force: bool) -> None:
    """Build the audit pack of FOLDER at OUT."""
    from isms_xl.pack import build_pack

    started = time.monotonic()
    result = build_pack(folder, out, as_of=as_of.date() if as_of else None, since=since, zip=as_zip,
                        lang=obj.lang, force=force,
                        progress=lambda step: click.echo("… " + STEPS[step][0 if obj.lang == "ja" else 1], err=True))
    counts = result.run.summary()
    seconds = time.monotonic() - started
    obj.say(f"監査パックを作成しました: {result.out}（{result.files} ファイル、{seconds:.1f} 秒）",
            f"Audit pack written: {result.out} ({result.files} files, {seconds:.1f} s)")
    obj.say(f"指摘: エラー {counts['error']}、警告 {counts['warning']}、情報 {counts['info']}",
            f"Findings: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info")
    if not as_zip:
        obj.say(f"索引: {result.out / 'index.html'}", f"Index: {result.out / 'index.en.html'}")


@pack.command("verify")
@click.argument("out", type=click.Path(exists=True, path_type=Path))
@click.pass_obj
@handle_errors
def verify(obj: Ctx, out: Path) -> None:
    """Check the pack OUT (folder or zip) against its manifest; name every file changed, added or removed."""
    from isms_xl.pack import verify_pack

    checked = verify_pack(out)
    for names, ja, en in ((checked.changed, "変更", "changed"), (checked.added, "追加", "added"),
                          (checked.removed, "削除", "removed")):
        for name in names:
            click.echo(f"{ja if obj.lang == 'ja' else en}: {name}")
    if checked.ok:
        manifest = checked.manifest or {}
        obj.say(f"{out}: OK（{checked.checked} ファイル、基準日 {manifest.get('as_of')}、isms_xl {manifest.get('tool', {}).get('version')}）",
                f"{out}: OK ({checked.checked} files, as of {manifest.get('as_of')}, isms_xl {manifest.get('tool', {}).get('version')})")
        return
    err = checked.error()
    click.echo(f"isms-xl: {err.message(obj.lang)}", err=True)
    sys.exit(int(err.exit_code))
