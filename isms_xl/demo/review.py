"""B-25 management review minutes (§9.3): one review a year, chaired by the 社長, each reporting on
every §9.3.2 input a)–g) (XREF-131) and deciding actions; the latest was a month ago (XREF-130)."""

from __future__ import annotations

import datetime as dt

from isms_xl.demo.corrective import MANAGEMENT_REVIEW, new_corrective
from isms_xl.demo.dataset import DemoData, Rec
from isms_xl.forms.b25_management_review import INPUTS

REPORTS = (
    "前回の決定事項{n}件のうち{m}件が完了。残りは計画どおり実施中",
    "クラウドサービス利用の拡大、ランサムウェア被害の増加、フリーランス法の施行を確認し、リスク一覧表（ISMS-B-27）を更新した",
    "主要顧客からセキュリティチェックシートの提出要求が増加。委託先にはISMS認証の取得を求める傾向",
    "不適合と是正処置: 内部監査の軽微な不適合1件、インシデント起因の是正1件。監視・測定: 管理策測定{k}項目中{j}項目で目標達成。"
    "監査結果: 内部監査で重大な不適合なし。目的の達成: 情報セキュリティ目標{o}件中{p}件を達成見込み",
    "顧客満足度調査でセキュリティ対応への評価は良好。委託先からの改善要望1件",
    "リスクアセスメントを実施し、リスク対応計画の進捗は完了{d}件・実施中{i}件",
    "多要素認証の全社適用、テストデータ匿名化の自動化、標的型メール訓練の頻度増加を提案",
)
DECISIONS = (
    ("多要素認証を全クラウドサービスへ適用する", 90),
    ("情報セキュリティ目標の未達項目について原因分析と対策を報告する", 60),
    ("次年度の内部監査でテレワークの運用状況を重点的に確認する", 180),
)


def build_reviews(data: DemoData) -> None:
    cal, rng, org = data.cal, data.rng, data.org
    office = org.office
    plans = data.records("B-03")
    for n, days in ((7, 760), (8, 395), (9, 30)):
        held = cal.ago(days + rng.randint(0, 5))
        review = Rec("review_id", review_id=f"第{n}回", held_on=held, chair=org.president,
                     attendees="、".join([f"{org.president}（社長）", f"{org.manager}（ISMS管理責任者）"]
                                        + [f"{h}（部門長）" for h in org.heads.values()] + [f"{o}（ISMS事務局）" for o in office]),
                     approved_by=org.president)
        values = dict(n=3, m=rng.randint(1, 2), k=8, j=rng.randint(6, 8), o=8, p=rng.randint(6, 8),
                      d=sum(p["status"] == "完了" for p in plans), i=sum(p["status"] == "実施中" for p in plans))
        reporters = (org.manager, org.manager, office[0], org.manager, office[1], office[0], org.manager)
        review["inputs"] = [{"input_item": item, "report": text.format(**values), "reporter": who}
                            for item, text, who in zip(INPUTS, REPORTS, reporters)]
        review["outputs"] = [{"decision": text, "assignee": org.manager if k != 1 else office[0],
                              "due_on": held + dt.timedelta(days=due)} for k, (text, due) in enumerate(DECISIONS)]
        data.records("B-25").append(review)
        if n == 8:
            new_corrective(data, MANAGEMENT_REVIEW, review["review_id"], held, org.manager,
                           nonconformity="情報セキュリティ目標2件が未達のまま、原因分析が行われていなかった",
                           cause="目標の未達時に分析する手順がなかった", correction="未達の2件について原因を分析した",
                           action="月次の目標管理で未達が2か月続いた場合に分析を行う手順を追加した")
