"""The heat maps as PNG pictures (for the index page, for printing, for pasting into slides).

The picture is the manual's acceptance table, laid out as the check report's SVG heat map:
impact rows 1–3 × (threat, vulnerability) columns 1,1 … 3,3. Each cell wears its band's colour
(faded when no risk is in it), shows its risk value and its count, and has a dark bar along its
bottom whose length is the count over the largest count of the map — so the numbers can be read
back from the pixels (the tests do) and the eye compares cells at a glance.

Drawn with Pillow and a font proven to have Japanese glyphs (fonts.py). The same map and font
give the same bytes: no timestamps, no metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from isms_xl.method import LEVELS, Method
from isms_xl.pack.fonts import find_cjk_font
from isms_xl.report.charts import HeatMap, hex_colour

__all__ = ["BAR_COLOUR", "GEOMETRY", "Geometry", "faded", "heatmap_png"]

BAR_COLOUR = (38, 38, 38)
BACKGROUND = (255, 255, 255)
FADE = 0.35  # the opacity of an empty cell's band colour, as in the SVG


@dataclass(frozen=True)
class Geometry:
    cell_w: int = 118
    cell_h: int = 92
    gap: int = 12  # between threat groups
    left: int = 150
    top: int = 150
    bar_h: int = 10
    pad: int = 8  # inside a cell, around the bar

    @property
    def width(self) -> int:
        return self.left + 9 * self.cell_w + 2 * self.gap + 20

    @property
    def height(self) -> int:
        return self.top + 3 * self.cell_h + 70

    def cell_box(self, impact: int, threat: int, vulnerability: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the cell, inclusive, inside its 1-pixel white border."""
        x = self.left + (threat - 1) * (3 * self.cell_w + self.gap) + (vulnerability - 1) * self.cell_w
        y = self.top + (impact - 1) * self.cell_h
        return x + 1, y + 1, x + self.cell_w - 2, y + self.cell_h - 2

    def bar_track(self, impact: int, threat: int, vulnerability: int) -> tuple[int, int, int]:
        """(x0, x1, y): the row of pixels the count bar fills from x0, at most to x1 (inclusive)."""
        x0, _y0, x1, y1 = self.cell_box(impact, threat, vulnerability)
        return x0 + self.pad, x1 - self.pad, y1 - self.pad - self.bar_h // 2

    def bar_length(self, count: int, largest: int) -> int:
        x0, x1, _ = self.bar_track(1, 1, 1)
        return 0 if not count or not largest else max(1, round((x1 - x0 + 1) * count / largest))


GEOMETRY = Geometry()


def _rgb(hex6: str) -> tuple[int, int, int]:
    return tuple(int(hex6[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def faded(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return tuple(round(FADE * c + (1 - FADE) * 255) for c in rgb)  # type: ignore[return-value]


def heatmap_png(heat: HeatMap, method: Method, *, title: str, lang: str = "ja", geometry: Geometry = GEOMETRY) -> bytes:
    from PIL import Image, ImageDraw

    ja = lang == "ja"
    g = geometry
    font = find_cjk_font()
    f_title, f_axis, f_value, f_count = font.load(30), font.load(20), font.load(17), font.load(34)
    img = Image.new("RGB", (g.width, g.height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    draw.text((20, 16), title, font=f_title, fill=(0, 0, 0))
    largest = max((max(row) for row in heat.counts), default=0)
    head_y = g.top - 70
    draw.text((g.left - 12, head_y + 18), "脅威" if ja else "Threat", font=f_axis, fill=(0, 0, 0), anchor="rm")
    draw.text((g.left - 12, head_y + 52), "ぜい弱性" if ja else "Vulnerability", font=f_axis, fill=(0, 0, 0), anchor="rm")
    for t in LEVELS:
        x0 = g.left + (t - 1) * (3 * g.cell_w + g.gap)
        draw.rectangle((x0, head_y, x0 + 3 * g.cell_w - 1, head_y + 34), fill=(242, 242, 242), outline=(191, 191, 191))
        draw.text((x0 + 1.5 * g.cell_w, head_y + 18), str(t), font=f_axis, fill=(0, 0, 0), anchor="mm")
        for v in LEVELS:
            draw.text((x0 + (v - 0.5) * g.cell_w, head_y + 52), str(v), font=f_axis, fill=(0, 0, 0), anchor="mm")
    for i in LEVELS:
        y = g.top + (i - 1) * g.cell_h
        draw.text((g.left - 12, y + g.cell_h / 2), f"{'損害' if ja else 'Impact'} {i}", font=f_axis,
                  fill=(0, 0, 0), anchor="rm")
        for t in LEVELS:
            for v in LEVELS:
                value = method.risk_value(i, t, v)
                band = method.band(value)
                count = heat.cell(i, t, v)
                fill = _rgb(hex_colour(band.fill))
                ink = _rgb(hex_colour(band.font, "000000"))
                x0, y0, x1, y1 = g.cell_box(i, t, v)
                draw.rectangle((x0, y0, x1, y1), fill=fill if count else faded(fill))
                draw.text((x0 + 6, y0 + 4), _num(value), font=f_value, fill=ink)
                if count:
                    draw.text(((x0 + x1) / 2, (y0 + y1) / 2 - 4), str(count), font=f_count, fill=ink, anchor="mm")
                    bx0, _bx1, by = g.bar_track(i, t, v)
                    length = g.bar_length(count, largest)
                    draw.rectangle((bx0, by - g.bar_h // 2, bx0 + length - 1, by + g.bar_h // 2 - 1), fill=BAR_COLOUR)
    legend_y = g.top + 3 * g.cell_h + 22
    x = g.left
    for band in method.bands:
        draw.rectangle((x, legend_y, x + 26, legend_y + 26), fill=_rgb(hex_colour(band.fill)), outline=(191, 191, 191))
        label = band.ja if ja else band.en
        draw.text((x + 34, legend_y + 13), label, font=f_axis, fill=(0, 0, 0), anchor="lm")
        x += 60 + int(draw.textlength(label, font=f_axis))
    total = (f"計 {heat.placed} 件" if ja else f"Total {heat.placed}") + (
        (f"（配置できない {heat.unplaced} 件）" if ja else f" ({heat.unplaced} not placed)") if heat.unplaced else "")
    draw.text((x + 20, legend_y + 13), total, font=f_axis, fill=(0, 0, 0), anchor="lm")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
