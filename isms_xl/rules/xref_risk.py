"""XREF-001 … XREF-007: the risk core across forms — B-01 assets, B-02 risks, B-03 plans — and
the Annex A catalog of the configured version (checks.md "Cross-form")."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from itertools import compress, count, repeat
from operator import eq, ne
from typing import Any

from isms_xl.controls import control_version, short_id
from isms_xl.findings import Finding
from isms_xl.forms.b01_asset_register import DISPOSED, IN_USE
from isms_xl.forms.b02_risk_assessment import RETAIN
from isms_xl.forms.b03_treatment_plan import CANCELLED, DONE
from isms_xl.reader.model import Record
from isms_xl.rules._util import ids_of as _refs
from isms_xl.rules.registry import CheckContext, rule
from isms_xl.schema import Kind

SOA = "A-02"  # the SoA lists every catalog control: XREF-010, not XREF-007


def _same_text(a: str, b: str) -> bool:
    """Equal as written, ignoring full-width forms and spacing (NFKC, whitespace collapsed)."""
    def fold(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).split())
    return fold(a) == fold(b)


def _shown(ids: tuple[str, ...] | list[str]) -> str:
    return ", ".join(ids)


@rule("XREF-001", "error", ("B-01", "B-02"), "B-02の資産IDがB-01にない", "B-02 asset id not in B-01")
def xref_001(ctx: CheckContext) -> Iterator[Finding]:
    assets = ctx.by_id("B-01")
    for r, asset_id in zip(ctx.records("B-02"), ctx.column("B-02", "asset_id")):
        if asset_id is not None and str(asset_id) not in assets:
            yield ctx.at("B-02", r, "asset_id", asset_id,
                         f"資産ID {asset_id} が情報資産台帳（B-01）にありません。台帳に登録されている資産IDを入力してください",
                         f"Asset id {asset_id} is not in the asset register (B-01); use an id registered there")


@rule("XREF-002", "warning", ("B-01", "B-02"), "B-02の資産名がB-01と異なる", "B-02 asset name differs from B-01")
def xref_002(ctx: CheckContext) -> Iterator[Finding]:
    records, names = ctx.records("B-02"), ctx.column("B-02", "asset_name")
    registered = list(map(_asset_field(ctx, "name").get, map(str, ctx.column("B-02", "asset_id"))))
    # Names equal as stored (nearly all) are skipped in C; the rest are folded and compared.
    for i in compress(count(), map(ne, names, registered)):
        name, registered_name = names[i], registered[i]
        if name is not None and registered_name is not None and not _same_text(str(name), str(registered_name)):
            yield ctx.at("B-02", records[i], "asset_name", name,
                         f"資産名「{name}」が情報資産台帳（B-01）の「{registered_name}」と異なります",
                         f"Asset name '{name}' differs from the asset register (B-01): '{registered_name}'")


@rule("XREF-003", "error", ("B-01", "B-02"), "使用中の資産にリスクアセスメント結果がない",
      "an asset in use (B-01 使用中) has no risk row in B-02")
def xref_003(ctx: CheckContext) -> Iterator[Finding]:
    assessed = {str(r.values.get("asset_id")) for r in ctx.records("B-02")}
    for a in ctx.records("B-01"):
        asset_id = a.values.get("asset_id")
        if asset_id is not None and (a.values.get("status") or IN_USE) == IN_USE and str(asset_id) not in assessed:
            yield ctx.at("B-01", a, "asset_id", asset_id,
                         f"使用中の資産 {asset_id}（{a.values.get('name') or '名称なし'}）のリスクがリスクアセスメント結果表（B-02）にありません",
                         f"Asset {asset_id} is in use but has no risk row in the risk assessment (B-02)")


@rule("XREF-004", "warning", ("B-01", "B-02", "B-03"), "廃棄済の資産に受容でも完了でもないリスクが残っている",
      "a 廃棄済 asset still has risks without 受容 / closed plans")
def xref_004(ctx: CheckContext) -> Iterator[Finding]:
    assets, plans = ctx.by_id("B-01"), ctx.by_id("B-03")
    records, asset_ids = ctx.records("B-02"), list(map(str, ctx.column("B-02", "asset_id")))
    statuses = map(_asset_field(ctx, "status").get, asset_ids)
    for i in compress(count(), map(eq, statuses, repeat(DISPOSED))):  # the risks of disposed assets, in C
        r, asset = records[i], assets[asset_ids[i]]
        treatment = r.values.get("treatment")
        if treatment in (None, RETAIN):
            continue
        open_ids = [p for p in _refs(r.values.get("plan_ids"))
                    if p in plans and plans[p].values.get("status") not in (DONE, CANCELLED)]
        if open_ids:
            yield ctx.at("B-02", r, "treatment", treatment,
                         f"資産 {asset.values.get('asset_id')} は廃棄済ですが、リスク対応が{treatment}のままで計画 {_shown(open_ids)} が完了していません"
                         f"（受容に見直すか、計画を完了・中止にしてください）",
                         f"Asset {asset.values.get('asset_id')} is disposed, yet this risk is still {treatment} with open plan(s) "
                         f"{_shown(open_ids)} (retain the risk, or close the plans)")


@rule("XREF-005", "error", ("B-02", "B-03"), "B-02の対応計画IDがB-03にない、B-03の対象リスクIDがB-02にない",
      "B-02 plan id not in B-03; B-03 risk id not in B-02")
def xref_005(ctx: CheckContext) -> Iterator[Finding]:
    risks, plans = ctx.by_id("B-02"), ctx.by_id("B-03")
    for r, plan_ids in zip(ctx.records("B-02"), ctx.column("B-02", "plan_ids")):
        missing = [p for p in _refs(plan_ids) if p not in plans] if plan_ids is not None else None
        if missing:
            yield ctx.at("B-02", r, "plan_ids", plan_ids,
                         f"対応計画ID {_shown(missing)} がリスク対応計画書（B-03）にありません",
                         f"Plan id(s) {_shown(missing)} not in the risk treatment plan (B-03)")
    for p, risk_ids in zip(ctx.records("B-03"), ctx.column("B-03", "risk_ids")):
        missing = [r for r in _refs(risk_ids) if r not in risks] if risk_ids is not None else None
        if missing:
            yield ctx.at("B-03", p, "risk_ids", risk_ids,
                         f"対象リスクID {_shown(missing)} がリスクアセスメント結果表（B-02）にありません",
                         f"Risk id(s) {_shown(missing)} not in the risk assessment (B-02)")


@rule("XREF-006", "warning", ("B-02", "B-03"), "B-02の行と対応計画の管理策が異なる",
      "B-02 row and its B-03 plan name different controls")
def xref_006(ctx: CheckContext) -> Iterator[Finding]:
    planned_of = {pid: _refs(p.values.get("controls")) for pid, p in ctx.by_id("B-03").items()}

    def disagreement(value: Any, plan_ids: Any) -> tuple[str, tuple[str, ...], list[str]] | None:
        """The first plan of the row whose controls miss some of the row's: (plan, its controls,
        the row's controls it misses)."""
        controls = _refs(value)
        if not controls:
            return None  # a 低減 row without controls is RISK-002
        for pid in _refs(plan_ids):
            planned = planned_of.get(pid, ())
            extra = [c for c in controls if c not in planned]
            if planned and extra:
                return pid, planned, extra  # one finding per cell
        return None

    # A plan's rows repeat its controls and its id: each pair is judged once.
    judged: dict[tuple[Any, Any], Any] = {}
    for r, value, plan_ids in zip(ctx.records("B-02"), ctx.column("B-02", "controls"), ctx.column("B-02", "plan_ids")):
        try:
            found = judged[value, plan_ids]
        except KeyError:
            found = judged[value, plan_ids] = disagreement(value, plan_ids)
        except TypeError:  # an unhashable value (not from the reader): judged on its own
            found = disagreement(value, plan_ids)
        if found is not None:
            pid, planned, extra = found
            yield ctx.at("B-02", r, "controls", value,
                         f"管理策 {_shown([short_id(c) for c in extra])} が対応計画 {pid} の管理策"
                         f"（{_shown([short_id(c) for c in planned])}）にありません。計画に加えるか、この行から外してください",
                         f"Control(s) {_shown([short_id(c) for c in extra])} of this row are not among plan {pid}'s "
                         f"controls ({_shown([short_id(c) for c in planned])}); add them to the plan or drop them here")


@rule("XREF-007", "error", (), "附属書A（設定した版）にない管理策番号", "a control id not in the Annex A catalog of the configured version")
def xref_007(ctx: CheckContext) -> Iterator[Finding]:
    catalog = ctx.catalog
    for form_id, form in ctx.forms.items():
        if form_id == SOA:
            continue
        keys = [c.key for c in form.spec.columns if c.kind is Kind.CONTROLS]
        if not keys or not any(map(_unknown_in, repeat(ctx), repeat(form_id), keys)):
            continue  # the usual register: every distinct value checked, none unknown
        for record in form.records:
            for key in keys:
                unknown = [c for c in _refs(record.values.get(key)) if c not in catalog]
                if unknown:
                    yield _not_in_catalog(ctx, form_id, record, key, unknown)


def _unknown_in(ctx: CheckContext, form_id: str, key: str) -> bool:
    """Whether some value of the column names a control outside the catalog, looking at each
    distinct value once (a register repeats a few lists of controls thousands of times)."""
    catalog = ctx.catalog
    try:
        distinct = set(ctx.column(form_id, key))
    except TypeError:  # an unhashable value: say yes, and let the caller look record by record
        return True
    return any(c not in catalog for value in distinct for c in _refs(value))


def _asset_field(ctx: CheckContext, key: str) -> dict[str, Any]:
    """B-01's ``key`` by asset id (as ``CheckContext.by_id`` finds the asset), once per run."""
    cache_key = f"xref.asset.{key}"
    if cache_key not in ctx.cache:
        ctx.cache[cache_key] = {aid: a.values.get(key) for aid, a in ctx.by_id("B-01").items()}
    return ctx.cache[cache_key]


def _not_in_catalog(ctx: CheckContext, form_id: str, record: Record, key: str, unknown: list[str]) -> Finding:
    version = ctx.catalog.version
    shown = _shown([short_id(c) for c in unknown])
    other = [c for c in unknown if control_version(c) != version]
    if not other:
        hint_ja = hint_en = ""
    elif other == unknown:
        hint_ja, hint_en = f"（{control_version(other[0])}年版の番号です）", f" ({control_version(other[0])} numbering)"
    else:
        named = _shown([short_id(c) for c in other])
        hint_ja, hint_en = f"（{named} は{control_version(other[0])}年版の番号です）", f" ({named}: {control_version(other[0])} numbering)"
    return ctx.at(form_id, record, key, record.values.get(key),
                  f"管理策 {shown} は附属書A（{version}年版）にありません{hint_ja}。{version}年版の管理策番号を入力してください",
                  f"Control(s) {shown} not in Annex A ({version}){hint_en}; use the {version} control ids")
