"""The one way qitxl picks a language: English, or Chinese for ``lang="zh"``.

Data in both languages sits in pairs of fields, ``<name>_en`` and ``<name>_zh`` (a dataclass's
attributes or a mapping's keys); ``localised`` reads the one for a language. The few words the
core itself says are in WORDS. The workbook's texts are in ``qitxl.workbook.text``, the command
line's beside each command.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "zh")

WORDS: dict[str, dict[str, str]] = {
    "not_mentioned": {"en": "not mentioned", "zh": "未提及"},
}


def suffix(lang: str) -> str:
    """``"zh"`` for Chinese, ``"en"`` for anything else (English is the default)."""
    return "zh" if lang == "zh" else "en"


def localised(obj: object, field: str, lang: str) -> str:
    """``obj.<field>_zh`` for ``lang="zh"``, else ``obj.<field>_en`` (or the mapping's keys)."""
    name = f"{field}_{suffix(lang)}"
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


def word(key: str, lang: str) -> str:
    """One of the core's own WORDS in a language."""
    return WORDS[key][suffix(lang)]
