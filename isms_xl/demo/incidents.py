"""Incidents and events (§9.1.1; Annex A 5.24–5.28): B-13 the event log kept by the ISMS推進委員,
B-12 a report for every event judged to be an incident.

Clean records: every 該当 event names its incident and every incident its event (XREF-070); every
高 incident names a corrective action (XREF-071); affected assets are B-01 assets (XREF-072)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.corrective import INCIDENT, new_corrective
from isms_xl.demo.dataset import DemoData, Rec, number

# days ago, severity, asset names, description, containment, cause, prevention, closed
INCIDENTS = (
    (480, "中", ("見積書データ",), "見積書を添付したメールを、同姓の別の取引先担当者へ誤送信した",
     "誤送信先に連絡し、メールの削除と削除した旨の回答を得た", "宛先のオートコンプリートをそのまま確定した",
     "社外宛メールの送信保留（1分）を設定した", True),
    (400, "高", ("営業用ノートPC", "顧客リスト（営業管理）"), "営業担当者が帰宅途中の電車内にノートPCを置き忘れた",
     "鉄道会社へ届出、リモートワイプを実行。翌日に遺失物として発見された", "業務後の寄り道で網棚に置いた",
     "端末の持ち歩きルールを改訂し、全営業担当者へ再教育した", True),
    (250, "低", ("受託開発案件 設計書",), "暗号化済みUSBメモリ（設計書の一部を保存）を社内で紛失した",
     "暗号化済みであることを確認し、管理台帳から抹消した", "USBメモリの貸出管理が形骸化していた",
     "USBメモリの貸出を廃止し、社内ファイル転送サービスへ移行する", True),
    (120, "高", ("Microsoft 365（メール・ファイル共有）",), "フィッシングメールにより1名のMicrosoft 365アカウントが侵害され、"
     "不審な転送設定が追加された", "パスワードの初期化、セッションの無効化、転送設定の削除", "多要素認証が未設定のアカウントがあった",
     "全アカウントへの多要素認証の適用を完了する", True),
    (60, "低", ("検証サーバ",), "検証サーバへの海外IPアドレスからのログイン試行を検知した",
     "送信元IPアドレスを遮断し、ログイン成功がないことを確認した", "検証サーバのSSHが外部に公開されていた",
     "検証セグメントへのアクセスをVPN経由に限定した", True),
    (30, "中", ("開発用PC（デスクトップ）",), "EDRが開発用PC上でランサムウェアの疑いのある挙動を検知し、自動隔離した",
     "端末をネットワークから切り離し、フォレンジック調査を依頼した", "調査中", "調査結果を待って決定する", False),
)

EVENTS = (
    "不審メール（請求書を装う）を受信し、開封せずに報告した", "パスワードの誤入力によりアカウントがロックされた",
    "退社時に執務室の施錠を忘れた（警備会社が施錠）", "来訪者の入館証の返却漏れ（翌日回収）", "共有フォルダの誤った場所にファイルを保存した（即時移動）",
    "ウイルス対策ソフトがダウンロードファイルを検知・隔離した", "私物USBメモリの接続がブロックされた", "複合機に機密区分の印刷物が放置されていた",
    "退職予定者のアカウント削除依頼が遅れた（削除済み）", "Webサイトのお問い合わせフォームへの大量投稿があった",
    "開発用PCのOS更新が1か月以上未適用だった", "サーバルームの空調アラームが発報した（誤報）", "取引先からのメールがなりすましの疑いで隔離された",
    "テレワーク中に家族が画面を見られる環境で作業していた（指導済み）", "検証環境のクラウドストレージが一時的に公開設定になっていた（5分で修正）",
    "顧客との打合せ資料を会議室に置き忘れた（当日回収）",
)


def _asset(assets: dict, name: str) -> Rec:
    if name in assets:
        return assets[name]
    if name == "受託開発案件 設計書":
        return next(a for n, a in assets.items() if n.endswith(" 設計書"))
    raise KeyError(name)


def build_incidents(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    assets = {a["name"]: a for a in data.records("B-01")}
    promoters = list(org.promoters.values())
    for days, severity, names, description, containment, cause, prevention, closed in INCIDENTS:
        occurred = cal.at(cal.ago(days), rng.randint(9, 19), rng.choice((0, 15, 30, 45)))
        incident = new_incident(data, occurred, severity, [_asset(assets, n) for n in names], description,
                                containment=containment, cause=cause, prevention=prevention, closed=closed)
        if severity == "高":
            incident["corrective_id"] = [new_corrective(
                data, INCIDENT, "", occurred.date() + dt.timedelta(days=3), org.heads[data.org.department_of(incident["reporter"])],
                nonconformity=description, cause=cause, correction=containment, action=prevention)]
    for text in EVENTS:
        day = cal.ago(rng.randint(5, 450))
        new_event(data, day, rng.choice(promoters), text, None,
                  response="内容を確認し、手順どおり対応済み。インシデントには該当しない", improvement=None)
    for ev in data.records("B-13"):
        if ev["is_incident"] == "非該当" and rng.random() < 0.3:
            ev["improvement"] = "朝会で事例として共有する"


def new_incident(data: DemoData, occurred: dt.datetime, severity: str, assets: list, description: str, *,
                 containment: str, cause: str, prevention: str, closed: bool) -> Rec:
    """A B-12 report and the B-13 event it came from, linked both ways."""
    rng, org = data.rng, data.org
    detected = occurred + dt.timedelta(minutes=rng.randint(10, 240))
    reported = detected + dt.timedelta(minutes=rng.randint(10, 90))
    staff = [s.name for s in org.staff if s.name not in (org.president, org.manager)]
    incident = Rec("incident_id", incident_id=None, occurred_at=occurred, detected_at=detected, reported_at=reported,
                   reporter=rng.choice(staff), assets=assets, description=description, severity=severity,
                   containment=containment, cause=cause, prevention=prevention, status="完了" if closed else "対応中")
    if closed:
        incident["closed_on"] = min(reported.date() + dt.timedelta(days=rng.randint(5, 25)), data.cal.ago(1))
    event = new_event(data, reported.date(), rng.choice(list(org.promoters.values())), description, incident,
                      response="インシデント報告書を作成し、ISMS管理責任者へ報告した", improvement=prevention)
    incident["event_id"] = [event]
    data.records("B-12").append(incident)
    return incident


def new_event(data: DemoData, day: dt.date, recorder: str, text: str, incident: Rec | None, *, response: str,
              improvement: str | None) -> Rec:
    event = Rec("event_id", event_id=None, recorded_on=day, recorder=recorder, description=text,
                is_incident="該当" if incident is not None else "非該当",
                incident_id=incident, response=response, improvement=improvement)
    data.records("B-13").append(event)
    return event


def number_incidents(data: DemoData) -> None:
    events = data.records("B-13")
    events.sort(key=lambda e: e["recorded_on"])
    number(events, lambda i, _: f"EV-{i:03d}")
    incidents = data.records("B-12")
    incidents.sort(key=lambda r: r["occurred_at"])
    number(incidents, lambda i, r: f"INC-{r['occurred_at']:%Y}-{i:02d}")
    for ca in data.records("B-24"):
        if ca["origin"] == INCIDENT and not ca["source_ids"]:
            ca["source_ids"] = ", ".join(i["incident_id"] for i in incidents if ca in i.get("corrective_id", []))
