"""XREF-010 … XREF-016: the Statement of Applicability (A-02) against the catalog and against the
forms that select controls (method.md "Statement of Applicability", manual §6.1.9)."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from isms_xl.controls import short_id
from isms_xl.derived import BY_CONTROL_KEY, risks_by_control
from isms_xl.findings import Finding
from isms_xl.forms.a02_soa import APPLICABLE, EXCLUDED, MARK
from isms_xl.forms.b03_treatment_plan import CANCELLED, DONE, IN_PROGRESS, NOT_STARTED
from isms_xl.reader.model import Record
from isms_xl.rules._util import ids_of as _refs
from isms_xl.rules._util import written as _written
from isms_xl.rules.registry import CheckContext, rule

SOA = "A-02"
# Where controls are selected (checks.md XREF-011): form, column.
SELECTING = (("B-02", "controls"), ("B-03", "controls"), ("B-27", "related_controls"), ("B-04", "controls"),
             ("B-10", "control_id"))
REASONS = ("reason_risk", "reason_legal", "reason_contract", "reason_other")
SHOWN_MAX = 10  # ids named in one message


def _shown(ids: list[str]) -> str:
    more = f" 他{len(ids) - SHOWN_MAX}件" if len(ids) > SHOWN_MAX else ""
    return ", ".join(ids[:SHOWN_MAX]) + more


def _rows(ctx: CheckContext) -> Iterator[tuple[str, Record]]:
    """Each SoA row with its control id (canonical); rows without one are READ-002's."""
    for r in ctx.records(SOA):
        cid = r.values.get("control_id")
        if cid is not None:
            yield str(cid), r


def selections(ctx: CheckContext, controls: Collection[str]) -> dict[str, list[str]]:
    """Control id -> where it is selected ("B-04 L-05"), over the forms present, for
    ``controls`` only (the places are named only where a finding shows them)."""
    out: dict[str, list[str]] = {}
    for form_id, key in SELECTING:
        form = ctx.forms.get(form_id)
        if form is None:
            continue
        ids = ctx.column(form_id, form.spec.id_column.key)
        for rid, value in zip(ids, ctx.column(form_id, key)):
            if value is None:
                continue
            for cid in _refs(value):
                if cid in controls:
                    out.setdefault(cid, []).append(f"{form_id} {rid or ''}".strip())
    return out


def _by_risk(ctx: CheckContext) -> dict[str, list[str]]:
    """Control id -> the B-02 risks selecting it, as the SoA's derived columns are computed."""
    if BY_CONTROL_KEY not in ctx.cache:
        ctx.cache[BY_CONTROL_KEY] = risks_by_control(ctx.form("B-02"), ctx.forms.get("B-03"))
    return ctx.cache[BY_CONTROL_KEY]


@rule("XREF-010", "error", (SOA,), "適用宣言書の管理策の欠落・重複・附属書Aにない管理策",
      "SoA lacks a catalog control, lists one twice, or lists one not in the catalog")
def xref_010(ctx: CheckContext) -> Iterator[Finding]:
    catalog, version = ctx.catalog, ctx.catalog.version
    seen: dict[str, Record] = {}
    for cid, r in _rows(ctx):
        if cid not in catalog:
            yield ctx.at(SOA, r, "control_id", cid,
                         f"管理策 {short_id(cid)} は附属書A（{version}年版）にありません。{version}年版の管理策番号にしてください",
                         f"Control {short_id(cid)} is not in Annex A ({version}); list the {version} controls")
        elif cid in seen:
            first = seen[cid].cell("control_id")
            at = first.a1 if first else "?"
            yield ctx.at(SOA, r, "control_id", cid,
                         f"管理策 {short_id(cid)} は {at} にも記載されています（各管理策は1回だけ記載します）",
                         f"Control {short_id(cid)} is already listed at {at} (list each control exactly once)")
        seen.setdefault(cid, r)
    header = ctx.header_cell(SOA, "control_id")
    for control in catalog.controls:
        if control.control_id not in seen:
            cid = short_id(control.control_id)
            yield ctx.at(SOA, None, None, cid,
                         f"管理策 {cid}（{control.title_ja}）が適用宣言書にありません（附属書A（{version}年版）の全管理策を1回ずつ記載します）",
                         f"The SoA lacks control {cid} ({control.title_en}); every Annex A ({version}) control is listed once",
                         cell=header)


@rule("XREF-011", "error", (SOA,), "選択した管理策が適用宣言書で除外",
      "a control selected in B-02/B-03/B-27/B-04/B-10 is excluded (×) in the SoA")
def xref_011(ctx: CheckContext) -> Iterator[Finding]:
    excluded = [(cid, r) for cid, r in _rows(ctx) if r.values.get("applicable") == EXCLUDED]
    selected = selections(ctx, {cid for cid, _ in excluded}) if excluded else {}
    for cid, r in excluded:
        if cid in selected:
            where = _shown(selected[cid])
            yield ctx.at(SOA, r, "applicable", EXCLUDED,
                         f"管理策 {short_id(cid)} は除外（×）ですが、{where} で選択されています。適用（○）にしてください",
                         f"Control {short_id(cid)} is excluded (×) but selected in {where}; make it applicable (○)")


@rule("XREF-012", "error", (SOA,), "適用なのに採用理由がない、除外なのに除外理由がない",
      "SoA: applicable without any reason; excluded without an exclusion reason")
def xref_012(ctx: CheckContext) -> Iterator[Finding]:
    for cid, r in _rows(ctx):
        applicable = r.values.get("applicable")
        if applicable == APPLICABLE and not any(_written(r, k) for k in REASONS):
            yield ctx.at(SOA, r, "reason_risk", None,
                         f"管理策 {short_id(cid)} は適用（○）ですが採用理由（リスク対応・法令・契約・その他）がありません",
                         f"Control {short_id(cid)} is applicable (○) without a reason (risk treatment, legal, contract or other)")
        elif applicable == EXCLUDED and not _written(r, "exclusion_reason"):
            yield ctx.at(SOA, r, "exclusion_reason", None,
                         f"管理策 {short_id(cid)} は除外（×）ですが除外理由がありません",
                         f"Control {short_id(cid)} is excluded (×) without a justification for the exclusion")


@rule("XREF-013", "error", (SOA,), "適用なのに実施状況がない", "SoA: applicable without 実施状況")
def xref_013(ctx: CheckContext) -> Iterator[Finding]:
    for cid, r in _rows(ctx):
        if r.values.get("applicable") == APPLICABLE and not _written(r, "status"):
            yield ctx.at(SOA, r, "status", None,
                         f"管理策 {short_id(cid)} は適用（○）ですが実施状況がありません（実施済・実施中・未実施のいずれかを入力）",
                         f"Control {short_id(cid)} is applicable (○) without an implementation status (実施済, 実施中 or 未実施)")


@rule("XREF-014", "warning", (SOA, "B-03"), "実施状況が対応計画の状況と食い違う",
      "SoA says 実施済 while every B-03 plan for that control is open; or 未実施 while all are 完了")
def xref_014(ctx: CheckContext) -> Iterator[Finding]:
    plans: dict[str, list[Record]] = {}
    for p in ctx.records("B-03"):
        for cid in _refs(p.values.get("controls")):
            plans.setdefault(cid, []).append(p)
    for cid, r in _rows(ctx):
        statuses = [p.values.get("status") for p in plans.get(cid, ()) if p.values.get("status") != CANCELLED]
        if not statuses or None in statuses:
            continue  # no live plan, or a plan whose status cannot be read (READ-002/003)
        status = r.values.get("status")
        ids = _shown([str(p.values.get("plan_id")) for p in plans[cid] if p.values.get("status") != CANCELLED])
        if status == "実施済" and all(s in (NOT_STARTED, IN_PROGRESS) for s in statuses):
            yield ctx.at(SOA, r, "status", status,
                         f"管理策 {short_id(cid)} は実施済ですが、対応計画 {ids} はすべて未完了です（実施中にするか、計画を完了にしてください）",
                         f"Control {short_id(cid)} is 実施済 (implemented) while its plans {ids} are all open "
                         f"(set 実施中, or complete the plans)")
        elif status == "未実施" and all(s == DONE for s in statuses):
            yield ctx.at(SOA, r, "status", status,
                         f"管理策 {short_id(cid)} は未実施ですが、対応計画 {ids} はすべて完了しています（実施済にしてください）",
                         f"Control {short_id(cid)} is 未実施 (not implemented) while its plans {ids} are all 完了 (set 実施済)")


@rule("XREF-015", "warning", (SOA, "B-02"), "採用理由:リスク対応・関連リスクIDがリスク対応と食い違う",
      "SoA 採用理由:リスク対応 disagrees with the risk treatment that selects the control")
def xref_015(ctx: CheckContext) -> Iterator[Finding]:
    by_risk, columns = _by_risk(ctx), ctx.form(SOA).columns
    for cid, r in _rows(ctx):
        if r.values.get("applicable") != APPLICABLE:
            continue  # a selected control that is excluded is XREF-011
        related = by_risk.get(cid, [])
        marked = r.values.get("reason_risk") == MARK
        if "reason_risk" in columns and "reason_risk" not in r.raw and marked != bool(related):
            yield _reason_risk(ctx, cid, r, related)
        listed = _refs(r.values.get("related_risks"))
        if "related_risks" in columns and "related_risks" not in r.raw and set(listed) != set(related):
            yield ctx.at(SOA, r, "related_risks", r.values.get("related_risks"),
                         f"管理策 {short_id(cid)} の関連リスクIDが「{_shown(list(listed)) or '空欄'}」ですが、"
                         f"B-02/B-03 でこの管理策を選択しているリスクは「{_shown(related) or 'なし'}」です",
                         f"Control {short_id(cid)} lists related risks '{_shown(list(listed)) or 'none'}' but the risks "
                         f"selecting it in B-02/B-03 are '{_shown(related) or 'none'}'")


def _reason_risk(ctx: CheckContext, cid: str, r: Record, related: list[str]) -> Finding:
    if related:
        return ctx.at(SOA, r, "reason_risk", r.values.get("reason_risk"),
                      f"管理策 {short_id(cid)} はリスク {_shown(related)} の対応で選択されていますが、採用理由:リスク対応 が空欄です（○ にしてください）",
                      f"Control {short_id(cid)} is selected by risk(s) {_shown(related)} but 採用理由:リスク対応 is blank (should be ○)")
    return ctx.at(SOA, r, "reason_risk", r.values.get("reason_risk"),
                  f"管理策 {short_id(cid)} の 採用理由:リスク対応 が ○ ですが、B-02/B-03 でこの管理策を選択しているリスクがありません（空欄にしてください）",
                  f"採用理由:リスク対応 is ○ but no B-02/B-03 row selects control {short_id(cid)} (should be blank)")


@rule("XREF-016", "info", (SOA, "B-02", "B-04"), "適用の根拠となるリスク・法令・契約・その他の理由がない",
      "an applicable control justified by no risk, law, contract or other reason")
def xref_016(ctx: CheckContext) -> Iterator[Finding]:
    by_risk = _by_risk(ctx)
    legal = {cid for p in ctx.records("B-04") for cid in _refs(p.values.get("controls"))}
    for cid, r in _rows(ctx):
        if r.values.get("applicable") != APPLICABLE or not (_written(r, "reason_risk") or _written(r, "reason_legal")):
            continue  # no reason at all is XREF-012; a contract or other reason is the user's to state
        if by_risk.get(cid) or (_written(r, "reason_legal") and cid in legal) or _written(r, "reason_contract") \
                or _written(r, "reason_other"):
            continue
        key = "reason_legal" if _written(r, "reason_legal") else "reason_risk"
        yield ctx.at(SOA, r, key, r.values.get(key),
                     f"管理策 {short_id(cid)} は適用（○）ですが、選択しているリスクも、この管理策を挙げる法的要求事項（B-04）もなく、"
                     f"契約・その他の理由もありません（根拠を記載するか、除外を検討してください）",
                     f"Control {short_id(cid)} is applicable (○) but no risk selects it, no B-04 requirement names it, and no "
                     f"contract or other reason is given (state the reason, or consider excluding it)")
