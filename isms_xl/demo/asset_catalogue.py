"""What the demo company holds and what threatens it: asset templates per department and a
threat catalogue per kind of asset, each threat with its vulnerability, the C/I/A it affects, the
Annex A (2022) controls that treat it and the treatment plan's measure.

Control ids are written the way the 2022 standard prints them ("8.7"). Some controls are kept out
of this catalogue on purpose, because the SoA needs controls that no risk selects: 5.32 (the
XREF-011 defect is a law-only control), 5.36 (measured in B-10 only), 7.6, 7.11, 7.12 (excluded).
"""

from __future__ import annotations

from dataclasses import dataclass

from isms_xl.demo.names import ADMIN, CUSTOMERS, DEVICES, LAB, OFFICE, PRODUCTS, SALES, SYSTEMS, TECH


@dataclass(frozen=True)
class ThreatType:
    key: str
    threat: str
    vulnerability: str
    affected: str  # C/I/A the threat affects, as people write them in the 影響を受ける特性 column
    controls: tuple[str, ...]
    measure: str
    staffing: str
    cost: tuple[int, int]  # yen, min and max
    # Plans for these stay open: the controls are new in 2022 and being introduced this year, which
    # also gives the SoA controls whose plans are all open (XREF-014).
    still_open: bool = False
    share: str = ""  # measure when the risk is shared (insurance, outsourcing)
    avoid: str = ""  # measure when the activity is stopped


THREATS: dict[str, ThreatType] = {t.key: t for t in (
    ThreatType("unauthorized_access", "不正アクセスによる情報漏えい", "アクセス権限が業務上の必要範囲を超えて付与されている", "C",
               ("5.15", "5.18", "8.3"), "アクセス権限の棚卸しを四半期ごとに実施し、不要な権限を削除する", "システム管理者1名",
               (0, 200_000)),
    ThreatType("mis_send", "メール誤送信・誤共有による情報漏えい", "送信前の宛先確認手順が定着していない", "C",
               ("5.14", "6.3"), "メール誤送信防止ツール（送信保留・添付ファイル自動暗号化）の導入と全社教育", "ISMS事務局1名",
               (300_000, 600_000)),
    ThreatType("ransomware", "ランサムウェアによるデータの暗号化・消失", "バックアップが同一ネットワーク上にあり世代管理が不十分", "I,A",
               ("8.7", "8.13"), "オフライン（書換え不可）バックアップの整備と復旧手順の定期テスト", "システム管理者2名",
               (800_000, 1_500_000)),
    ThreatType("operation_error", "誤操作によるデータの削除・上書き", "変更履歴・版管理が徹底されていない", "I,A",
               ("8.13", "8.32"), "版管理ツールの利用徹底とリストア手順の整備", "各チームリーダー",
               (0, 100_000)),
    ThreatType("insider", "内部不正による情報の持ち出し", "操作ログを取得・確認していない", "C",
               ("8.15", "8.16"), "操作ログの取得と月次レビュー（監視活動）の開始", "システム管理者1名、ISMS事務局1名",
               (600_000, 1_200_000), still_open=True),
    ThreatType("usb_leak", "外部記録媒体による情報の持ち出し", "USBメモリ等の利用が制限されていない", "C",
               ("7.10", "8.12"), "USB制御ツールの導入とデータ漏えい防止（DLP）設定", "システム管理者1名",
               (400_000, 900_000), still_open=True,
               avoid="USBメモリの業務利用を禁止し、社内ファイル転送サービスに一本化する"),
    ThreatType("dev_env_leak", "開発・テスト環境からの顧客データ漏えい", "顧客の本番データをそのままテストに使用している", "C",
               ("8.31", "8.33"), "テストデータの匿名化手順の整備と開発・本番環境の分離", "プロジェクトマネージャー",
               (100_000, 400_000)),
    ThreatType("secure_coding", "作り込まれた脆弱性による顧客システムへの被害", "セキュアコーディング規約が未整備でレビューが属人的", "C,I",
               ("8.25", "8.28", "8.29"), "セキュアコーディング規約の制定と静的解析ツールのCI組込み", "開発リーダー2名",
               (500_000, 1_000_000)),
    ThreatType("paper_loss", "書類の紛失・盗難", "施錠保管が徹底されていない", "C,A",
               ("5.10", "7.7"), "施錠キャビネットの追加配備とクリアデスクの巡回点検", "部門推進委員",
               (50_000, 200_000),
               avoid="紙媒体での保管を廃止し、電子化して文書管理システムで保管する"),
    ThreatType("paper_disposal", "不適切な廃棄による情報漏えい", "廃棄手順が定められていない", "C",
               ("7.10", "7.14"), "溶解処理業者への廃棄委託と廃棄記録の作成", "ISMS事務局1名",
               (30_000, 120_000)),
    ThreatType("peeping", "第三者による書類ののぞき見", "来訪者エリアと執務エリアの区分が不十分", "C",
               ("7.3", "7.7"), "来訪者エリアのパーティション設置と執務エリアへの立入制限", "総務担当",
               (200_000, 500_000)),
    ThreatType("vuln_exploit", "脆弱性を悪用した攻撃", "セキュリティパッチの適用が遅れている", "C,I,A",
               ("8.8", "8.19"), "脆弱性情報の収集とパッチ適用手順の整備（月次適用・緊急時は72時間以内）", "システム管理者1名",
               (0, 300_000)),
    ThreatType("misconfig", "設定変更の誤りによる障害・情報漏えい", "変更管理の手順が文書化されていない", "I,A",
               ("8.9", "8.32"), "構成管理台帳の整備と変更申請・承認フローの導入", "システム管理者1名",
               (0, 150_000)),
    ThreatType("pc_theft", "端末の盗難・紛失による情報漏えい", "ディスク暗号化が未実施の端末がある", "C",
               ("8.1", "8.24"), "全ノートPCのディスク暗号化とリモートワイプの設定", "システム管理者1名",
               (100_000, 300_000)),
    ThreatType("malware", "マルウェア感染", "定義ファイルの更新状況を一元的に確認できない", "C,I,A",
               ("8.7",), "EDR製品の導入と一元監視", "システム管理者1名",
               (900_000, 1_800_000)),
    ThreatType("hw_failure", "機器の故障による業務停止", "冗長化・保守契約が不十分", "A",
               ("8.14", "7.13"), "RAID構成の見直しとハードウェア保守契約（翌営業日対応）の締結", "システム管理者1名",
               (200_000, 600_000),
               share="データセンター事業者のハウジングサービスへ移設し、障害対応を委託する"),
    ThreatType("prototype_theft", "試作機・評価ボードの盗難", "保管場所の施錠と持出し記録が不十分", "C,A",
               ("7.8", "7.9"), "試作機保管庫の施錠と持出し記録簿の運用", "ラボ管理者",
               (80_000, 250_000)),
    ThreatType("intrusion", "外部からの不正侵入", "ファイアウォールのルールが長期間見直されていない", "C,I,A",
               ("8.20", "8.22"), "ファイアウォールルールの半期見直しと開発セグメントの分離", "システム管理者1名、保守委託先",
               (300_000, 800_000)),
    ThreatType("eavesdrop", "通信の盗聴・改ざん", "無線LANの暗号化方式が古い", "C,I",
               ("8.21", "8.24"), "WPA3への移行と業務通信の暗号化", "システム管理者1名",
               (150_000, 400_000)),
    ThreatType("line_outage", "回線障害による通信断", "インターネット回線が冗長化されていない", "A",
               ("8.14",), "バックアップ回線（別キャリア）の契約と自動切替の設定", "システム管理者1名",
               (200_000, 500_000)),
    ThreatType("cloud_misconfig", "クラウドサービスの設定不備による情報公開", "共有設定のレビューが行われていない", "C",
               ("5.23", "8.9"), "クラウドサービス利用基準の策定と共有設定の月次点検", "ISMS事務局1名、システム管理者1名",
               (0, 200_000)),
    ThreatType("account_takeover", "アカウントの乗っ取り", "多要素認証が導入されていない", "C,I",
               ("5.17", "8.5"), "全クラウドサービスへの多要素認証の導入", "システム管理者1名",
               (100_000, 300_000)),
    ThreatType("service_outage", "クラウドサービスの停止", "代替手段とデータのエクスポート手順がない", "A",
               ("5.30", "8.13"), "サービス停止時の代替手順とデータ定期エクスポートの整備", "サービス管理者",
               (0, 200_000),
               share="SLA（稼働率99.9%）と損害賠償条項付きの上位プランへ切り替える"),
    ThreatType("supplier_leak", "委託先からの情報漏えい", "委託先のセキュリティ管理状況を確認していない", "C",
               ("5.19", "5.20", "5.22"), "委託先評価の年次実施と契約へのセキュリティ条項の追加", "ISMS事務局1名",
               (0, 100_000)),
    ThreatType("social_eng", "標的型メール等のソーシャルエンジニアリング", "訓練・教育が不十分", "C",
               ("6.3", "8.23"), "標的型メール訓練の年2回実施とWebフィルタリングの導入", "ISMS事務局1名",
               (300_000, 700_000)),
    ThreatType("leaver", "退職者による情報の持ち出し", "退職時の貸与品返却・アカウント削除手続きが徹底されていない", "C",
               ("5.11", "6.5"), "退職時チェックリストの運用と退職時誓約書の取得", "人事担当",
               (0, 50_000)),
    ThreatType("key_person", "キーパーソンの不在による業務停止", "業務が属人化し手順書がない", "A",
               ("5.37",), "業務手順書の整備と担当者の複数化", "部門長",
               (0, 100_000)),
    ThreatType("intruder", "不審者の侵入", "入退室の記録と施錠管理が不十分", "C,A",
               ("7.1", "7.2", "7.4"), "ICカード入退室管理システムの導入と監視カメラの設置", "総務担当",
               (1_200_000, 2_500_000)),
    ThreatType("disaster", "地震・火災による被災", "機器の耐震固定・消火設備が不十分", "A",
               ("7.5", "5.29"), "サーバラックの耐震固定と事業継続計画の整備", "総務担当、システム管理者",
               (300_000, 900_000),
               share="地震・火災保険及びサイバー保険への加入により損害を移転する"),
)}

# Threats per kind of asset (the kind is a finer grain than the B-01 category).
THREATS_BY_KIND: dict[str, tuple[str, ...]] = {
    "source": ("unauthorized_access", "secure_coding", "operation_error", "insider"),
    "customer_data": ("dev_env_leak", "unauthorized_access", "usb_leak", "mis_send"),
    "design": ("unauthorized_access", "operation_error", "mis_send"),
    "personal": ("unauthorized_access", "mis_send", "insider", "ransomware"),
    "business": ("ransomware", "operation_error", "mis_send", "unauthorized_access"),
    "paper": ("paper_loss", "paper_disposal", "peeping"),
    "software": ("vuln_exploit", "misconfig", "account_takeover"),
    "pc": ("pc_theft", "malware", "usb_leak"),
    "server": ("hw_failure", "malware", "vuln_exploit", "ransomware"),
    "device": ("prototype_theft", "hw_failure"),
    "network": ("intrusion", "eavesdrop", "line_outage"),
    "service": ("cloud_misconfig", "account_takeover", "service_outage", "supplier_leak"),
    "people": ("social_eng", "leaver", "key_person"),
    "facility": ("intruder", "disaster"),
}

CATEGORY_OF_KIND = {
    "source": "電子データ", "customer_data": "電子データ", "design": "電子データ", "personal": "電子データ",
    "business": "電子データ", "paper": "紙媒体", "software": "ソフトウェア", "pc": "ハードウェア", "server": "ハードウェア",
    "device": "ハードウェア", "network": "ネットワーク", "service": "サービス", "people": "人", "facility": "施設",
}


@dataclass(frozen=True)
class AssetTemplate:
    department: str
    kind: str
    name: str
    location: str
    users: str
    cia: tuple[int, int, int]
    personal_data: bool = False
    retention: str = "利用終了まで"
    disposal: str = "データ消去ソフトによる消去"
    disposed: bool = False  # 廃棄済


PAPER_DISPOSAL = "溶解処理（委託）"
MEDIA_DISPOSAL = "物理破壊（委託）・証明書受領"
FILE_SERVER = "ファイルサーバ"


def _t(dept, kind, name, location, users, cia, pd=False, retention="利用終了まで", disposal=None, disposed=False):
    default = PAPER_DISPOSAL if kind == "paper" else MEDIA_DISPOSAL if kind in ("pc", "server", "device") else \
        "データ消去ソフトによる消去"
    return AssetTemplate(dept, kind, name, location, users, cia, pd, retention, disposal or default, disposed)


def asset_templates() -> list[AssetTemplate]:
    """About 160 assets: fixed ones per department and one set per project and product."""
    t: list[AssetTemplate] = [
        _t(SALES, "personal", "顧客リスト（営業管理）", "CRMサービス", "営業部門", (3, 2, 2), True, "取引終了後5年"),
        _t(SALES, "business", "商談データ（CRM）", "CRMサービス", "営業部門", (2, 2, 2), True, "取引終了後5年"),
        _t(SALES, "business", "見積書データ", FILE_SERVER, "営業部門", (2, 2, 1), False, "7年"),
        _t(SALES, "business", "提案書データ", FILE_SERVER, "営業部門・技術部門", (2, 2, 1), False, "5年"),
        _t(SALES, "personal", "保守契約顧客情報", "CRMサービス", "営業部門・技術部門（保守）", (3, 3, 2), True, "契約終了後5年"),
        _t(SALES, "business", "ライセンス発行台帳", FILE_SERVER, "営業部門", (2, 3, 2), False, "契約終了後5年"),
        _t(SALES, "personal", "問い合わせ対応履歴", "CRMサービス", "営業部門・サポート委託先", (2, 2, 2), True, "3年"),
        _t(SALES, "personal", "展示会来場者名簿", FILE_SERVER, "営業部門", (2, 1, 1), True, "2年"),
        _t(SALES, "business", "受注データ", "販売管理システム", "営業部門・管理部門", (2, 3, 2), False, "7年"),
        _t(SALES, "business", "販売代理店リスト", FILE_SERVER, "営業部門", (2, 2, 1), False, "取引終了後3年"),
        _t(SALES, "paper", "契約書原本", "書庫（施錠キャビネット）", "営業部門長・管理部門", (3, 3, 2), False, "契約終了後10年"),
        _t(SALES, "paper", "注文書・発注書（紙）", "営業部門キャビネット", "営業部門", (2, 2, 1), False, "7年"),
        _t(SALES, "paper", "名刺", "各自の机（施錠引出し）", "営業部門", (2, 1, 1), True, "2年"),
        _t(SALES, "paper", "展示会アンケート用紙", "営業部門キャビネット", "営業部門", (2, 1, 1), True, "1年"),
        _t(SALES, "pc", "営業用ノートPC", "社外持出し・各自", "営業部門", (3, 2, 2), True, "5年（リース期間）"),
        _t(SALES, "pc", "営業用スマートフォン", "社外持出し・各自", "営業部門", (2, 2, 2), True, "4年（リース期間）"),
        _t(SALES, "pc", "商談用デモ機（ノートPC）", "営業部門キャビネット", "営業部門", (1, 2, 2)),
        _t(SALES, "service", "CRMサービス（クラウド）", "クラウド（国内リージョン）", "営業部門・技術部門（保守）", (3, 2, 2), True),
        _t(SALES, "service", "Web会議サービス", "クラウド", "全従業員", (2, 1, 2)),
        _t(SALES, "service", "名刺管理サービス（クラウド）", "クラウド", "営業部門", (2, 1, 1), True),
        _t(SALES, "personal", "Webサイト問い合わせフォームデータ", "CRMサービス", "営業部門", (2, 2, 2), True, "3年"),
        _t(SALES, "personal", "セミナー申込者情報", FILE_SERVER, "営業部門", (2, 1, 1), True, "2年"),
        _t(SALES, "people", "営業部門員", OFFICE, "—", (2, 2, 2)),
        _t(TECH, "business", "不具合管理データ", "課題管理システム", "技術部門", (2, 3, 2)),
        _t(TECH, "source", "テスト自動化スクリプト", "Gitサーバ", "技術部門", (2, 2, 2)),
        _t(TECH, "design", "技術ナレッジWiki", "課題管理システム", "技術部門", (2, 2, 1)),
        _t(TECH, "design", "社内開発標準・コーディング規約", FILE_SERVER, "技術部門・開発委託先", (1, 3, 1)),
        _t(TECH, "business", "製品サポートFAQデータ", "CRMサービス", "技術部門・サポート委託先", (1, 2, 2)),
        _t(TECH, "business", "製品評価用ライセンスキー", "ライセンス認証サーバ", "技術部門・営業部門", (2, 2, 1)),
        _t(TECH, "pc", "保守用リモート接続端末", "技術部門執務エリア（施錠ラック）", "保守担当", (3, 2, 3)),
        _t(TECH, "device", "検査治具・評価用冶具", LAB, "技術部門（ハードウェア）", (2, 2, 2)),
        _t(TECH, "paper", "顧客仕様書（紙）", "技術部門キャビネット", "技術部門", (3, 2, 1), False, "案件終了後5年"),
        _t(TECH, "paper", "試験成績書（紙）", "技術部門キャビネット", "技術部門", (2, 3, 1), False, "案件終了後10年"),
        _t(TECH, "software", "Gitサーバ（GitLab）", "サーバルーム", "技術部門・開発委託先", (3, 3, 3)),
        _t(TECH, "software", "CI/CDサーバ（Jenkins）", "サーバルーム", "技術部門", (2, 3, 2)),
        _t(TECH, "software", "開発用IDEライセンス", "ライセンス管理ポータル", "技術部門", (1, 1, 2)),
        _t(TECH, "software", "静的解析ツール", "サーバルーム", "技術部門", (1, 2, 2)),
        _t(TECH, "software", "仮想化基盤（検証環境）", "サーバルーム", "技術部門", (2, 2, 3)),
        _t(TECH, "software", "課題管理システム", "サーバルーム", "技術部門・営業部門", (2, 3, 2)),
        _t(TECH, "pc", "開発用PC（デスクトップ）", "技術部門執務エリア", "技術部門", (3, 2, 2)),
        _t(TECH, "pc", "開発用ノートPC", "技術部門執務エリア・在宅勤務", "技術部門", (3, 2, 2)),
        _t(TECH, "server", "検証サーバ", "サーバルーム", "技術部門", (2, 2, 2)),
        _t(TECH, "server", "ビルドサーバ", "サーバルーム", "技術部門", (2, 3, 2)),
        _t(TECH, "device", "評価ボード・試作機", LAB, "技術部門（ハードウェア）", (3, 2, 2)),
        _t(TECH, "device", "計測機器（オシロスコープ・ロジックアナライザ）", LAB, "技術部門（ハードウェア）", (1, 2, 2)),
        _t(TECH, "network", "開発用LAN（検証セグメント）", "サーバルーム", "技術部門", (2, 2, 2)),
        _t(TECH, "network", "リモートアクセスVPN", "サーバルーム", "全従業員", (3, 2, 3)),
        _t(TECH, "service", "パッケージ製品SaaS基盤（IaaS）", "クラウド（国内リージョン）", "技術部門・顧客", (3, 3, 3), True),
        _t(TECH, "service", "ソースコードバックアップ（クラウドストレージ）", "クラウド", "技術部門", (3, 2, 2)),
        _t(TECH, "service", "製品ライセンス認証サーバ", "クラウド（国内リージョン）", "顧客・営業部門", (2, 3, 3)),
        _t(TECH, "people", "技術部門員", OFFICE, "—", (3, 2, 3)),
        _t(TECH, "people", "派遣技術者", OFFICE, "—", (2, 2, 2)),
        _t(TECH, "facility", "検証ラボ", LAB, "技術部門", (2, 2, 2)),
        _t(ADMIN, "personal", "従業員名簿", FILE_SERVER, "管理部門", (3, 2, 1), True, "退職後3年"),
        _t(ADMIN, "personal", "給与データ", "給与計算ソフト", "管理部門（給与担当）", (3, 3, 2), True, "7年"),
        _t(ADMIN, "personal", "人事評価データ", FILE_SERVER, "役員・部門長", (3, 2, 1), True, "退職後3年"),
        _t(ADMIN, "personal", "マイナンバー（特定個人情報）", "給与計算ソフト", "管理部門（事務取扱担当者）", (3, 3, 1), True,
           "退職後7年"),
        _t(ADMIN, "personal", "健康診断結果", "書庫（施錠キャビネット）・ファイルサーバ", "管理部門（人事担当）", (3, 2, 1), True, "5年"),
        _t(ADMIN, "personal", "勤怠データ", "サンプル勤怠クラウド（自社製品）", "管理部門・部門長", (2, 3, 2), True, "5年"),
        _t(ADMIN, "personal", "監視カメラ録画データ", "サーバルーム（録画装置）", "管理部門（総務担当）", (3, 2, 1), True, "30日"),
        _t(ADMIN, "business", "会計データ", "会計ソフト", "管理部門（経理担当）", (3, 3, 2), False, "10年"),
        _t(ADMIN, "business", "請求・入金データ", "会計ソフト", "管理部門（経理担当）", (2, 3, 2), False, "7年"),
        _t(ADMIN, "personal", "採用応募者情報", FILE_SERVER, "管理部門（人事担当）・面接官", (3, 2, 1), True, "選考終了後6か月"),
        _t(ADMIN, "business", "取締役会議事録", "書庫（施錠キャビネット）", "役員", (3, 3, 1), False, "10年"),
        _t(ADMIN, "business", "ISMS文書・記録", FILE_SERVER, "全従業員（閲覧）", (2, 3, 2), False, "改訂後3年"),
        _t(ADMIN, "paper", "雇用契約書", "書庫（施錠キャビネット）", "管理部門（人事担当）", (3, 3, 1), True, "退職後5年"),
        _t(ADMIN, "paper", "履歴書（紙）", "書庫（施錠キャビネット）", "管理部門（人事担当）", (3, 2, 1), True, "退職後3年"),
        _t(ADMIN, "paper", "経理証憑（紙）", "書庫", "管理部門（経理担当）", (2, 3, 1), False, "7年"),
        _t(ADMIN, "paper", "社会保険手続書類（控え）", "書庫（施錠キャビネット）", "管理部門（人事担当）", (3, 2, 1), True, "4年"),
        _t(ADMIN, "paper", "来訪者受付簿（紙）", "受付", "管理部門（総務担当）", (2, 2, 1), True, "1年"),
        _t(ADMIN, "paper", "機密保持誓約書原本", "書庫（施錠キャビネット）", "管理部門", (2, 3, 1), True, "退職後5年"),
        _t(ADMIN, "software", "会計ソフト", "クラウド", "管理部門（経理担当）", (3, 3, 2)),
        _t(ADMIN, "software", "給与計算ソフト", "クラウド", "管理部門（給与担当）", (3, 3, 2), True),
        _t(ADMIN, "software", "入退室管理システム", "サーバルーム", "管理部門（総務担当）", (2, 3, 3), True),
        _t(ADMIN, "software", "グループウェア", "クラウド", "全従業員", (2, 2, 3)),
        _t(ADMIN, "server", "ファイルサーバ", "サーバルーム", "全従業員", (3, 3, 3)),
        _t(ADMIN, "pc", "複合機", OFFICE, "全従業員", (2, 1, 2)),
        _t(ADMIN, "pc", "事務用PC", "管理部門執務エリア", "管理部門", (3, 2, 2), True),
        _t(ADMIN, "server", "バックアップ装置（NAS）", "サーバルーム", "システム管理者", (3, 3, 2)),
        _t(ADMIN, "network", "社内LAN", OFFICE, "全従業員", (2, 2, 3)),
        _t(ADMIN, "network", "UTM（ファイアウォール）", "サーバルーム", "システム管理者・保守委託先", (3, 3, 3)),
        _t(ADMIN, "network", "無線LAN", OFFICE, "全従業員・来訪者（ゲスト）", (2, 2, 2)),
        _t(ADMIN, "network", "インターネット回線", "サーバルーム", "全従業員", (1, 2, 3)),
        _t(ADMIN, "service", "Microsoft 365（メール・ファイル共有）", "クラウド", "全従業員", (3, 2, 3), True),
        _t(ADMIN, "service", "電子契約サービス", "クラウド", "管理部門・営業部門", (3, 3, 2), True),
        _t(ADMIN, "service", "給与計算代行サービス", "委託先", "管理部門（給与担当）", (3, 3, 2), True),
        _t(ADMIN, "people", "管理部門員", OFFICE, "—", (3, 2, 2)),
        _t(ADMIN, "people", "役員", OFFICE, "—", (3, 2, 2)),
        _t(ADMIN, "facility", "本社事務所", OFFICE, "全従業員", (2, 2, 3)),
        _t(ADMIN, "facility", "サーバルーム", "本社（施錠区画）", "システム管理者", (3, 3, 3)),
        _t(ADMIN, "facility", "書庫", "本社（施錠区画）", "管理部門", (3, 2, 2)),
        # Disposed, kept in the register with their history (XREF-004 checks what is left open).
        _t(ADMIN, "server", "旧ファイルサーバ（2017年導入）", "—（廃棄済）", "—", (3, 3, 2), disposed=True),
        _t(ADMIN, "software", "旧会計ソフト（オンプレミス版）", "—（廃棄済）", "—", (3, 3, 2), disposed=True),
        _t(SALES, "pc", "旧営業用ノートPC（2019年調達分）", "—（廃棄済）", "—", (3, 2, 2), True, disposed=True),
        _t(SALES, "paper", "紙の顧客台帳（電子化済）", "—（廃棄済）", "—", (3, 2, 1), True, disposed=True),
        _t(TECH, "network", "旧VPN装置", "—（廃棄済）", "—", (3, 2, 3), disposed=True),
        _t(TECH, "source", "終了案件ソースコード（大川商事様 旧受発注システム）", "—（廃棄済）", "—", (3, 2, 1), disposed=True),
    ]
    for i, customer in enumerate(CUSTOMERS):
        project = f"{customer}様 {SYSTEMS[i % len(SYSTEMS)]}"
        t += [
            _t(TECH, "source", f"{project} ソースコード", "Gitサーバ", "プロジェクトメンバー", (3, 3, 2), False, "契約終了後5年"),
            _t(TECH, "design", f"{project} 設計書", FILE_SERVER, "プロジェクトメンバー", (3, 2, 1), False, "契約終了後5年"),
            _t(TECH, "customer_data", f"{project} 顧客提供データ", "検証サーバ", "プロジェクトメンバー（指名者のみ）",
               (3, 2, 1), i % 3 != 1, "検収後に返却・消去"),
        ]
    for product in PRODUCTS:
        t += [
            _t(TECH, "source", f"{product} ソースコード", "Gitサーバ", "製品開発チーム", (3, 3, 2), False, "製品提供終了後10年"),
            _t(TECH, "business", f"{product} リリースビルド", "ビルドサーバ・配布サイト", "製品開発チーム・顧客", (1, 3, 3)),
            _t(TECH, "design", f"{product} 製品マニュアル原稿", FILE_SERVER, "製品開発チーム", (1, 2, 1)),
            _t(TECH, "customer_data", f"{product} 顧客環境設定情報", "CRMサービス", "保守担当", (3, 2, 2), True, "契約終了後5年"),
        ]
    for i, device in enumerate(DEVICES):
        customer = CUSTOMERS[(i * 3 + 1) % len(CUSTOMERS)]
        t += [
            _t(TECH, "design", f"{customer}様 {device} 回路設計データ", FILE_SERVER, "ハードウェアチーム", (3, 3, 1), False,
               "製品保守終了後10年"),
            _t(TECH, "source", f"{customer}様 {device} ファームウェアソースコード", "Gitサーバ", "ハードウェアチーム", (3, 3, 2),
               False, "製品保守終了後10年"),
        ]
    return t

