"""Annex A catalogs (ISO/IEC 27001:2022 and :2013) and the 2013 → 2022 correspondence.

Loaded from package data (``isms_xl/data``). Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

VERSIONS = ("2022", "2013")

# The 11 controls new in 2022 (method.md "Annex A version").
NEW_IN_2022 = ("A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16", "A.8.23", "A.8.28")


@dataclass(frozen=True)
class Control:
    control_id: str  # "A.5.15"
    title_en: str
    title_ja: str
    group: str  # 2022: theme; 2013: clause ("A.9")
    group_en: str
    group_ja: str

    def title(self, lang: str = "ja") -> str:
        return self.title_ja if lang == "ja" else self.title_en


@dataclass(frozen=True)
class Catalog:
    version: str
    controls: tuple[Control, ...]

    def __contains__(self, control_id: object) -> bool:
        return control_id in self.by_id

    def __len__(self) -> int:
        return len(self.controls)

    def __post_init__(self) -> None:
        # Built once: hashing the frozen dataclass (all its controls) on every lookup was the
        # check's hot spot on large registers.
        object.__setattr__(self, "_by_id", {c.control_id: c for c in self.controls})

    @property
    def by_id(self) -> dict[str, Control]:
        return self._by_id  # type: ignore[attr-defined]

    def get(self, control_id: str) -> Control | None:
        return self.by_id.get(control_id)


@dataclass(frozen=True)
class Correspondence:
    control_id_2013: str  # "" for controls new in 2022
    control_id_2022: str
    kind: str  # one-to-one / merged / split / new in 2022


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("isms_xl.data").joinpath(name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


_THEMES_JA = {
    "Organizational": "組織的管理策",
    "People": "人的管理策",
    "Physical": "物理的管理策",
    "Technological": "技術的管理策",
}


@cache
def load_catalog(version: str = "2022") -> Catalog:
    if version not in VERSIONS:
        raise ValueError(f"unknown Annex A version {version!r}; choose one of {', '.join(VERSIONS)}")
    if version == "2022":
        controls = tuple(
            Control(r["control_id"], r["title_en"], r["title_ja"], r["theme"], r["theme"],
                    r.get("theme_ja") or _THEMES_JA[r["theme"]])
            for r in _rows("annex_a_2022.csv")
        )
    else:
        controls = tuple(
            Control(r["control_id"], r["title_en"], r["title_ja"], r["clause"], r["clause_title"],
                    r["clause_title_ja"])
            for r in _rows("annex_a_2013.csv")
        )
    return Catalog(version, controls)


@cache
def load_correspondence() -> tuple[Correspondence, ...]:
    return tuple(
        Correspondence(r["control_id_2013"], r["control_id_2022"], r["correspondence"])
        for r in _rows("annex_a_2013_to_2022.csv")
    )
