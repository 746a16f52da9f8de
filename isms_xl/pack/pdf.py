"""PDFs of the pack: workbooks through LibreOffice headless (office/libreoffice.py), HTML pages
through headless Chromium's print-to-PDF (it renders the report's CSS and SVG as a browser shows
them), or LibreOffice when no Chromium-based browser is installed.

Both find Japanese glyphs through the system's fonts (Debian: fonts-noto-cjk); the pack's tests
prove the PDFs carry the text and an embedded CJK font. Failures are RenderError (one line, the
file named); a PDF is moved into place only when the renderer produced a non-empty PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from isms_xl.errors import RenderError

__all__ = ["CHROMIUM_ENV", "check_renderers", "find_chromium", "html_to_pdf", "xlsx_to_pdf"]

CHROMIUM_ENV = "ISMS_XL_CHROMIUM"
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge")
_CHROMIUM_PATHS = tuple(
    Path(base) / sub
    for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)"))
    if base
    for sub in ("Google/Chrome/Application/chrome.exe", "Microsoft/Edge/Application/msedge.exe")
) + (Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
     Path("/Applications/Chromium.app/Contents/MacOS/Chromium"))
_TIMEOUT = 180.0


def find_chromium() -> str | None:
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        return shutil.which(env) or (env if Path(env).is_file() else None)
    for name in _CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return next((str(p) for p in _CHROMIUM_PATHS if p.is_file()), None)


def check_renderers() -> None:
    """Raise RenderError before anything is built when no PDF renderer is installed."""
    from isms_xl.office.libreoffice import LibreOfficeError, find_soffice

    try:
        soffice = find_soffice()
    except LibreOfficeError as err:
        raise RenderError(f"LibreOffice を起動できません: {err}", f"cannot start LibreOffice: {err}") from None
    if soffice is None:
        raise RenderError(
            "LibreOffice（soffice）が見つかりません。PDF を作るために必要です（Debian: apt-get install libreoffice-calc-nogui）",
            "LibreOffice (soffice) not found; the PDFs need it (Debian: apt-get install libreoffice-calc-nogui)")


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def xlsx_to_pdf(src: Path, out: Path) -> Path:
    from isms_xl.office.libreoffice import LibreOfficeError, convert_to_pdf

    with tempfile.TemporaryDirectory(prefix="isms_xl-pdf-") as tmp:
        try:
            made = convert_to_pdf(src, Path(tmp))
        except LibreOfficeError as err:
            raise RenderError(f"{src.name}: PDF にできませんでした（{err}）", f"{src.name}: could not make a PDF ({err})") from None
        if not _is_pdf(made):
            raise RenderError(f"{src.name}: LibreOffice の出力が PDF ではありません", f"{src.name}: LibreOffice did not write a PDF")
        shutil.move(str(made), out)
    return out


def html_to_pdf(src: Path, out: Path) -> Path:
    chromium = find_chromium()
    if chromium is None:
        return xlsx_to_pdf(src, out)  # LibreOffice opens HTML too (Writer/Web); plainer, but real
    with tempfile.TemporaryDirectory(prefix="isms_xl-chromium-") as tmp:
        target = Path(tmp) / "page.pdf"
        argv = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                "--disable-background-networking", "--disable-component-update", "--disable-extensions",
                f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
                "--virtual-time-budget=10000", f"--print-to-pdf={target}", src.resolve().as_uri()]
        try:
            res = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT, check=False,
                                 stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RenderError(f"{src.name}: Chromium が {_TIMEOUT:.0f} 秒で終わりませんでした",
                              f"{src.name}: Chromium did not finish within {_TIMEOUT:.0f} s") from None
        except OSError as err:
            raise RenderError(f"{src.name}: Chromium を起動できません（{err}）", f"{src.name}: cannot start Chromium ({err})") from None
        if not _is_pdf(target):
            tail = " ".join((res.stderr or "").split())[-200:]
            raise RenderError(f"{src.name}: Chromium が PDF を作りませんでした（終了コード {res.returncode}: {tail}）",
                              f"{src.name}: Chromium wrote no PDF (exit {res.returncode}: {tail})")
        shutil.move(str(target), out)
    return out
