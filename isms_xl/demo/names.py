"""Names the demo company uses: its own, its people's, its customers', projects', products' and
suppliers'. All fictional; customer and supplier names are invented so that no real company is
implied to have been in an incident or an audit finding."""

from __future__ import annotations

COMPANY = "株式会社サンプルシステムズ"
MAIL_DOMAIN = "sample-systems.example"  # .example: reserved, never a real address
OFFICE = "本社（東京都千代田区）"
LAB = "検証ラボ（本社3階）"

SALES, TECH, ADMIN = "営業部門", "技術部門", "管理部門"
DEPARTMENTS = (SALES, TECH, ADMIN)  # manual §5.3.1
# Head count per department (about 40 in all, as the brief's company).
HEADCOUNT = {SALES: 9, TECH: 22, ADMIN: 9}

SURNAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口",
    "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井",
    "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤", "青木", "坂本", "福田", "太田", "西村",
    "藤井", "金子", "岡本", "藤原", "中野", "三浦", "原田", "松田", "竹内", "中川", "小野", "田村", "和田", "石田",
    "上田", "森田", "内田",
)
GIVEN_MALE = (
    "健一", "誠", "大輔", "翔太", "拓也", "直樹", "和也", "浩二", "隆", "剛", "亮", "達也", "雄一", "悠斗", "健太",
    "智也", "修", "昌平", "浩之", "俊介", "陽介", "慎吾", "裕太", "洋平", "康弘", "博之", "正人", "航", "蓮", "大樹",
)
GIVEN_FEMALE = (
    "美咲", "由美", "恵子", "陽子", "真由美", "彩", "奈々", "愛", "麻衣", "裕子", "智子", "香織", "明美", "沙織",
    "千尋", "優子", "舞", "久美子", "瞳", "結衣", "さくら", "遥", "真理", "早紀",
)

CUSTOMERS = (
    "青葉製作所", "北斗ロジスティクス", "三河精工", "東和フードサービス", "港南クリニックグループ", "若葉学園",
    "白山電子", "丸の内オートリース", "桜川建設", "大川商事", "緑ヶ丘ホームズ", "日向ファーマ", "瀬戸内マリン",
    "飛鳥トラベル",
)
SYSTEMS = (
    "生産管理システム", "配送管理システム", "在庫管理システム", "店舗予約システム", "電子カルテ連携システム",
    "学習管理システム", "検査データ収集システム", "リース契約管理システム", "工程管理システム", "販売管理システム",
    "顧客ポータルサイト", "会員管理システム",
)
DEVICES = ("産業用IoTゲートウェイ", "温湿度センサーユニット", "検査装置制御基板", "車載表示ユニット", "医療機器通信モジュール")

PRODUCTS = ("サンプル勤怠クラウド", "サンプル文書管理", "サンプル設備点検")

# Suppliers: name, service, certification, department in charge, what they handle.
SUPPLIERS = (
    ("株式会社テクノブリッジ", "ソフトウェア開発の一部委託（受託開発案件）", "ISMS", TECH, "source"),
    ("有限会社ミライコード", "テスト工程の委託（パッケージ製品）", "その他", TECH, "product"),
    ("株式会社クラウドベース", "IaaS・ホスティング（パッケージ製品のSaaS基盤）", "ISMS", TECH, "cloud"),
    ("株式会社基板工房", "プリント基板の製造・実装（ハードウェア受託開発）", "その他", TECH, "hardware"),
    ("株式会社エコ溶解センター", "機密文書の溶解処理", "Pマーク", ADMIN, "paper"),
    ("株式会社ペイロールサポート", "給与計算・年末調整の代行", "Pマーク", ADMIN, "payroll"),
    ("株式会社ヘルプライン", "製品サポート一次受付（コールセンター）", "ISMS", SALES, "support"),
    ("株式会社ネットガード", "UTM・社内ネットワークの保守", "ISMS", ADMIN, "network"),
    ("株式会社ロジパック", "ハードウェア製品の保管・出荷", "なし", SALES, "shipping"),
    ("株式会社オフィスクリーン", "事務所清掃", "なし", ADMIN, "office"),
)

CUSTOMER_VISITS = ("打合せ", "要件定義レビュー", "納品・検収", "操作説明会")
# Why each supplier's staff come to the office (same order as SUPPLIERS).
SUPPLIER_VISITS = ("開発定例会議", "テスト結果報告", "契約更新の打合せ", "試作基板の納品", "機密文書の回収", "年末調整書類の受渡し",
                   "問い合わせ対応の定例会", "UTM定期保守", "出荷スケジュールの打合せ", "清掃作業")
