"""``isms-xl``: the command-line entry point. Each command is a few lines calling the library;
this module turns library errors into one-line messages and exit codes."""

from __future__ import annotations

import click

from isms_xl import __version__
from isms_xl.cli.common import Ctx, handle_errors

__all__ = ["Ctx", "cli", "handle_errors", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
              help="Language of messages and generated headers.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="isms-xl")
@click.pass_context
def cli(ctx: click.Context, lang: str, debug: bool) -> None:
    """isms_xl — ISMS (ISO/IEC 27001) Excel workbooks: templates, demo, checks."""
    ctx.obj = Ctx(lang, debug)


def _register() -> None:
    from isms_xl.cli import (
        adopt_cmd,
        check_cmd,
        demo_cmd,
        excel_cmd,
        migrate_cmd,
        pack_cmd,
        read_cmd,
        recompute_cmd,
        templates_cmd,
    )

    cli.add_command(templates_cmd.templates)
    cli.add_command(demo_cmd.demo)
    cli.add_command(read_cmd.read)
    cli.add_command(check_cmd.check)
    cli.add_command(recompute_cmd.recompute)
    cli.add_command(migrate_cmd.migrate_soa)
    cli.add_command(adopt_cmd.adopt)
    cli.add_command(pack_cmd.pack)
    cli.add_command(excel_cmd.excel)


_register()


def main() -> None:
    cli(prog_name="isms-xl")


if __name__ == "__main__":
    main()
