"""The xlwings Lite scripts, run the way xlwings Lite and Server run them
(``xlwings.server.custom_scripts_call`` with ``XLWINGS_ON_SERVER=true``), in a separate process:
the decorators only register scripts when that variable is set at import time. The process
cannot import python-calamine, which isms-xl does not require under Pyodide."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xlbooks import file_grids, payload, requires_remote

pytestmark = requires_remote

ROOT = Path(__file__).resolve().parent.parent
B02 = "ISMS-B-02_リスクアセスメント結果表.xlsx"

RUNNER = r'''
import asyncio, json, sys
sys.modules["python_calamine"] = None  # as in Pyodide, where isms-xl does not install it
import xlwings as xw
from xlwings.server import custom_scripts_call, custom_scripts_meta
import isms_xl.lite as lite

payload = json.load(open(sys.argv[1], encoding="utf-8"))
out = {"meta": custom_scripts_meta(lite), "runs": {}}
for name in ("isms_recompute", "isms_check", "isms_pack"):
    book = xw.Book(json=payload)
    asyncio.run(custom_scripts_call(lite, name, typehint_to_value={xw.Book: book}))
    out["runs"][name] = book.json()["actions"]
print(json.dumps(out, ensure_ascii=False, default=str))
'''


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    from isms_xl.demo import generate_demo

    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=dt.date(2026, 11, 26))
    grids = file_grids(folder / B02)
    grids["ISMS"] = [["isms_xl"]]  # the sheet the Lite buttons sit on
    data = tmp_path_factory.mktemp("lite") / "payload.json"
    data.write_text(json.dumps(payload(B02, grids, active=1), ensure_ascii=False), encoding="utf-8")
    script = data.with_name("run_lite.py")
    script.write_text(RUNNER, encoding="utf-8")
    env = dict(os.environ, XLWINGS_ON_SERVER="true", PYTHONPATH=str(ROOT), ISMS_XL_LANG="ja")
    done = subprocess.run([sys.executable, str(script), str(data)], capture_output=True, text=True, env=env,
                          cwd=tmp_path_factory.mktemp("cwd"), timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_three_scripts_are_registered_with_their_buttons(ran):
    from isms_xl.lite import BUTTONS

    meta = {m["function_name"]: m for m in ran["meta"]}
    assert set(meta) == set(BUTTONS)
    assert {name: m["button"] for name, m in meta.items()} == BUTTONS


def test_recompute_script_colours_the_form_from_the_buttons_sheet(ran):
    funcs = [a["func"] for a in ran["runs"]["isms_recompute"]]
    assert funcs == ["setRangeColors"] * 4 + ["alert"]
    assert "B-02" in ran["runs"]["isms_recompute"][-1]["args"][0]


def test_check_script_writes_the_findings_of_this_workbook(ran):
    sent = ran["runs"]["isms_check"]
    assert [a["args"] for a in sent if a["func"] == "addSheet"] == [[2, "検査結果"]]
    table = next(a for a in sent if a["func"] == "setFormula")
    rules = {row[1] for row in table["values"][1:]}
    assert {"RISK-001", "RISK-002"} <= rules  # B-02's own rules; the folder's cross-checks need B-01
    assert {row[2] for row in table["values"][1:]} == {"B-02"}  # no line per rule the folder would need
    assert "検査しました（1 様式）" in sent[-1]["args"][0]


def test_pack_script_says_it_is_not_available_in_lite(ran):
    from isms_xl.lite import PACK_IN_LITE

    assert [(a["func"], a["args"][0]) for a in ran["runs"]["isms_pack"]] == [("alert", PACK_IN_LITE[0])]
