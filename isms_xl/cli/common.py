"""What every command shares: the context (language, --debug) and the error handling that turns
library errors into one-line messages and exit codes. Kept apart from ``main`` so that a command
module importing it does not import the group that imports the commands."""

from __future__ import annotations

import errno
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

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
        except OSError as err:
            # What reaches here is a place to write that the library did not vet (a folder that is
            # a file, no permission, a full disk): the user's to fix, so one line, not "internal".
            if ctx.debug:
                traceback.print_exc()
            click.echo(f"isms-xl: {os_error_text(err, ctx.lang)}", err=True)
            sys.exit(int(ExitCode.WRITE_FAILED))
        except Exception as err:  # noqa: BLE001 - last resort: one line, the code says "internal"
            if ctx.debug:
                traceback.print_exc()
            msg = (f"内部エラー: {type(err).__name__}: {err}（--debug で詳細）" if ctx.lang == "ja"
                   else f"internal error: {type(err).__name__}: {err} (use --debug for details)")
            click.echo(f"isms-xl: {msg}", err=True)
            sys.exit(int(ExitCode.INTERNAL))

    return wrapper


_OS_ERRORS_JA = {
    errno.ENOENT: "見つかりません", errno.EACCES: "権限がありません", errno.EPERM: "権限がありません",
    errno.ENOTDIR: "途中にフォルダーではなくファイルがあります", errno.EEXIST: "同じ名前のファイルが既にあります",
    errno.EISDIR: "フォルダーです", errno.ENOSPC: "ディスクの空きが足りません", errno.EROFS: "読み取り専用です",
}


def os_error_text(err: OSError, lang: str) -> str:
    """``path: why`` of an operating-system error, in the user's language."""
    where = err.filename if err.filename is not None else ""
    why = _OS_ERRORS_JA.get(err.errno, err.strerror or str(err)) if lang == "ja" else (err.strerror or str(err))
    return f"{where}: {why}" if where else why
