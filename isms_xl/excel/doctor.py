"""``isms-xl excel doctor``: find what stops the Excel buttons from working, and say how to fix it.

The problems are the ones xlwings users report most (xlwings issues in brackets): Python not
found (#677, #1077); the wrong environment, without isms_xl or xlwings (#2144, #1410); conda
environments that fail to load their DLLs unless Excel activates them (#1136, #954); the xlwings
add-in or VBA module of another version than the Python package (#1864, #1595, #2355); a
workbook that calls the add-in without the VBA reference to it (#1761); macOS without
``xlwings runpython install`` (#2008); workbooks on OneDrive/SharePoint, whose path Excel reports
as a web address (#2413).

``gather()`` collects the facts of this machine once (files, environment, one probe of the
configured interpreter); each diagnosis is a small function of those facts, so tests give them
made-up facts for Windows and macOS on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from isms_xl.excel.console import CONF_SHEET, CONSOLE_FILE

OK, WARN, FAIL, SKIP = "ok", "warning", "problem", "not applicable"


@dataclass(frozen=True)
class Diagnosis:
    id: str
    status: str  # ok / warning / problem / not applicable
    title_ja: str
    title_en: str
    detail: str = ""  # the facts that led to it (paths, versions)
    fix_ja: str = ""
    fix_en: str = ""

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en

    def fix(self, lang: str) -> str:
        return self.fix_ja if lang == "ja" else self.fix_en


@dataclass(frozen=True)
class Probe:
    """What the configured interpreter says about itself when asked to import what buttons need."""

    ran: bool
    xlwings: str | None = None  # its xlwings version
    isms_xl: str | None = None
    error: str = ""


@dataclass(frozen=True)
class Facts:
    platform: str  # "win32" / "darwin" / "linux"
    home: Path
    environ: dict[str, str]
    folder: Path | None  # the ISMS folder
    xlwings_version: str | None  # in this Python
    console: Path | None  # isms_xl.macros.xlsm in the folder
    conf: dict[str, str] = field(default_factory=dict)  # its xlwings.conf sheet, keys upper-case
    console_xlwings: str | None = None  # the xlwings version whose VBA the console carries
    interpreter: str = ""  # the one the console (or xlwings' default) runs
    interpreter_exists: bool = False
    probe: Probe = Probe(False)
    conda_env_of_interpreter: bool = False  # the interpreter lives in a conda environment
    addin: Path | None = None  # xlwings.xlam in the user's XLSTART
    addin_matches: bool | None = None  # byte-identical to this package's add-in
    runpython_script: Path | None = None  # macOS: the AppleScript xlwings runpython install copies
    workbooks_needing_reference: tuple[str, ...] = ()  # .xlsm calling the add-in (no own xlwings module)
    renamed_consoles: tuple[str, ...] = ()  # copies of the console under another name


# --------------------------------------------------------------------------------------------
# Diagnoses

def interpreter_found(f: Facts) -> Diagnosis:
    title = ("Excel から起動する Python", "The Python Excel starts")
    if f.platform not in ("win32", "darwin"):
        return Diagnosis("interpreter", WARN, *title, f.platform,
                         "デスクトップ版 Excel は Windows と macOS だけです。Excel を使う PC で setup を実行してください",
                         "Desktop Excel runs on Windows and macOS only; run setup on the computer that runs Excel")
    if not f.interpreter:
        return Diagnosis("interpreter", FAIL, *title, "xlwings.conf: Interpreter が空です / empty",
                         "isms-xl excel setup フォルダ を、ボタンで使う Python（isms_xl を入れた環境）で実行してください",
                         "Run isms-xl excel setup DIR with the Python that has isms_xl installed")
    if f.interpreter in ("python", "pythonw", "python3"):
        return Diagnosis("interpreter", WARN, *title, f"{f.interpreter} (PATH)",
                         "PATH 上の python が使われます。別の Python だと動きません。setup で絶対パスを設定してください",
                         "Excel uses whatever python is first on PATH; run setup to write the full path")
    if not f.interpreter_exists:
        return Diagnosis("interpreter", FAIL, *title, f.interpreter,
                         "そのパスに Python がありません（移動・アンインストール）。setup をやり直してください",
                         "No Python at that path (moved or uninstalled); run setup again")
    return Diagnosis("interpreter", OK, *title, f.interpreter)


def environment_ready(f: Facts) -> Diagnosis:
    title = ("その Python に isms_xl と xlwings があるか", "isms_xl and xlwings in that Python")
    if not f.probe.ran:
        return Diagnosis("environment", SKIP if not f.interpreter_exists else FAIL, *title, f.probe.error,
                         "Python を起動できませんでした" if f.interpreter_exists else "",
                         "The Python could not be started" if f.interpreter_exists else "")
    missing = [name for name, v in (("isms_xl", f.probe.isms_xl), ("xlwings", f.probe.xlwings)) if v is None]
    if missing:
        names = " ".join("isms-xl[excel]" if m == "isms_xl" else m for m in missing)
        return Diagnosis("environment", FAIL, *title, f"{f.interpreter}: {', '.join(missing)} がありません / missing",
                         f'"{f.interpreter}" -m pip install {names}',
                         f'"{f.interpreter}" -m pip install {names}')
    return Diagnosis("environment", OK, *title, f"isms_xl {f.probe.isms_xl}, xlwings {f.probe.xlwings}")


def conda_activation(f: Facts) -> Diagnosis:
    title = ("conda 環境の有効化", "conda environment activation")
    if not f.conda_env_of_interpreter:
        return Diagnosis("conda", SKIP, *title)
    if f.conf.get("CONDA PATH") and f.conf.get("CONDA ENV"):
        return Diagnosis("conda", OK, *title, f"{f.conf['CONDA PATH']} / {f.conf['CONDA ENV']}")
    return Diagnosis("conda", FAIL, *title, f.interpreter,
                     "conda の Python は有効化しないと DLL を読めません。xlwings.conf シートに Conda Path"
                     "（例 C:\\Users\\you\\miniconda3）と Conda Env（例 base）を書いてください",
                     "A conda Python fails to load its DLLs unless activated: fill Conda Path (e.g. "
                     "C:\\Users\\you\\miniconda3) and Conda Env (e.g. base) on the xlwings.conf sheet")


def versions_match(f: Facts) -> Diagnosis:
    title = ("xlwings のバージョン（VBA と Python）", "xlwings versions (VBA and Python)")
    python_side = f.probe.xlwings or f.xlwings_version
    if f.console is None or python_side is None:
        return Diagnosis("versions", SKIP, *title)
    if f.console_xlwings and f.console_xlwings != python_side:
        return Diagnosis("versions", FAIL, *title, f"{CONSOLE_FILE}: {f.console_xlwings}, Python: {python_side}",
                         f"ボタンのブックを作り直してください: isms-xl excel setup {f.folder} --force",
                         f"Rebuild the button workbook: isms-xl excel setup {f.folder} --force")
    if f.addin is not None and f.addin_matches is False:
        return Diagnosis("versions", WARN, *title, f"{f.addin} ≠ xlwings {python_side}",
                         "インストール済みの xlwings アドインが別バージョンです: xlwings addin install を実行してください",
                         "The installed xlwings add-in is another version: run xlwings addin install")
    return Diagnosis("versions", OK, *title, f"xlwings {python_side}")


def vba_reference(f: Facts) -> Diagnosis:
    title = ("アドインへの VBA 参照設定", "VBA reference to the add-in")
    if not f.workbooks_needing_reference:
        return Diagnosis("vba_reference", SKIP, *title)
    names = ", ".join(f.workbooks_needing_reference)
    if f.addin is None:
        return Diagnosis("vba_reference", FAIL, *title, names,
                         "これらのブックは xlwings アドインの RunPython を呼びます。xlwings addin install でアドインを入れ、"
                         "VBA エディタの［ツール］→［参照設定］で xlwings にチェックを付けてください。"
                         f"または {CONSOLE_FILE} のボタンを使ってください（アドイン不要）",
                         "These workbooks call RunPython of the xlwings add-in: run xlwings addin install and tick "
                         f"xlwings under Tools > References in the VBA editor, or use the buttons of {CONSOLE_FILE} "
                         "(no add-in needed)")
    return Diagnosis("vba_reference", WARN, *title, names,
                     "VBA エディタの［ツール］→［参照設定］で xlwings にチェックが付いているか確認してください"
                     "（「コンパイルエラー: Sub または Function が定義されていません」の原因）",
                     "Make sure xlwings is ticked under Tools > References in the VBA editor (otherwise: "
                     "'Compile error: Sub or Function not defined')")


def mac_runpython(f: Facts) -> Diagnosis:
    title = ("macOS: RunPython の AppleScript", "macOS: the RunPython AppleScript")
    if f.platform != "darwin":
        return Diagnosis("mac_runpython", SKIP, *title)
    if f.runpython_script is not None and f.runpython_script.exists():
        return Diagnosis("mac_runpython", OK, *title, str(f.runpython_script))
    return Diagnosis("mac_runpython", FAIL, *title, str(f.runpython_script or ""),
                     "ターミナルで一度だけ xlwings runpython install を実行してください",
                     "Run xlwings runpython install once in Terminal")


def onedrive_paths(f: Facts) -> Diagnosis:
    title = ("OneDrive / SharePoint 上のフォルダ", "Folder on OneDrive / SharePoint")
    if f.folder is None:
        return Diagnosis("onedrive", SKIP, *title)
    roots = _onedrive_roots(f)
    inside = [(key, root) for key, root in roots if _is_under(f.folder, root)]
    if not inside:
        return Diagnosis("onedrive", SKIP, *title, str(f.folder))
    key, root = inside[0]
    if f.conf.get(key):
        return Diagnosis("onedrive", OK, *title, f"{key} = {f.conf[key]}")
    return Diagnosis("onedrive", FAIL, *title, f"{f.folder} ({root})",
                     f"Excel はこのフォルダのブックの場所を https:// で返すため、xlwings.conf シートに {key} = {root} "
                     f"が必要です: isms-xl excel setup {f.folder} --force で書き込まれます",
                     f"Excel reports these workbooks as https:// addresses; the xlwings.conf sheet needs {key} = "
                     f"{root}: isms-xl excel setup {f.folder} --force writes it")


def console_name(f: Facts) -> Diagnosis:
    title = ("ボタン用ブックの名前", "The button workbook's name")
    if not f.renamed_consoles:
        return Diagnosis("console_name", SKIP if f.console is None else OK, *title,
                         CONSOLE_FILE if f.console else "")
    names = ", ".join(f.renamed_consoles)
    # Its macro imports the module named like the file: "isms_xl.macros (1)" is no module.
    return Diagnosis("console_name", FAIL, *title, names,
                     f"ボタンのマクロはファイル名のモジュールを読み込みます。{CONSOLE_FILE} という名前に戻してください",
                     f"The buttons' macro imports the module named like the file: rename it back to {CONSOLE_FILE}")


DIAGNOSES: tuple[Callable[[Facts], Diagnosis], ...] = (
    interpreter_found, environment_ready, conda_activation, versions_match, vba_reference, mac_runpython,
    onedrive_paths, console_name,
)


def diagnose(facts: Facts) -> list[Diagnosis]:
    return [check(facts) for check in DIAGNOSES]


def onedrive_settings(environ: dict[str, str], platform: str, home: Path) -> dict[str, str]:
    """The xlwings.conf keys that map OneDrive web addresses back to local folders."""
    facts = Facts(platform, home, environ, None, None, None)
    return {key: str(root) for key, root in _onedrive_roots(facts)}


def _onedrive_roots(f: Facts) -> list[tuple[str, Path]]:
    if f.platform == "win32":
        env = f.environ
        out = []
        if env.get("OneDriveCommercial"):
            out.append(("ONEDRIVE_COMMERCIAL_WIN", Path(env["OneDriveCommercial"])))
        if env.get("OneDriveConsumer"):
            out.append(("ONEDRIVE_CONSUMER_WIN", Path(env["OneDriveConsumer"])))
        elif env.get("OneDrive") and not env.get("OneDriveCommercial"):
            out.append(("ONEDRIVE_CONSUMER_WIN", Path(env["OneDrive"])))
        return out
    if f.platform == "darwin":
        cloud = f.home / "Library" / "CloudStorage"
        out = []
        for entry in sorted(cloud.glob("OneDrive*")) if cloud.is_dir() else ():
            personal = entry.name in ("OneDrive-Personal", "OneDrive")
            out.append(("ONEDRIVE_CONSUMER_MAC" if personal else "ONEDRIVE_COMMERCIAL_MAC", entry))
        return out
    return []


def _is_under(path: Path, root: Path) -> bool:
    a, b = str(path).replace("\\", "/").rstrip("/").lower(), str(root).replace("\\", "/").rstrip("/").lower()
    return a == b or a.startswith(b + "/")


# --------------------------------------------------------------------------------------------
# Facts of this machine

def read_conf(console: Path) -> dict[str, str]:
    """The xlwings.conf sheet of the console, keys upper-cased as xlwings' VBA reads them."""
    from openpyxl import load_workbook

    wb = load_workbook(console, read_only=True, keep_vba=False)
    try:
        if CONF_SHEET not in wb.sheetnames:
            return {}
        out = {}
        for key, value, *_ in wb[CONF_SHEET].iter_rows(min_col=1, max_col=2, values_only=True):
            if key:
                out[str(key).upper()] = "" if value is None else str(value)
        return out
    finally:
        wb.close()


def console_xlwings_version(console: Path) -> str | None:
    """The xlwings version the console was built with (stamped in its document properties)."""
    import re

    with zipfile.ZipFile(console) as z:
        try:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
        except KeyError:
            return None
    m = re.search(r"xlwings (\d+\.\d+\.\d+)", core)
    return m.group(1) if m else None


def probe_interpreter(interpreter: str, run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> Probe:
    code = ("import importlib.metadata as m\n"
            "for n in ('xlwings', 'isms-xl'):\n"
            "    try: print(n, m.version(n))\n"
            "    except Exception: print(n, '-')\n")
    try:
        done = run([interpreter, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        return Probe(False, error=f"{type(err).__name__}: {err}")
    if done.returncode != 0:
        lines = (done.stderr or "").strip().splitlines()
        return Probe(False, error=lines[-1] if lines else f"exit code {done.returncode}")
    found = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    version = {k: (None if v.strip() == "-" else v.strip()) for k, v in found.items()}
    return Probe(True, version.get("xlwings"), version.get("isms-xl"))


def _addin_path(platform: str, home: Path, environ: dict[str, str]) -> Path | None:
    if platform == "win32" and environ.get("APPDATA"):
        return Path(environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
    if platform == "darwin":
        return (home / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel" / "xlwings.xlam")
    return None


def needs_reference(path: Path) -> bool:
    """An .xlsm whose VBA project has no xlwings module of its own but calls RunPython: it relies
    on the add-in and its VBA reference. The PROJECT stream lists the modules in plain text."""
    import olefile

    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("xl/vbaProject.bin")
        ole = olefile.OleFileIO(data)
        project = ole.openstream("PROJECT").read().decode("latin-1", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return False
    modules = [line.split("=", 1)[1].strip() for line in project.splitlines() if line.startswith("Module=")]
    return "xlwings" not in modules and b"RunPython" in data


def gather(folder: Path | None, *, run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> Facts:
    platform, home, environ = sys.platform, Path.home(), dict(os.environ)
    try:
        import xlwings

        xlwings_version = xlwings.__version__
        package_addin = Path(xlwings.__file__).parent / "addin" / "xlwings.xlam"
    except ImportError:
        xlwings_version, package_addin = None, None
    console = folder / CONSOLE_FILE if folder is not None and (folder / CONSOLE_FILE).is_file() else None
    conf = read_conf(console) if console else {}
    key = "INTERPRETER_WIN" if platform == "win32" else "INTERPRETER_MAC"
    interpreter = conf.get(key) or conf.get("INTERPRETER") or ("" if console else sys.executable)
    exists = bool(interpreter) and Path(interpreter).is_file()
    probe = probe_interpreter(interpreter, run) if exists else Probe(False, error="")
    # conda-meta sits in the environment's root: beside python.exe on Windows, above bin/ elsewhere.
    conda = exists and any((p / "conda-meta").is_dir() for p in Path(interpreter).parents[:2])
    addin = _addin_path(platform, home, environ)
    addin = addin if addin is not None and addin.is_file() else None
    matches = None
    if addin is not None and package_addin is not None and package_addin.is_file():
        matches = addin.read_bytes() == package_addin.read_bytes()
    script = (home / "Library" / "Application Scripts" / "com.microsoft.Excel"
              / f"xlwings-{xlwings_version}.applescript") if platform == "darwin" and xlwings_version else None
    macro_books = [p for p in (folder.glob("*.xlsm") if folder else ()) if not p.name.startswith("~$")]
    stem = CONSOLE_FILE[:-len(".xlsm")]
    renamed = tuple(sorted(p.name for p in macro_books if p.name != CONSOLE_FILE and p.name.startswith(stem)))
    needing = tuple(sorted(p.name for p in macro_books
                           if p.name != CONSOLE_FILE and p.name not in renamed and needs_reference(p)))
    return Facts(platform, home, environ, folder, xlwings_version, console, conf,
                 console_xlwings_version(console) if console else None, interpreter, exists, probe, conda,
                 addin, matches, script, needing, renamed)
