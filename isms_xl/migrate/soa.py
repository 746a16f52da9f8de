"""Map the rows of a 2013 Statement of Applicability to the 93 controls of 2022, following the
ISO/IEC 27002:2022 Annex B correspondence (``catalog.load_correspondence``).

One-to-one controls carry their row over. A 2022 control fed by several 2013 controls (merged,
and the two fed by the split A.18.2.3) is applicable when any source was, because the 2022
control covers what each source covered; its reasons, documents and notes are joined, and
disagreements are flagged for a person. The 11 controls new in 2022 have no source: they are left
要判断 (decision needed).

Pure module: works on dicts keyed by the A-02 column keys; no Excel library is imported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from isms_xl.catalog import load_catalog, load_correspondence
from isms_xl.controls import control_version, parse_control_id, short_id
from isms_xl.forms.a02_soa import APPLICABLE, EXCLUDED, MARK

UNDECIDED = "要判断"  # written in 適用 where a person has to decide (the reader reports it)
DONE, IN_PROGRESS, NOT_STARTED = "実施済", "実施中", "未実施"
JOIN = "\n"  # texts of several source rows, one per line, as people stack them in one cell

# How a 2022 control relates to 2013 (the report's wording follows these keys).
NEW, ONE_TO_ONE, MERGED, SPLIT = "new", "one-to-one", "merged", "split"

DECIDE, REVIEW = "decide", "review"  # a flag needs a decision / a second look


@dataclass(frozen=True)
class Flag:
    code: str  # stable id, e.g. "new_control"
    level: str  # DECIDE or REVIEW
    message_ja: str
    message_en: str

    def message(self, lang: str = "ja") -> str:
        return self.message_ja if lang == "ja" else self.message_en


@dataclass(frozen=True)
class SourceRow:
    """One 2013 row as read (``values``: A-02 keys), with its 1-based sheet row for the report."""

    control_id: str
    values: Mapping[str, Any]
    row: int | None = None


@dataclass
class MigratedControl:
    control_id: str  # 2022, canonical "A.5.15"
    title_ja: str
    title_en: str
    kind: str  # NEW / ONE_TO_ONE / MERGED / SPLIT
    sources: tuple[str, ...]  # 2013 control ids the correspondence names
    values: dict[str, Any]  # the new A-02 row, keyed by column key
    found: tuple[SourceRow, ...] = ()  # the source rows present in the old SoA
    flags: list[Flag] = field(default_factory=list)

    @property
    def decision(self) -> str:
        return self.values.get("applicable") or UNDECIDED

    @property
    def needs_decision(self) -> bool:
        return self.values.get("applicable") == UNDECIDED or any(f.level == DECIDE for f in self.flags)


@dataclass
class SoaMigration:
    controls: list[MigratedControl]
    missing: tuple[str, ...] = ()  # 2013 catalog controls with no row in the old SoA
    unknown: tuple[SourceRow, ...] = ()  # rows whose id is no 2013 control
    duplicates: tuple[SourceRow, ...] = ()  # later rows repeating a 2013 control (the first is used)

    def by_id(self) -> dict[str, MigratedControl]:
        return {c.control_id: c for c in self.controls}

    @property
    def needing_decision(self) -> list[MigratedControl]:
        return [c for c in self.controls if c.needs_decision]


def sources_by_control() -> dict[str, tuple[str, ...]]:
    """2022 control -> its 2013 sources, in correspondence-table order (empty for new ones)."""
    out: dict[str, list[str]] = {c.control_id: [] for c in load_catalog("2022").controls}
    for corr in load_correspondence():
        if corr.control_id_2013:
            out[corr.control_id_2022].append(corr.control_id_2013)
    return {k: tuple(v) for k, v in out.items()}


def targets_by_control() -> dict[str, tuple[str, ...]]:
    """2013 control -> the 2022 controls it maps to (two for the split A.18.2.3)."""
    out: dict[str, list[str]] = {}
    for corr in load_correspondence():
        if corr.control_id_2013:
            out.setdefault(corr.control_id_2013, []).append(corr.control_id_2022)
    return {k: tuple(v) for k, v in out.items()}


def _kind(sources: tuple[str, ...], targets: dict[str, tuple[str, ...]]) -> str:
    if not sources:
        return NEW
    if len(sources) > 1:
        return MERGED
    return SPLIT if len(targets[sources[0]]) > 1 else ONE_TO_ONE


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value).strip()


def _joined(texts: Iterable[str]) -> str | None:
    distinct = list(dict.fromkeys(t for t in texts if t))
    return JOIN.join(distinct) or None


def _labelled(rows: list[SourceRow], key: str) -> str | None:
    """The sources' texts for ``key``; with several sources each text says whose it is."""
    texts = [(r.control_id, _text(r.values.get(key))) for r in rows]
    texts = [(cid, t) for cid, t in texts if t]
    if len({t for _, t in texts}) <= 1:
        return texts[0][1] if texts else None
    return _joined(f"[{cid}] {t}" for cid, t in texts)


def index_rows(records: Iterable[Mapping[str, Any]], rows: Iterable[int | None] | None = None
               ) -> tuple[dict[str, SourceRow], list[SourceRow], list[SourceRow]]:
    """The old SoA's rows by canonical 2013 id, plus rows naming no 2013 control and repeats."""
    catalog = load_catalog("2013")
    by_id: dict[str, SourceRow] = {}
    unknown: list[SourceRow] = []
    duplicates: list[SourceRow] = []
    row_numbers = list(rows) if rows is not None else None
    for i, values in enumerate(records):
        raw = values.get("control_id")
        cid = parse_control_id(str(raw)) if raw not in (None, "") else None
        source = SourceRow(cid or _text(raw), values, row_numbers[i] if row_numbers else None)
        if cid is None or cid not in catalog:
            unknown.append(source)
        elif cid in by_id:
            duplicates.append(source)
        else:
            by_id[cid] = source
    return by_id, unknown, duplicates


def migrate_soa(records: Iterable[Mapping[str, Any]], *, rows: Iterable[int | None] | None = None,
                lang: str = "ja") -> SoaMigration:
    """The 2022 SoA for the 2013 rows ``records`` (dicts keyed by A-02 column keys, values as the
    reader types them). ``rows``: the sheet row of each record, for the report."""
    by_id, unknown, duplicates = index_rows(records, rows)
    sources = sources_by_control()
    targets = targets_by_control()
    controls = []
    for control in load_catalog("2022").controls:
        srcs = sources[control.control_id]
        found = tuple(by_id[s] for s in srcs if s in by_id)
        migrated = MigratedControl(control.control_id, control.title_ja, control.title_en,
                                   _kind(srcs, targets), srcs, {}, found)
        _combine(migrated, lang, {s: targets[s] for s in srcs if len(targets[s]) > 1})
        controls.append(migrated)
    missing = tuple(c.control_id for c in load_catalog("2013").controls if c.control_id not in by_id)
    return SoaMigration(controls, missing, tuple(unknown), tuple(duplicates))


def _combine(m: MigratedControl, lang: str, splits: dict[str, tuple[str, ...]]) -> None:
    values: dict[str, Any] = {
        "control_id": short_id(m.control_id),
        "control_name": m.title_ja if lang == "ja" else m.title_en,
    }
    m.values = values
    if m.kind == NEW:
        values["applicable"] = UNDECIDED
        m.flags.append(Flag("new_control", DECIDE,
                            "2022年版で新設された管理策: 適用/除外を判断してください",
                            "New in 2022: decide whether it applies"))
        return
    absent = [s for s in m.sources if s not in {r.control_id for r in m.found}]
    if absent:
        m.flags.append(Flag("source_missing", REVIEW if m.found else DECIDE,
                            f"旧適用宣言書に行がありません: {', '.join(absent)}",
                            f"No row in the old SoA for {', '.join(absent)}"))
    rows = list(m.found)
    decisions = {r.control_id: r.values.get("applicable") for r in rows}
    applied = [r for r in rows if decisions[r.control_id] == APPLICABLE]
    excluded = [r for r in rows if decisions[r.control_id] == EXCLUDED]
    undecided = [r.control_id for r in rows if decisions[r.control_id] not in (APPLICABLE, EXCLUDED)]
    if applied:
        values["applicable"] = APPLICABLE
    elif excluded and not undecided and not absent:
        values["applicable"] = EXCLUDED
    else:
        values["applicable"] = UNDECIDED
    if undecided:
        m.flags.append(Flag("source_undecided", DECIDE if not applied else REVIEW,
                            f"旧版で適用/除外が未記入または読めません: {', '.join(undecided)}",
                            f"Applicability blank or unreadable in the old SoA: {', '.join(undecided)}"))
    if applied and excluded:
        ex = ", ".join(r.control_id for r in excluded)
        m.flags.append(Flag("mixed_decision", REVIEW,
                            f"旧版で除外していた {ex} を含めて適用としました（除外理由は備考に残しています）",
                            f"Applicable because a source was; {ex} had been excluded (reasons kept in the notes)"))
    # Reasons for adoption count from the sources that were applied; an excluded control keeps
    # the exclusion reasons of its (excluded) sources.
    basis = applied or rows
    for key in ("reason_risk", "reason_legal", "reason_contract"):
        if any(r.values.get(key) == MARK for r in applied):
            values[key] = MARK
    if applied:
        values["reason_other"] = _labelled(applied, "reason_other")
        _status(m, applied)
    if values["applicable"] == EXCLUDED:
        values["exclusion_reason"] = _labelled(excluded, "exclusion_reason")
    values["documents"] = _joined(_text(r.values.get("documents")) for r in basis)
    risks = [rid for r in applied for rid in (r.values.get("related_risks") or ())]
    if risks:
        values["related_risks"] = tuple(dict.fromkeys(risks))
    notes = [_text(r.values.get("notes")) for r in rows]
    if applied and excluded:
        notes += [("除外理由" if lang == "ja" else "Excluded because") + f"[{r.control_id}]: "
                  + _text(r.values.get("exclusion_reason")) for r in excluded if _text(r.values.get("exclusion_reason"))]
    prefix = "旧" if lang == "ja" else "2013: "
    values["notes"] = _joined([prefix + ", ".join(m.sources)] + notes)
    for source, targets in splits.items():
        if source in decisions:
            into = ", ".join(short_id(t) for t in targets)
            m.flags.append(Flag("split_source", REVIEW,
                                f"{source} は {into} に分割されました: この管理策への判断が適切か確認してください",
                                f"{source} was split into {into}: check its decision fits this control"))


def _status(m: MigratedControl, applied: list[SourceRow]) -> None:
    statuses = {r.control_id: r.values.get("status") for r in applied}
    known = {s for s in statuses.values() if s}
    if len(known) == 1:
        m.values["status"] = next(iter(known))
        blank = [cid for cid, s in statuses.items() if not s]
        if blank:
            m.flags.append(Flag("status_missing", REVIEW,
                                f"{', '.join(blank)} の実施状況が空欄です: {m.values['status']}としました",
                                f"No implementation status for {', '.join(blank)}; took {m.values['status']}"))
    elif len(known) > 1:
        # Some parts done and others not: the 2022 control as a whole is under way.
        m.values["status"] = IN_PROGRESS
        detail = ", ".join(f"{cid}={s or '-'}" for cid, s in statuses.items())
        m.flags.append(Flag("status_conflict", DECIDE,
                            f"実施状況が食い違います（{detail}）: 実施中としました。確認してください",
                            f"Implementation statuses disagree ({detail}); set to in progress: please confirm"))


def version_of_ids(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many rows name a 2013 and a 2022 control (to refuse an SoA that is already 2022)."""
    counts = {"2013": 0, "2022": 0}
    for values in records:
        raw = values.get("control_id")
        cid = parse_control_id(str(raw)) if raw not in (None, "") else None
        if cid:
            counts[control_version(cid)] += 1
    return counts
