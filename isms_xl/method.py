"""The risk method of the manual (§6.1.2 – §6.1.11) as one definition.

The same object computes in Python and writes the Excel formula and conditional-format rules, so
templates, recomputation and checks agree by construction. Everything here is configuration with
the manual's values as defaults (see config.py for ``isms_xl.toml``).

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import add, mul
from typing import Any

LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class BandStyle:
    key: str  # accept / acceptable / treat
    ja: str
    en: str
    fill: str  # RRGGBB
    font: str  # RRGGBB


DEFAULT_BANDS = (
    BandStyle("accept", "原則受容", "Accept in principle", "C6EFCE", "006100"),
    BandStyle("acceptable", "受容可能", "Acceptable case by case", "FFEB9C", "9C5700"),
    BandStyle("treat", "リスク対応", "Treat", "FFC7CE", "9C0006"),
)

# The manual's acceptance table (rows: impact 1..3; columns: (threat, vulnerability) 1,1 … 3,3).
MANUAL_TABLE = (
    (2, 3, 4, 3, 4, 5, 4, 5, 6),
    (4, 6, 8, 6, 8, 10, 8, 10, 12),
    (6, 9, 12, 9, 12, 15, 12, 15, 18),
)

FORMULAS = ("additive", "multiplicative", "matrix")


def _default_settings() -> dict[str, Any]:
    return {
        # B-17: a new supplier passes at 70 % of the maximum score (forms.md B-17).
        "b17_pass_ratio": 0.7,
        # B-18: five criteria scored 1–3 (5–15): lower bounds of 継続 and 条件付継続.
        "b18_grades": ((12, "継続"), (9, "条件付継続")),
    }


@dataclass(frozen=True)
class Method:
    """Risk value formula, evaluation bands and their colours, plus form settings."""

    formula: str = "additive"
    accept_max: float = 6  # ≤ 6: 原則受容
    acceptable_max: float = 9  # 8, 9: 受容可能; above: リスク対応
    bands: tuple[BandStyle, BandStyle, BandStyle] = DEFAULT_BANDS
    matrix: tuple[tuple[int, ...], ...] = MANUAL_TABLE
    settings: dict[str, Any] = field(default_factory=_default_settings)

    def __post_init__(self) -> None:
        if self.formula not in FORMULAS:
            raise ValueError(f"unknown risk formula {self.formula!r}; choose one of {', '.join(FORMULAS)}")
        if not self.accept_max < self.acceptable_max:
            raise ValueError("accept_max must be below acceptable_max")

    # --- Python -------------------------------------------------------------------------------
    def risk_value(self, impact: float, threat: float, vulnerability: float) -> float:
        if self.formula == "additive":
            return impact * (threat + vulnerability)
        if self.formula == "multiplicative":
            return impact * threat * vulnerability
        return self.matrix[int(impact) - 1][(int(threat) - 1) * 3 + int(vulnerability) - 1]

    def risk_values(self, impacts: Sequence[float], threats: Sequence[float],
                    vulnerabilities: Sequence[float]) -> list[float]:
        """``risk_value`` of each row, given columns of numbers: in C for the two formulas."""
        if self.formula == "additive":
            return list(map(mul, impacts, map(add, threats, vulnerabilities)))
        if self.formula == "multiplicative":
            return list(map(mul, map(mul, impacts, threats), vulnerabilities))
        return list(map(self.risk_value, impacts, threats, vulnerabilities))

    def band(self, value: float) -> BandStyle:
        if value <= self.accept_max:
            return self.bands[0]
        if value <= self.acceptable_max:
            return self.bands[1]
        return self.bands[2]

    def band_label(self, value: float, lang: str = "ja") -> str:
        band = self.band(value)
        return band.ja if lang == "ja" else band.en

    def band_by_label(self, label: str) -> BandStyle | None:
        for band in self.bands:
            if label in (band.ja, band.en, band.key):
                return band
        return None

    def setting(self, name: str) -> Any:
        return self.settings[name]

    def possible_values(self) -> list[float]:
        return sorted({self.risk_value(i, t, v) for i in LEVELS for t in LEVELS for v in LEVELS})

    # --- Excel --------------------------------------------------------------------------------
    def risk_excel(self, impact: str, threat: str, vulnerability: str) -> str:
        if self.formula == "additive":
            return f"{impact}*({threat}+{vulnerability})"
        if self.formula == "multiplicative":
            return f"{impact}*{threat}*{vulnerability}"
        rows = ";".join(",".join(str(v) for v in row) for row in self.matrix)
        return f"INDEX({{{rows}}},{impact},({threat}-1)*3+{vulnerability})"

    def band_excel(self, ref: str) -> str:
        a, b, c = (band.ja for band in self.bands)
        return f'IF({ref}<={_num(self.accept_max)},"{a}",IF({ref}<={_num(self.acceptable_max)},"{b}","{c}"))'

    def band_conditions(self, value_ref: str) -> list[tuple[BandStyle, str]]:
        """Conditional-format formulas, one per band, for a cell whose value is a risk value
        (``value_ref`` is the top-left cell of the range, relative)."""
        lo, hi = _num(self.accept_max), _num(self.acceptable_max)
        return [
            (self.bands[0], f"AND(ISNUMBER({value_ref}),{value_ref}<={lo})"),
            (self.bands[1], f"AND(ISNUMBER({value_ref}),{value_ref}>{lo},{value_ref}<={hi})"),
            (self.bands[2], f"AND(ISNUMBER({value_ref}),{value_ref}>{hi})"),
        ]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


DEFAULT_METHOD = Method()
