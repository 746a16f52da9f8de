"""``isms-xl excel setup DIR``: put what a user needs for the desktop Excel buttons into their ISMS
folder — the button console filled in for this Python — and tell what is still to do."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from isms_xl.errors import InputPathError, OutputExistsError
from isms_xl.excel.console import CONSOLE_FILE, Interpreter, build_console
from isms_xl.excel.doctor import Diagnosis, diagnose, gather, onedrive_settings


@dataclass
class SetupResult:
    console: Path
    targets: list[str]
    diagnoses: list[Diagnosis]


def form_workbooks(folder: Path) -> list[str]:
    """The workbooks the console can target: the folder's own .xlsx/.xlsm, not the console."""
    from isms_xl.check import find_workbooks

    return sorted(p.name for p in find_workbooks(folder) if p.parent == folder and p.name != CONSOLE_FILE)


def setup(folder: Path | str, *, force: bool = False, lang: str = "ja") -> SetupResult:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputPathError(f"{folder}: フォルダがありません", f"{folder}: no such folder", reason="not_a_folder",
                             path=str(folder))
    target = folder / CONSOLE_FILE
    if target.exists() and not force:
        raise OutputExistsError(f"{target} は既にあります。作り直すには --force を付けてください",
                                f"{target} exists; use --force to rebuild it")
    here = Interpreter.current()
    extra = tuple(onedrive_settings(dict(os.environ), sys.platform, Path.home()).items())
    interpreter = Interpreter(here.win, here.mac, here.conda_path, here.conda_env, here.pythonpath, extra)
    interpreter = _with_conda(interpreter)
    targets = form_workbooks(folder)
    console = build_console(folder, interpreter=interpreter, targets=targets, lang=lang)
    return SetupResult(console, targets, diagnose(gather(folder)))


def _with_conda(interpreter: Interpreter) -> Interpreter:
    """A conda Python must be activated by Excel (DLLs): fill Conda Path and Conda Env."""
    prefix = Path(sys.prefix)
    if not (prefix / "conda-meta").is_dir():
        return interpreter
    root = prefix.parent.parent if prefix.parent.name == "envs" else prefix
    env = prefix.name if prefix.parent.name == "envs" else "base"
    return Interpreter(interpreter.win, interpreter.mac, str(root), env, interpreter.pythonpath, interpreter.extra)
