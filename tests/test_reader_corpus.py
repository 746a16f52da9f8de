"""The reader on 993 real Excel-saved workbooks that are not ISMS forms (XlsxWriter's comparison
files in /work/shared/corpus/excel, read-only): each either reads to forms or is refused with an
``IsmsXlError`` — mostly UnknownFormError "not an ISMS form" — with a one-line message naming the
file; never any other exception, never a hang.

Each file is read in a child process that reports one JSON line per file; a file that takes longer
than ``PER_FILE_SECONDS`` gets the child killed (a hang inside the Rust reader would not return to
Python for ``signal.alarm``) and a new child goes on with the next file.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from isms_xl.errors import UnknownFormError
from isms_xl.reader import read_workbook

CORPUS = Path("/work/shared/corpus/excel")
FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"))
PER_FILE_SECONDS = 20.0

pytestmark = pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")

# The child: reads each path given on stdin, prints one JSON line per file.
CHILD = r"""
import json, sys, traceback
from isms_xl.errors import IsmsXlError
from isms_xl.reader import read_workbook

for line in sys.stdin:
    path = line.rstrip("\n")
    try:
        forms = read_workbook(path)
        for form in forms:  # a form that reads must be usable
            form.to_frame()
            for record in form.records:
                record.cells
        out = {"outcome": "form", "forms": [f.form_id for f in forms],
               "records": sum(len(f.records) for f in forms),
               "findings": sorted({x.rule for f in forms for x in f.findings})}
    except IsmsXlError as err:
        out = {"outcome": "refused", "error": type(err).__name__, "reason": getattr(err, "reason", ""),
               "exit_code": int(err.exit_code), "ja": err.message("ja"), "en": err.message("en")}
    except BaseException as err:  # noqa: BLE001 - what the test is looking for
        out = {"outcome": "crash", "error": type(err).__name__, "message": str(err)[:500],
               "traceback": traceback.format_exc()[-2000:]}
    print(json.dumps({"path": path, **out}, ensure_ascii=False), flush=True)
"""


def _read_all(paths: list[Path], timeout: float = PER_FILE_SECONDS, child_code: str = CHILD) -> dict[str, dict]:
    """Outcome per file name; a child that stays silent past ``timeout`` on a file is killed, the
    file recorded as a hang, and a new child continues after it."""
    results: dict[str, dict] = {}
    todo = [str(p) for p in paths]
    while todo:
        child = subprocess.Popen([sys.executable, "-c", child_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, encoding="utf-8", cwd=os.getcwd())
        child.stdin.write("".join(p + "\n" for p in todo))
        child.stdin.close()
        sel = selectors.DefaultSelector()
        sel.register(child.stdout, selectors.EVENT_READ)
        started = time.monotonic()  # the first file also pays for the child's imports
        while todo:
            if not sel.select(timeout=timeout + (5 if not results else 0)):
                results[Path(todo[0]).name] = {"outcome": "hang", "seconds": time.monotonic() - started}
                child.kill()
                todo.pop(0)
                break
            line = child.stdout.readline()
            if not line:  # the child died (a crash of the interpreter itself)
                results[Path(todo[0]).name] = {"outcome": "died", "returncode": child.wait()}
                todo.pop(0)
                break
            out = json.loads(line)
            assert out["path"] == todo[0]
            results[Path(todo.pop(0)).name] = out
            started = time.monotonic()
        child.stdout.close()
        child.wait()
    return results


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict]:
    return _read_all(FILES)


def test_corpus_has_the_expected_size():
    assert len(FILES) == 993


def test_every_corpus_file_reads_or_is_refused_cleanly(outcomes):
    kinds = Counter(o["outcome"] if o["outcome"] != "refused" else f"refused:{o['error']}:{o['reason']}"
                    for o in outcomes.values())
    print("\ncorpus outcomes:", dict(sorted(kinds.items())))
    bad = {name: o for name, o in outcomes.items() if o["outcome"] not in ("form", "refused")}
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)[:5000]
    assert len(outcomes) == len(FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file(outcomes, path):
    out = outcomes[path.name]
    assert out["outcome"] in ("form", "refused"), out
    if out["outcome"] == "refused":
        for lang in ("ja", "en"):
            assert "\n" not in out[lang] and str(path) in out[lang], out


def test_most_corpus_files_are_not_isms_forms(outcomes):
    unknown = sum(1 for o in outcomes.values() if o.get("error") == "UnknownFormError")
    assert unknown >= 0.95 * len(FILES)


def test_a_hang_is_caught_and_the_next_file_still_read(tmp_path):
    """The harness itself: a child that stops answering on a file is killed, the file recorded as a
    hang, and a new child reads the files after it."""
    hanging = CHILD.replace("        forms = read_workbook(path)\n",
                            "        if path.endswith('hang.xlsx'):\n            import time; time.sleep(3600)\n"
                            "        forms = read_workbook(path)\n")
    assert hanging != CHILD
    t0 = time.monotonic()
    results = _read_all([tmp_path / "hang.xlsx", FILES[0], FILES[1]], timeout=2, child_code=hanging)
    assert results["hang.xlsx"]["outcome"] == "hang"
    assert {results[p.name]["outcome"] for p in FILES[:2]} <= {"form", "refused"}
    assert time.monotonic() - t0 < 30


# Files whose names merely contain "a02"/"b12"-like runs must not be taken for ISMS forms.
NAMED_LIKE_A_FORM = ["array_formula02.xlsx", "chart_area02.xlsx", "print_area02.xlsx"]


@pytest.mark.parametrize("name", NAMED_LIKE_A_FORM)
def test_a_file_name_containing_a02_is_not_an_isms_form(name):
    with pytest.raises(UnknownFormError):
        read_workbook(CORPUS / name)


def test_a_generated_workbook_named_tab12_is_not_an_isms_form(tmp_path):
    import xlsxwriter

    path = tmp_path / "tab12.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["品名", "数量", "単価"])
    ws.write_row(1, 0, ["りんご", 3, 120])
    wb.close()
    with pytest.raises(UnknownFormError):
        read_workbook(path)
