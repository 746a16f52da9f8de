"""The package's own entry points (README's examples), imported lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import isms_xl
from isms_xl.check import check_folder
from isms_xl.reader import read_form, read_workbook


def test_entry_points_are_the_library_functions():
    assert isms_xl.read_form is read_form
    assert isms_xl.read_workbook is read_workbook
    assert isms_xl.check_folder is check_folder
    assert set(isms_xl.__all__) == {"__version__", "read_form", "read_workbook", "check_folder"}
    with pytest.raises(AttributeError):
        isms_xl.no_such_thing  # noqa: B018


def test_importing_the_package_stays_light():
    code = "import sys, isms_xl; print(sorted(m for m in ('isms_xl.reader', 'python_calamine', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

