"""Control references in the other forms (B-02 管理策, B-03 管理策, …) from 2013 ids to 2022 ids.

A 2013 id becomes the 2022 control(s) the correspondence maps it to — both 5.36 and 8.8 for the
split A.18.2.3, flagged so that a person keeps the one that fits the risk. Ids already on 2022
stay; pieces that are no control id stay as written, flagged.

Pure module: no Excel library is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from isms_xl.catalog import load_catalog
from isms_xl.controls import control_version, parse_controls, short_id
from isms_xl.migrate.soa import targets_by_control
from isms_xl.schema import FormSpec, Kind, Layout


@dataclass(frozen=True)
class RefChange:
    old_text: str
    new_text: str
    ids: tuple[str, ...]  # canonical 2022 ids after migration
    converted: tuple[str, ...] = ()  # the 2013 ids that were mapped
    split: tuple[str, ...] = ()  # 2013 ids that became two controls
    unknown: tuple[str, ...] = ()  # pieces that are no control of either catalog (kept as written)

    @property
    def changed(self) -> bool:
        # Only a 2013 id is a reason to touch the cell: "A.5.15" already is 2022, however written.
        return bool(self.converted)


def control_columns(spec: FormSpec) -> tuple[str, ...]:
    """Keys of the columns that hold Annex A references (the SoA itself is migrated whole)."""
    if spec.form_id == "A-02" or spec.layout is not Layout.TABLE:
        return ()
    return tuple(c.key for c in spec.columns if c.kind is Kind.CONTROLS and not c.is_computed)


def migrate_refs(value: object) -> RefChange | None:
    """The cell's references on 2022, or None when the cell holds no control id at all."""
    if value is None:
        return None
    old_text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    parsed = parse_controls(old_text)
    if not parsed.ids:
        return None
    targets = targets_by_control()
    c2013, c2022 = load_catalog("2013"), load_catalog("2022")
    ids: list[str] = []
    split: list[str] = []
    unknown = list(parsed.invalid)
    converted: list[str] = []
    for cid in parsed.ids:
        if control_version(cid) == "2013" and cid in c2013:
            converted.append(cid)
            mapped = targets[cid]
            if len(mapped) > 1:
                split.append(cid)
            ids += mapped
        elif cid in c2022:
            ids.append(cid)
        else:
            unknown.append(cid)
    ids = list(dict.fromkeys(ids))
    if not ids and not unknown:
        return None
    pieces = [short_id(i) for i in ids] + unknown
    return RefChange(old_text, ", ".join(pieces), tuple(ids), tuple(converted), tuple(split), tuple(unknown))
