"""A font with Japanese glyphs for the pack's PNG pictures.

Pillow draws with the font file it is given and draws a missing glyph as an empty box, silently;
so the font is found (``ISMS_XL_CJK_FONT``, fontconfig, the usual install paths of Noto Sans CJK
on Debian — ``fonts-noto-cjk`` — and of the Japanese fonts of Windows and macOS) and then proven
to have the glyphs before anything is drawn. No font: RenderError, never a picture of boxes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from isms_xl.errors import RenderError

__all__ = ["ENV_VAR", "CjkFont", "find_cjk_font", "has_glyphs"]

ENV_VAR = "ISMS_XL_CJK_FONT"
PROBE = "損害脅威ぜい弱性"  # kanji and kana the heat maps draw
_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
    "C:/Windows/Fonts/YuGothM.ttc",
    "C:/Windows/Fonts/meiryo.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
)


@dataclass(frozen=True)
class CjkFont:
    path: str
    index: int
    family: str

    def load(self, size: int):
        from PIL import ImageFont

        return ImageFont.truetype(self.path, size, index=self.index)


def has_glyphs(font, text: str = PROBE) -> bool:
    """True when ``font`` (a Pillow FreeType font) draws every character of ``text`` as a glyph
    of its own: a missing glyph is drawn as the font's .notdef box, the same for every character."""
    notdef = font.getmask("\ue000")  # a private-use code point no font maps
    blank = (notdef.size, bytes(notdef))
    for ch in dict.fromkeys(text):
        mask = font.getmask(ch)
        if mask.size[0] == 0 or (mask.size, bytes(mask)) == blank:
            return False
    return True


def _fontconfig() -> list[tuple[str, int]]:
    if not shutil.which("fc-match"):
        return []
    out = []
    for pattern in ("Noto Sans CJK JP:lang=ja", "sans-serif:lang=ja"):
        try:
            res = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", pattern], capture_output=True,
                                 text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        file, _, index = res.stdout.partition("\t")
        if res.returncode == 0 and file:
            out.append((file, int(index or 0)))
    return out


def _faces(path: str, preferred: int) -> list[int]:
    # A .ttc holds several faces; Noto Sans CJK's first is JP, but try the others before giving up.
    return [preferred] + [i for i in range(8) if i != preferred]


@lru_cache(maxsize=1)
def find_cjk_font() -> CjkFont:
    from PIL import ImageFont

    env = os.environ.get(ENV_VAR)
    candidates: list[tuple[str, int]] = [(env, 0)] if env else []
    candidates += _fontconfig() + [(p, 0) for p in _CANDIDATES]
    tried = []
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        tried.append(path)
        for face in _faces(path, index):
            try:
                font = ImageFont.truetype(path, 24, index=face)
            except OSError:
                break  # no such face: the file has fewer
            if has_glyphs(font):
                return CjkFont(path, face, " ".join(font.getname()))
        if env and path == env:
            raise RenderError(f"{ENV_VAR}={env}: このフォントには日本語の字形がありません",
                              f"{ENV_VAR}={env}: this font has no Japanese glyphs")
    where = ", ".join(tried) or "なし / none"
    raise RenderError(
        "日本語の字形を持つフォントが見つかりません（Debian: apt-get install fonts-noto-cjk、"
        f"または {ENV_VAR} にフォントファイルを指定）。試したフォント: {where}",
        "no font with Japanese glyphs found (Debian: apt-get install fonts-noto-cjk, or name a font file "
        f"in {ENV_VAR}); tried: {where}")
