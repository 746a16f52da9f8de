"""``isms-xl``: the command-line entry point. Each command is a few lines calling the library;
this module turns library errors into one-line messages and exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from isms_xl import __version__
from isms_xl.errors import ExitCode, IsmsXlError


class Ctx:
    def __init__(self, lang: str, debug: bool) -> None:
        self.lang = lang
        self.debug = debug

    def say(self, ja: str, en: str) -> None:
        click.echo(ja if self.lang == "ja" else en)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """A user never sees a traceback; --debug shows it."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx: Ctx = click.get_current_context().find_object(Ctx)
        try:
            return func(*args, **kwargs)
        except IsmsXlError as err:
            if ctx.debug:
                traceback.print_exc()
            click.echo(f"isms-xl: {err.message(ctx.lang)}", err=True)
            sys.exit(int(err.exit_code))
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001 - last resort: one line, the code says "internal"
            if ctx.debug:
                traceback.print_exc()
            msg = (f"内部エラー: {type(err).__name__}: {err}（--debug で詳細）" if ctx.lang == "ja"
                   else f"internal error: {type(err).__name__}: {err} (use --debug for details)")
            click.echo(f"isms-xl: {msg}", err=True)
            sys.exit(int(ExitCode.INTERNAL))

    return wrapper


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
    from isms_xl.cli import excel_cmd
    from isms_xl.cli import check_cmd, demo_cmd, read_cmd, recompute_cmd, templates_cmd
    from isms_xl.cli import adopt_cmd, migrate_cmd, pack_cmd

    cli.add_command(excel_cmd.excel)
    cli.add_command(templates_cmd.templates)
    cli.add_command(demo_cmd.demo)
    cli.add_command(read_cmd.read)
    cli.add_command(check_cmd.check)
    cli.add_command(recompute_cmd.recompute)
    cli.add_command(migrate_cmd.migrate_soa)
    cli.add_command(adopt_cmd.adopt)
    cli.add_command(pack_cmd.pack)


_register()


def main() -> None:
    cli(prog_name="isms-xl")


if __name__ == "__main__":
    main()
