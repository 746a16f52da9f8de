"""Suppliers (Annex A 5.19–5.22): B-19 the register, B-17 the evaluation before each contract,
B-18 the yearly evaluation of each supplier.

Clean records: each supplier passed its B-17 evaluation 10–40 days before the contract (XREF-100);
each active one has a B-18 evaluation within the last 300 days (XREF-101) and a signed NDA
(XREF-102); assets handled are B-01 assets (XREF-103). 最新継続評価日 is derived from B-18, as
the form declares, after any defect has moved a B-18 record."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.dataset import DemoData, Rec, number
from isms_xl.demo.names import SUPPLIERS
from isms_xl.forms.b17_new_supplier_evaluation import DEFAULT_CRITERIA as NEW_CRITERIA
from isms_xl.forms.b18_supplier_review import DEFAULT_CRITERIA as REVIEW_CRITERIA

ACTIVE, ENDED = "取引中", "取引終了"

# What each supplier handles, as asset names (or their endings) in B-01.
HANDLED = {
    "source": ("ソースコード",), "product": (" ソースコード",), "cloud": ("パッケージ製品SaaS基盤（IaaS）",),
    "hardware": ("回路設計データ",), "paper": ("履歴書（紙）", "経理証憑（紙）"),
    "payroll": ("給与データ", "マイナンバー（特定個人情報）"), "support": ("問い合わせ対応履歴", "保守契約顧客情報"),
    "network": ("UTM（ファイアウォール）",), "shipping": ("受注データ",), "office": (),
}
# What the evaluator saw, per criterion of the B-17 form.
_REMARKS = {
    "情報セキュリティ認証の取得状況": "認証書の写しと適用範囲を確認した", "機密保持契約の締結": "当社ひな形での締結に同意",
    "管理体制・責任者": "情報セキュリティ責任者が任命されている", "従業員教育": "年1回の教育と誓約書の取得を確認",
    "再委託先の管理": "再委託時の事前承認を契約に明記", "事故発生時の対応": "連絡体制と報告期限が規定されている",
    "物理的セキュリティ": "入退室管理と施錠を現地で確認", "技術的対策": "マルウェア対策と暗号化の実施を確認",
}


def _handled(data: DemoData, key: str) -> list[Rec]:
    assets = [a for a in data.records("B-01") if a["status"] == "使用中"]
    picked = []
    for pattern in HANDLED[key]:
        matches = [a for a in assets if a["name"] == pattern or a["name"].endswith(pattern)]
        if key == "product":
            matches = [a for a in matches if not a["name"].endswith("様" + pattern) and "様" not in a["name"]]
        picked += matches[:2]
    return picked


def build_suppliers(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    register, initial, periodic = data.records("B-19"), data.records("B-17"), data.records("B-18")
    for n, (name, service, certification, dept, handles) in enumerate(SUPPLIERS, start=1):
        ended = handles == "office"
        contract = cal.ago(rng.randint(700, 2400))
        supplier = Rec("supplier_id", supplier_id=f"SP-{n:02d}", name=name, service=service, assets=_handled(data, handles),
                       contract_on=contract,
                       contract_end_on=cal.ago(rng.randint(60, 200)) if ended else cal.ahead(rng.randint(60, 700)),
                       nda="締結済", subcontracting="有" if handles in ("source", "support") else "無",
                       certification=certification, department=dept, status=ENDED if ended else ACTIVE)
        evaluation = Rec("evaluation_id", evaluation_id=None, supplier_id=supplier,
                         evaluated_on=contract - dt.timedelta(days=rng.randint(10, 40)),
                         evaluator=org.office[n % 2], approver=org.manager)
        evaluation["criteria"] = []
        for item, top in NEW_CRITERIA:
            score = top - rng.choice((0, 0, 0, 1, 2, 3))
            remark = _REMARKS[item] + ("" if score == top else "（一部に改善の余地あり）")
            evaluation["criteria"].append({"item": item, "max_points": top, "score": score, "remarks": remark})
        supplier["initial_evaluation_id"] = evaluation
        initial.append(evaluation)
        register.append(supplier)
        end = supplier["contract_end_on"]
        last = end - dt.timedelta(days=rng.randint(30, 120)) if ended else cal.ago(rng.randint(30, 300))
        conditional = handles == "product"
        while last >= contract + dt.timedelta(days=180):
            periodic.append(_review(data, supplier, last, conditional))
            conditional = False  # the earlier years were fine
            last -= dt.timedelta(days=rng.randint(350, 380))
    initial.sort(key=lambda r: r["evaluated_on"])
    number(initial, lambda i, _: f"SE-{i:03d}")


def _review(data: DemoData, supplier: Rec, day: dt.date, conditional: bool) -> Rec:
    rng, org = data.rng, data.org
    start = day - dt.timedelta(days=365)
    if conditional:
        scores = [2, 2, 3, 2, 1]  # late reports: 条件付継続 (9–11) with an improvement plan asked for
    else:
        scores = [3] * len(REVIEW_CRITERIA)  # 継続 (≥ 12) with one or two 2s
        for i in rng.sample(range(len(scores)), rng.randint(0, 2)):
            scores[i] = 2
    remarks = {1: "改善を要する（報告が遅延）", 2: "概ね良好", 3: "良好"}
    rec = Rec("evaluation_id", evaluation_id=None, supplier_id=supplier, evaluated_on=day,
              period=f"{start:%Y年%m月}〜{day:%Y年%m月}", evaluator=org.office[0] if rng.random() < 0.5 else org.office[1])
    rec["criteria"] = [{"item": item, "score": s, "remarks": remarks[s]} for (item,), s in zip(REVIEW_CRITERIA, scores)]
    return rec


def finish_suppliers(data: DemoData) -> None:
    """Review ids by date and each supplier's latest review date (B-19 derives it from B-18)."""
    periodic = data.records("B-18")
    periodic.sort(key=lambda r: r["evaluated_on"])
    number(periodic, lambda i, _: f"SR-{i:03d}")
    for supplier in data.records("B-19"):
        days = [r["evaluated_on"] for r in periodic if r["supplier_id"] is supplier]
        supplier["last_evaluated_on"] = max(days) if days else None
