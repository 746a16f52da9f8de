"""The demo folder the XREF rule tests share (test_rules_xref_a.py, test_rules_xref_b.py):
generated and read once per module; every test gets a fresh CheckContext over it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from pathlib import Path

import pytest

from isms_xl.config import load_config
from isms_xl.demo import generate_demo
from isms_xl.reader import read_form
from isms_xl.rules import CheckContext

AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, as_of=AS_OF)
    forms = {f.form_id: f for f in (read_form(p) for p in sorted(folder.glob("*.xlsx")))}
    defects = json.loads((folder / "seeded_defects.json").read_text(encoding="utf-8"))["defects"]
    return folder, forms, defects


@pytest.fixture
def ctx(demo) -> CheckContext:
    folder, forms, _ = demo
    return CheckContext(dict(forms), load_config(folder), AS_OF, folder)


def seeded(demo, rule_id: str) -> dict:
    [defect] = [d for d in demo[2] if d["rule"] == rule_id]
    return defect


def changed_at_random(forms: dict, choices: dict[str, dict[str, list]], seed: int, share: float) -> dict:
    """The forms with copies of those in ``choices`` whose records had each listed value replaced,
    with probability ``share``, by one of its choices (the rule tests' oracles read them next)."""
    rng = random.Random(seed)
    out = dict(forms)
    for form_id, by_key in choices.items():
        form = out[form_id] = copy.deepcopy(forms[form_id])
        for record in form.records:
            for key, values in by_key.items():
                if rng.random() < share:
                    record.values[key] = rng.choice(values)
    return out
