"""The wheel users install, also into xlwings Lite (Pyodide): pure Python, and nothing in its
requirements that Pyodide cannot load."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_is_pure_python(tmp_path):
    pytest.importorskip("build")
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = Parser().parsestr(z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dylib", ".dll"))]
    assert {"isms_xl/lite.py", "isms_xl/macros.py", "isms_xl/excel/__init__.py", "isms_xl/excel/layer.py"} <= set(names)
    requires = meta.get_all("Requires-Dist")
    # python-calamine (Rust) is the one compiled dependency; Pyodide does not get it.
    calamine = [r for r in requires if r.startswith("python-calamine")]
    assert calamine and all("sys_platform != \"emscripten\"" in r for r in calamine)
    assert any(r.startswith("xlwings") and 'extra == "excel"' in r for r in requires)
