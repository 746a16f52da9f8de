"""Per-folder configuration: ``isms_xl.toml`` beside the workbooks. Defaults are the manual's.

Example::

    [annex]
    version = "2022"            # or "2013"

    [fiscal_year]
    start_month = 4             # Japanese fiscal year starts in April

    [method]
    formula = "additive"        # impact × (threat + vulnerability); or multiplicative / matrix
    accept_max = 6              # ≤ 6 原則受容
    acceptable_max = 9          # 8–9 受容可能, above リスク対応
    [method.labels]             # optional
    accept = "原則受容"
    [method.colours]            # optional, fill and font per band
    treat = { fill = "FFC7CE", font = "9C0006" }

    [organisation]
    name = "株式会社サンプル"
    departments = ["営業部門", "技術部門", "管理部門"]
    [organisation.roles]            # TOML needs quotes around non-ASCII keys
    "社長" = ["山田 太郎"]
    [[organisation.staff]]
    name = "佐藤 花子"
    department = "技術部門"

    [forms]                         # workbooks that do not say which form they hold
    "台帳/リスク台帳.xlsx" = "B-02"   # path from this folder (as --form for isms-xl read)

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from isms_xl.catalog import VERSIONS
from isms_xl.errors import ConfigError
from isms_xl.method import DEFAULT_BANDS, FORMULAS, Method

CONFIG_NAME = "isms_xl.toml"
DEFAULT_DEPARTMENTS = ("営業部門", "技術部門", "管理部門")  # manual §5.3.1
ROLES = ("社長", "ISMS管理責任者", "ISMS事務局", "部門長", "ISMS推進委員")


@dataclass(frozen=True)
class Person:
    name: str
    department: str = ""
    joined_on: str = ""


@dataclass(frozen=True)
class Organisation:
    name: str = ""
    departments: tuple[str, ...] = DEFAULT_DEPARTMENTS
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    staff: tuple[Person, ...] = ()

    @property
    def configured(self) -> bool:
        """Checks that need people are skipped (with an info finding) when nothing is configured."""
        return bool(self.roles or self.staff)

    def holders(self, role: str) -> tuple[str, ...]:
        return self.roles.get(role, ())


@dataclass(frozen=True)
class Config:
    annex_version: str = "2022"
    fiscal_year_start: int = 4
    method: Method = field(default_factory=Method)
    organisation: Organisation = field(default_factory=Organisation)
    source: Path | None = None
    #: [forms]: workbook path from the folder (forward slashes) -> the form it holds ("B-02").
    forms: dict[str, str] = field(default_factory=dict)

    def fiscal_year(self, day) -> int:
        """The fiscal year a date belongs to, named by the calendar year it starts in."""
        return day.year if day.month >= self.fiscal_year_start else day.year - 1

    def form_of(self, path: Path | str) -> str | None:
        """The form [forms] says the workbook at ``path`` holds, or None."""
        if not self.forms or self.source is None:
            return None
        try:
            rel = Path(path).absolute().relative_to(self.source.parent.absolute()).as_posix()
        except ValueError:
            return None  # not in this folder
        if rel in self.forms:
            return self.forms[rel]
        # Windows and macOS do not tell file names apart by case: neither does a key, unless two
        # keys differ only by it.
        same = [form for key, form in self.forms.items() if key.casefold() == rel.casefold()]
        return same[0] if len(same) == 1 else None


def load_config(folder: Path | str | None) -> Config:
    """The folder's ``isms_xl.toml`` (or the file itself), or defaults when there is none."""
    if folder is None:
        return Config()
    path = Path(folder)
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: TOML として読めません: {exc}", f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(data, source=path)


def config_for(path: Path | str) -> Config:
    """The configuration of the workbook at ``path``: the nearest ``isms_xl.toml`` in its folder or
    a folder above (an ISMS folder keeps one at its top; its workbooks may sit in subfolders, and
    a check of the folder reads them all with that one)."""
    folder = Path(path).absolute().parent
    for candidate in (folder, *folder.parents):
        try:
            if (candidate / CONFIG_NAME).is_file():
                return load_config(candidate / CONFIG_NAME)
        except OSError:  # a folder above that cannot be looked into
            break
    return Config()


def config_from_dict(data: dict[str, Any], source: Path | None = None) -> Config:
    where = str(source or CONFIG_NAME)
    annex = str(data.get("annex", {}).get("version", "2022"))
    if annex not in VERSIONS:
        raise ConfigError(f"{where}: [annex] version = {annex!r}; expected one of {', '.join(VERSIONS)}")
    start = data.get("fiscal_year", {}).get("start_month", 4)
    if not isinstance(start, int) or not 1 <= start <= 12:
        raise ConfigError(f"{where}: [fiscal_year] start_month = {start!r}; expected 1–12")
    return Config(
        annex_version=annex,
        fiscal_year_start=start,
        method=_method(data.get("method", {}), where),
        organisation=_organisation(data.get("organisation", {}), where),
        source=source,
        forms=_forms(data.get("forms", {}), where),
    )


def _forms(section: dict[str, Any], where: str) -> dict[str, str]:
    from isms_xl.forms import parse_form_id  # the forms' declarations are not needed for the rest

    out = {}
    for name, form_id in section.items():
        parsed = parse_form_id(form_id) if isinstance(form_id, str) else None
        if parsed is None:
            raise ConfigError(f"{where}: [forms] \"{name}\" = {form_id!r}: 様式番号ではありません（例: \"B-02\"）",
                              f"{where}: [forms] \"{name}\" = {form_id!r} is not a form (e.g. \"B-02\")")
        out[Path(name.replace("\\", "/")).as_posix()] = parsed
    return out


def _method(section: dict[str, Any], where: str) -> Method:
    formula = section.get("formula", "additive")
    if formula not in FORMULAS:
        raise ConfigError(f"{where}: [method] formula = {formula!r}; expected one of {', '.join(FORMULAS)}")
    labels = section.get("labels", {})
    colours = section.get("colours", {})
    bands = tuple(
        replace(
            band,
            ja=labels.get(band.key, band.ja),
            fill=colours.get(band.key, {}).get("fill", band.fill).lstrip("#").upper(),
            font=colours.get(band.key, {}).get("font", band.font).lstrip("#").upper(),
        )
        for band in DEFAULT_BANDS
    )
    kwargs: dict[str, Any] = {"formula": formula, "bands": bands}
    for key in ("accept_max", "acceptable_max"):
        if key in section:
            kwargs[key] = section[key]
    if "matrix" in section:
        kwargs["matrix"] = tuple(tuple(int(v) for v in row) for row in section["matrix"])
    settings = dict(Method().settings)
    for key, value in section.get("settings", {}).items():
        settings[key] = tuple(tuple(v) for v in value) if isinstance(value, list) else value
    try:
        return Method(**kwargs, settings=settings)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: [method] {exc}") from None


def _organisation(section: dict[str, Any], where: str) -> Organisation:
    roles = {}
    for role, names in section.get("roles", {}).items():
        roles[role] = (names,) if isinstance(names, str) else tuple(names)
    staff = tuple(
        Person(str(p.get("name", "")), str(p.get("department", "")), str(p.get("joined_on", "")))
        for p in section.get("staff", [])
    )
    if any(not p.name for p in staff):
        raise ConfigError(f"{where}: [[organisation.staff]] entry without a name")
    return Organisation(
        name=str(section.get("name", "")),
        departments=tuple(section.get("departments", DEFAULT_DEPARTMENTS)),
        roles=roles,
        staff=staff,
    )
