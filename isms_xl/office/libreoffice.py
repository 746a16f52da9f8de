"""Run LibreOffice headless to recalculate workbooks and to export PDF.

Every call starts its own ``soffice`` with a private, throw-away user profile and
waits for it to finish. Inputs are copied into a private staging folder first, and
results are moved into ``out_dir`` only when LibreOffice actually produced them.
Nothing here imports an Excel library; callers read the results themselves.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "ENV_VAR",
    "LibreOfficeError",
    "convert_to_pdf",
    "find_soffice",
    "recalculate",
    "recalculate_many",
]

ENV_VAR = "ISMS_XL_SOFFICE"

# Naming the export filter pins the output format: plain "xlsx" leaves LibreOffice to
# choose among its OOXML spreadsheet filters; this is the "Excel 2007-365" one its own
# Save As uses for .xlsx.
_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
# Plain "pdf" lets LibreOffice pick the PDF export that matches the document type.
_PDF_FILTER = "pdf"

_DEFAULT_TIMEOUT = 120.0
_DEFAULT_BATCH_TIMEOUT = 300.0

# Standard install locations, for machines where LibreOffice is installed but not on PATH
# (the usual case on Windows and macOS).
_WELL_KNOWN_LOCATIONS: tuple[Path, ...] = (
    Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    *(
        Path(base) / "LibreOffice" / "program" / "soffice.exe"
        for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)"))
        if base
    ),
)

# By default LibreOffice trusts the cached results stored in OOXML files that claim to
# come from Excel (XlsxWriter and openpyxl-patched files do), so stale or deliberately
# wrong cached values would survive the round trip and end up in our checks and PDFs.
# Recalc mode 0 means "always recalculate on load". ODF gets the same treatment so .ods
# inputs behave alike. OpenCL is switched off so every machine uses the same software
# formula interpreter and start-up never probes GPU drivers.
_REGISTRY_MODIFICATIONS = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="UseOpenCL" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class LibreOfficeError(Exception):
    """LibreOffice could not be found, failed, timed out or produced no output.

    ``str(error)`` is a single line; ``output`` holds what soffice printed, if anything.
    """

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(" ".join(message.split()))
        self.output = output


def find_soffice() -> str | None:
    """Return the LibreOffice executable to use, or None when there is none.

    ``ISMS_XL_SOFFICE`` (a command name or a path) takes precedence. If it is set but does
    not name an executable, LibreOfficeError is raised rather than returning None, so a
    misconfigured machine fails loudly instead of silently skipping LibreOffice tests.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise LibreOfficeError(f"{ENV_VAR}={override!r} is not an executable")
        return found
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _WELL_KNOWN_LOCATIONS:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def recalculate(
    src: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, timeout: float = _DEFAULT_TIMEOUT
) -> Path:
    """Open ``src`` in LibreOffice, recalculate every formula and save it as xlsx.

    Returns ``out_dir / (src.stem + ".xlsx")``; an existing file of that name is replaced.
    """
    return _convert([Path(src)], Path(out_dir), _XLSX_FILTER, ".xlsx", timeout)[0]


def recalculate_many(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    timeout: float = _DEFAULT_BATCH_TIMEOUT,
) -> list[Path]:
    """Recalculate several workbooks with a single LibreOffice start-up.

    Returns one output path per input, in input order. Outputs are named after the input
    stem; when stems clash (``a/book.xlsx`` and ``b/book.xlsx``, or ``book.xlsx`` and
    ``book.ods``) later ones get ``-2``, ``-3``, ... appended. The same file given twice
    is converted once and both entries get the same output path. ``timeout`` covers the
    whole batch. If any file fails, nothing is written to ``out_dir``.
    """
    return _convert([Path(p) for p in paths], Path(out_dir), _XLSX_FILTER, ".xlsx", timeout)


def convert_to_pdf(
    src: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, timeout: float = _DEFAULT_TIMEOUT
) -> Path:
    """Export ``src`` to PDF, recalculating first; returns ``out_dir / (src.stem + ".pdf")``."""
    return _convert([Path(src)], Path(out_dir), _PDF_FILTER, ".pdf", timeout)[0]


def _convert(
    srcs: Sequence[Path], out_dir: Path, filter_spec: str, out_ext: str, timeout: float
) -> list[Path]:
    if not srcs:
        return []
    for src in srcs:
        if not src.is_file():
            raise FileNotFoundError(f"input file not found: {src}")
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(
            f"LibreOffice (soffice) not found; install it or set {ENV_VAR} to its path"
        )

    out_names = _output_names(srcs, out_ext)
    out_dir.mkdir(parents=True, exist_ok=True)
    resolved_inputs = {src.resolve() for src in srcs}
    for name in out_names.values():
        if (out_dir / name).resolve() in resolved_inputs:
            raise ValueError(f"output would overwrite its input: {out_dir / name}")

    with tempfile.TemporaryDirectory(prefix="isms_xl-soffice-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        profile, stage_in, stage_out = work / "profile", work / "in", work / "out"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            _REGISTRY_MODIFICATIONS, encoding="utf-8"
        )
        stage_in.mkdir()

        # LibreOffice names each output after its input and writes all of them into one
        # --outdir, so inputs are staged under their final (collision-free) names. Copies
        # also keep any lock files LibreOffice creates out of the caller's folders. The
        # original base name is kept where possible because headers and footers can
        # print it (&F).
        staged: list[tuple[Path, Path]] = []  # (original, staged copy)
        for resolved, out_name in out_names.items():
            copy = stage_in / (Path(out_name).stem + resolved.suffix)
            shutil.copyfile(resolved, copy)
            staged.append((resolved, copy))

        argv = [
            soffice,
            # A private profile per call: parallel calls (pytest-xdist) would otherwise
            # share one profile and its IPC pipe, and the second soffice would hand its
            # job to the first and exit; the profile also carries the recalc setting.
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            filter_spec,
            "--outdir",
            str(stage_out),
            *(str(copy) for _, copy in staged),
        ]
        label = str(srcs[0]) if len(out_names) == 1 else f"{len(out_names)} files"
        returncode, output = _run(argv, timeout, label)

        # soffice exits 0 even when it cannot load a file, so the output files are the
        # only reliable success signal.
        missing = [
            original
            for original, copy in staged
            if not _nonempty(stage_out / (copy.stem + out_ext))
        ]
        if missing:
            raise LibreOfficeError(
                f"LibreOffice (exit code {returncode}) produced no {out_ext} for "
                f"{', '.join(map(str, missing))}{_summary(output)}",
                output,
            )
        if returncode != 0:
            # Outputs exist but may be incomplete if soffice crashed while writing them.
            raise LibreOfficeError(
                f"LibreOffice exited with code {returncode} converting {label}"
                f"{_summary(output)}",
                output,
            )

        for original, copy in staged:
            _replace_into(stage_out / (copy.stem + out_ext), out_dir / out_names[original])

    return [out_dir / out_names[src.resolve()] for src in srcs]


def _output_names(srcs: Sequence[Path], out_ext: str) -> dict[Path, str]:
    """Map each distinct input (resolved) to a unique output file name."""
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for src in srcs:
        resolved = src.resolve()
        if resolved in names:
            continue
        stem, n = src.stem, 2
        candidate = stem + out_ext
        # Compare case-insensitively: on Windows and macOS "Book" and "book" are one file.
        while candidate.casefold() in taken:
            candidate = f"{stem}-{n}{out_ext}"
            n += 1
        taken.add(candidate.casefold())
        names[resolved] = candidate
    return names


def _run(argv: list[str], timeout: float, label: str) -> tuple[int, str]:
    # soffice is a launcher that starts soffice.bin as a child; a new session (process
    # group) lets a timeout kill both instead of leaving an orphaned soffice.bin behind.
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kwargs["start_new_session"] = True
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            **kwargs,  # type: ignore[call-overload]
        )
    except OSError as exc:
        raise LibreOfficeError(f"cannot start LibreOffice ({argv[0]}): {exc}") from exc
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raw = _kill(proc)
        raise LibreOfficeError(
            f"LibreOffice timed out after {timeout:g} s converting {label}",
            raw.decode("utf-8", "replace"),
        ) from None
    except BaseException:  # e.g. KeyboardInterrupt: do not leave soffice running
        _kill(proc)
        raise
    return proc.returncode, raw.decode("utf-8", "replace")


def _kill(proc: subprocess.Popen[bytes]) -> bytes:
    try:
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        raw, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        # A grandchild that left the process group may still hold the pipe open.
        return b""
    return raw or b""


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _replace_into(produced: Path, dest: Path) -> None:
    # Move next to the destination first, then rename over it, so a reader never sees a
    # half-copied file when the temp folder is on another file system.
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.partial")
    shutil.move(produced, tmp)
    os.replace(tmp, dest)


def _summary(output: str, limit: int = 300) -> str:
    # Drop noise that every run prints (the Java probe warning, the per-file progress
    # line) so the message shows the actual complaint.
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and "javaldx" not in line and not line.startswith("convert ")
    ]
    text = " | ".join(lines)
    if not text:
        return ""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f": {text}"
