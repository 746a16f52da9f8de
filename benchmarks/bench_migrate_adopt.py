"""Timing of migrate-soa and adopt: a random 2013 SoA (114 rows) migrated, and a foreign asset
register of ROWS rows (English headers, a mapping file) adopted into B-01, then read back.

    python benchmarks/bench_migrate_adopt.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import timed  # noqa: E402

from isms_xl.adopt.run import adopt_file  # noqa: E402
from isms_xl.migrate.run import migrate_soa_file  # noqa: E402
from isms_xl.reader import read_form  # noqa: E402
from tests.foreign import ISO27K_ASSETS_HEADERS, ISO27K_CATEGORIES, write_sheet  # noqa: E402
from tests.soa2013 import random_rows, write_soa_2013  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000



def main() -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        old = write_soa_2013(d / "old.xlsx", random_rows(rng))
        t = timed(lambda: migrate_soa_file(old, d / "new.xlsx", force=True))
        print(f"migrate-soa 114 → 93 controls (A-02, report xlsx + txt): {t * 1000:.0f} ms")
        cats = list(ISO27K_CATEGORIES)
        rows = [[f"IA-{i:05d}", f"asset {i}", cats[i % 4], f"owner {i % 50}", ["Sales", "IT", "Admin"][i % 3],
                 "Tokyo", 1 + i % 3, 1 + (i // 3) % 3, 1 + (i // 9) % 3, None] for i in range(ROWS)]
        src = write_sheet(d / "assets.xlsx", "inventory", ISO27K_ASSETS_HEADERS, rows)
        mapping = d / "map.toml"
        mapping.write_text('[columns]\ndepartment = "Business unit"\n[values.category]\n'
                           + "".join(f'"{k}" = "{v}"\n' for k, v in ISO27K_CATEGORIES.items()), encoding="utf-8")
        t = timed(lambda: adopt_file(src, d / "b01.xlsx", "B-01", mapping=mapping, force=True))
        n = len(read_form(d / "b01.xlsx").records)
        print(f"adopt {n} asset rows into B-01 (decide, convert, write, read back): {t:.2f} s "
              f"({t / n * 1e6:.0f} µs per row)")


if __name__ == "__main__":
    main()
