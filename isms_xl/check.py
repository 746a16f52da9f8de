"""Check a whole ISMS folder: read every form workbook in it, run every rule, apply the
suppressions, and return the run as data (reports and history are built from it).

A workbook that cannot be read is reported, not fatal; a workbook that is not an ISMS form (a
personal file left in the folder) is noted and skipped; forms missing from the folder are listed
and the rules that need them are skipped with one info finding each.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from isms_xl import __version__
from isms_xl.config import Config, load_config
from isms_xl.errors import IsmsXlError, UnknownFormError
from isms_xl.findings import Finding, Severity
from isms_xl.forms import FORMS
from isms_xl.layout import col_index
from isms_xl.reader import gc_paused, read_workbook
from isms_xl.reader.model import Form
from isms_xl.rules import CheckContext, run_rules
from isms_xl.rules.registry import rule_order
from isms_xl.suppress import Suppression, apply_suppressions, load_suppressions

SKIP_DIRS = {".isms_xl_backup", ".isms_xl", "__pycache__"}
# The Excel button console `isms-xl excel setup` puts beside the forms (excel/console.py): a tool,
# not a form, so neither the check nor recompute reads it.
SKIP_FILES = {"isms_xl.macros.xlsm"}
PATTERNS = ("*.xlsx", "*.xlsm")
_READERS = 2  # workbooks read at once (more gains nothing: the rest of reading holds the GIL)


@dataclass(frozen=True)
class Problem:
    """A workbook that could not be read, or was skipped."""

    workbook: str
    kind: str  # "unreadable" / "not_a_form" / "duplicate"
    message_ja: str
    message_en: str
    exit_code: int = 0


@dataclass
class CheckRun:
    folder: Path
    today: dt.date
    checked_at: dt.datetime
    config: Config
    forms: dict[str, Form]
    findings: list[Finding]
    suppressed: list[tuple[Finding, Suppression]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    version: str = __version__
    #: Seconds spent reading the workbooks ("read") and running the rules ("rules"): where a slow
    #: nightly run spends its time (benchmarks/bench_check.py prints them).
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def missing_forms(self) -> list[str]:
        return [f for f in FORMS if f not in self.forms]

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def at_or_above(self, level: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= level.rank]

    @property
    def unreadable(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "unreadable"]


def find_workbooks(folder: Path) -> list[Path]:
    """Form workbooks under ``folder``: .xlsx/.xlsm, not Excel's ~$ owner files, not our backups."""
    found = []
    for pattern in PATTERNS:
        for path in folder.rglob(pattern):
            rel = path.relative_to(folder)
            if not path.is_file() or path.name.startswith(("~$", ".~lock.", ".")) or path.name in SKIP_FILES or any(p in SKIP_DIRS or p.startswith(".") for p in rel.parts[:-1]):
                continue
            found.append(path)
    return sorted(found)


def check_folder(folder: Path | str, *, today: dt.date | None = None, config: Config | None = None,
                 progress: Callable[[Path], None] | None = None, only_rules: list[str] | None = None,
                 overrides: dict[Path, list[Form]] | None = None) -> CheckRun:
    """``overrides``: forms to check instead of those in a workbook's file (an open workbook's
    unsaved state, read from Excel); an empty list leaves the workbook out.

    The cyclic garbage collector is paused for the whole run, as ``read_workbook`` pauses it
    for one workbook: a large folder makes millions of objects that all stay alive until the run
    ends, and each collection the rules' allocations would trigger walks all of them again
    (~0.3 s of benchmarks/bench_check.py). Nothing here makes reference cycles to collect."""
    with gc_paused():
        return _check_folder(folder, today=today, config=config, progress=progress, only_rules=only_rules,
                             overrides=overrides)


def _check_folder(folder: Path | str, *, today: dt.date | None, config: Config | None,
                  progress: Callable[[Path], None] | None, only_rules: list[str] | None,
                  overrides: dict[Path, list[Form]] | None) -> CheckRun:
    folder = Path(folder)
    config = config if config is not None else load_config(folder)
    today = today or dt.date.today()
    forms: dict[str, Form] = {}
    problems: list[Problem] = []
    started = time.perf_counter()
    for path, read in _read_all(find_workbooks(folder), config):
        if progress:
            progress(path)
        rel = str(path.relative_to(folder))
        if isinstance(read, UnknownFormError):
            problems.append(Problem(rel, "not_a_form", read.message_ja, read.message_en, int(read.exit_code)))
            continue
        if isinstance(read, IsmsXlError):
            problems.append(Problem(rel, "unreadable", read.message_ja, read.message_en, int(read.exit_code)))
            continue
        for form in read:
            if form.form_id in forms:
                first = str(forms[form.form_id].path.relative_to(folder))
                problems.append(Problem(rel, "duplicate",
                                        f"{form.form_id} が {first} にもあります。{first} を確認に使いました",
                                        f"{form.form_id} is also in {first}; {first} was checked"))
                continue
            forms[form.form_id] = form
    if overrides:
        _override(folder, forms, problems, overrides)
    ctx = CheckContext(forms, config, today, folder)
    read_done = time.perf_counter()
    findings = list(run_rules(ctx, only_rules))
    rules_done = time.perf_counter()
    suppressions = load_suppressions(folder)
    kept, suppressed, expired = apply_suppressions(findings, suppressions, today)
    run = CheckRun(folder, today, dt.datetime.now(dt.UTC).replace(microsecond=0), config, forms,
                   kept + expired, suppressed, problems,
                   timings={"read": read_done - started, "rules": rules_done - read_done})
    run.findings.sort(key=_order)
    return run


def _read_all(paths: list[Path], config: Config) -> Iterator[tuple[Path, list[Form] | IsmsXlError]]:
    """Each workbook's forms (or the error that refused it), in the order of ``paths``.

    Two at a time: python-calamine releases the GIL while it parses, so one workbook's parse
    runs beside the next one's safety scan and record building (benchmarks/bench_check.py).
    The largest files start first: a folder's time is mostly its largest register, and one
    started last (its name sorts last) would be read alone after all the others.
    The collector is paused for the whole folder, as ``read_workbook`` pauses it for one.
    """

    def one(path: Path) -> list[Form] | IsmsXlError:
        try:
            return read_workbook(path, config)
        except IsmsXlError as err:
            return err

    with gc_paused(), ThreadPoolExecutor(max_workers=_READERS) as pool:
        started = {path: pool.submit(one, path) for path in sorted(paths, key=_size, reverse=True)}
        for path in paths:
            yield path, started[path].result()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_workbook says what is wrong with it


def _order(f: Finding) -> tuple:
    return (f.form or "", rule_order(f.rule), f.workbook or "", f.sheet or "", _cell_key(f.cell), f.record or "")


def _cell_key(cell: str | None) -> tuple[int, int]:
    if not cell:
        return (0, 0)
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits or 0), col_index(letters) + 1)


def _override(folder: Path, forms: dict[str, Form], problems: list[Problem],
              overrides: dict[Path, list[Form]]) -> None:
    """Put each overriding workbook's forms in place of what its file gave."""
    for path, replacing in overrides.items():
        path = Path(path).resolve()
        for form_id in [k for k, f in forms.items() if f.path.resolve() == path]:
            del forms[form_id]
        try:
            rel = str(path.relative_to(folder.resolve()))
        except ValueError:
            rel = path.name
        problems[:] = [p for p in problems if p.workbook != rel]
        for form in replacing:
            forms[form.form_id] = form  # the workbook open in Excel is what the user sees
