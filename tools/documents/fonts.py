"""The typeface of documents: Noto Sans SC, shipped by the justmytype-intl-cjk package (Latin, Chinese, kana).

It is a variable font whose default instance is Thin; fixing the weight of all its 30,000 glyphs takes
minutes. So each document's font is cut first to the characters it prints (with Latin always in), then
set to regular and bold weights: about 1.5 s for a new set of characters, then cached for the process."""

from __future__ import annotations

import hashlib
import io
import tempfile
import threading
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

FAMILY = "NotoSansSC"
WEIGHTS = {"": 400, "B": 700}
LATIN = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | {0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D,
                                                            0x2022, 0x2026, 0x20AC, 0x2212}
_lock = threading.Lock()
_dir = tempfile.TemporaryDirectory(prefix="tally-fonts-")  # removed when the process ends


def source() -> Path:
    return Path(str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"))


def font_files(text: str) -> dict[str, Path]:
    """Style ("" or "B") -> a static TTF that has every glyph `text` needs (that the typeface has)."""
    extra = frozenset(ord(ch) for ch in text) - LATIN
    with _lock:
        return _cut(frozenset(ch for ch in extra if ch >= 0x20))


@lru_cache(maxsize=64)
def _cut(extra: frozenset[int]) -> dict[str, Path]:
    key = hashlib.sha1(",".join(map(str, sorted(extra))).encode()).hexdigest()[:16]
    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    options.name_IDs = ["*"]
    font = TTFont(source())
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted(LATIN | extra))
    cutter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    paths = {}
    for style, weight in WEIGHTS.items():
        buffer.seek(0)
        static = instancer.instantiateVariableFont(TTFont(buffer), {"wght": weight})
        path = Path(_dir.name) / f"{FAMILY}-{key}-{weight}.ttf"
        static.save(path)
        paths[style] = path
    return paths
