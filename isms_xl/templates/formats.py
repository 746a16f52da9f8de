"""XlsxWriter cell formats, created once per property set (XlsxWriter keeps every format object)."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

FONT = "游ゴシック"  # Excel's default Japanese UI font since 2016; LibreOffice substitutes Noto CJK
INPUT_HEADER = "DDEBF7"
COMPUTED_HEADER = "E7E6E6"
LABEL_FILL = "F2F2F2"
REQUIRED_FONT = "C00000"

NUM_FORMATS = {
    "date": "yyyy/mm/dd",
    "datetime": "yyyy/mm/dd hh:mm",
    "time": "hh:mm",
    "month": 'yyyy"年"m"月"',
    "money": "#,##0",
    "percent": "0.0%",
}


class Formats:
    def __init__(self, workbook: Workbook) -> None:
        self._wb = workbook
        self._cache: dict[tuple, Any] = {}

    def get(self, **props: Any):
        props.setdefault("font_name", FONT)
        props.setdefault("font_size", 10)
        props.setdefault("valign", "top")
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]

    def cell(self, num: str | None = None, fill: str | None = None, font: str | None = None,
             wrap: bool = False, border: bool = True, **extra: Any):
        props: dict[str, Any] = dict(extra)
        if border:
            props["border"] = 1
            props["border_color"] = "BFBFBF"
        if num:
            props["num_format"] = NUM_FORMATS.get(num, num)
        if fill:
            props["bg_color"] = "#" + fill
            props["pattern"] = 1
        if font:
            props["font_color"] = "#" + font
        if wrap:
            props["text_wrap"] = True
        return self.get(**props)

    def header(self, computed: bool, required: bool):
        return self.get(bold=True, text_wrap=True, valign="vcenter", align="center", border=1,
                        bg_color="#" + (COMPUTED_HEADER if computed else INPUT_HEADER), pattern=1,
                        font_color="#" + (REQUIRED_FONT if required else "000000"))

    def title(self):
        return self.get(bold=True, font_size=14, valign="vcenter")

    def label(self):
        return self.get(bold=True, border=1, bg_color="#" + LABEL_FILL, pattern=1, valign="vcenter", text_wrap=True)

    def note(self):
        return self.get(font_size=9, font_color="#595959", valign="vcenter")
