"""Resolve whatever a person types for a province to its ISO 3166-2:CN code.

Accepted: English names and aliases (with or without "Province", "Sheng", "Shi", "City",
"Municipality", "Autonomous Region", "Zizhiqu", "SAR"), the ISO romanisation, Chinese full and
short names and the one-character abbreviations (简称), pinyin with or without tone marks (or tone
numbers), ISO codes of either generation (CN-AH, CN-34) in any case, and GB/T 2260 codes as text or
number (340000, 340000.0). Case, spaces (including non-breaking and full-width ones), hyphens and
apostrophes do not matter.

It never guesses. Only an exact match on one of those spellings resolves; anything else raises
UnknownProvince (a LookupError) whose message suggests the closest names. Shanxi (山西, CN-SX) and
Shaanxi (陕西, CN-SN) share the toneless pinyin "Shanxi": that spelling means Shanxi, as in ISO
usage; Shaanxi is "Shaanxi", 陕西, 陕, Shǎnxī or Shan3xi1. A tone-marked spelling resolves only
when its marks fit exactly one province; "its tone marks fit no province" is said only of text
with tone marks or with tone digits on pinyin syllables ("xi1an", not "Column1").

Cost is linear in the text's length, and text far longer than any spelling (``Resolver.max_length``)
is refused before any work, so a column of long text costs no more than a column of names.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from .dataset import Dataset, Province, bundled
from .exceptions import QitxlError

_STRIP = re.compile(r"[\s\u00a0\u3000\-_'’.,·•]+")
_EN_SUFFIXES = (
    "specialadministrativeregion", "autonomousregion", "municipality", "province", "zizhiqu",
    "sheng", "shi", "city", "sar",
)
_ZH_SUFFIXES = ("特别行政区", "自治区", "省", "市")
# The look-behind anchors each match at the start of a run of letters, so a long run without a
# digit is scanned once (without it the regex retries from every letter: quadratic time).
_TONE_NUMBERS = re.compile(r"(?<![a-zü])([a-zü]+)([1-5])")
_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh", "r",
             "z", "c", "s", "y", "w")
_FINALS = ("a", "o", "e", "i", "u", "ü", "v", "ai", "ei", "ao", "ou", "an", "en", "er", "ia", "ie", "in", "iu",
           "ua", "uo", "ui", "un", "ue", "ve", "üe", "ün", "ang", "eng", "ing", "ong", "ian", "iao", "uai",
           "uan", "üan", "van", "iang", "iong", "uang", "ueng")
#: Every initial+final pair: a superset of the real syllables, enough to tell "xi1an" from "Column1".
_SYLLABLES = frozenset(i + f for i in _INITIALS for f in _FINALS)
_LONGEST_SYLLABLE = max(map(len, _SYLLABLES))
_CODE = re.compile(r"^cn[-_ ]?([a-z]{2}|\d{2})$")
_GB = re.compile(r"^(\d{6})(?:\.0+)?$")
_VOWEL_TONES = {
    "a": "āáǎà", "e": "ēéěè", "i": "īíǐì", "o": "ōóǒò", "u": "ūúǔù", "ü": "ǖǘǚǜ",
}


class UnknownProvince(QitxlError, LookupError):
    """No province answers to this text. ``suggestions`` holds the closest English names."""

    def __init__(self, text: object, suggestions: Iterable[str] = (), reason: str | None = None):
        self.text = text
        self.suggestions = tuple(suggestions)
        shown = str(text)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        msg = reason or f'unknown province "{shown}"'
        if self.suggestions:
            msg += "; did you mean " + " or ".join(self.suggestions) + "?"
        super().__init__(msg)

    def __str__(self) -> str:
        return self.args[0]


def _fold(text: str) -> str:
    """NFKC, case-fold, and drop spaces and punctuation: the form every key is stored in."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text).casefold())


def _toneless(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _is_pinyin(letters: str) -> bool:
    """True when ``letters`` splits into pinyin syllables (linear: reachable split points)."""
    reach = [False] * (len(letters) + 1)
    reach[0] = True
    for i in range(len(letters)):
        if reach[i]:
            for j in range(i + 1, min(len(letters), i + _LONGEST_SYLLABLE) + 1):
                if letters[i:j] in _SYLLABLES:
                    reach[j] = True
    return reach[-1]


def _has_tone_numbers(key: str) -> bool:
    """True when ``key`` carries tone digits on pinyin ("shan3xi1"), not on words ("column1", "item4")."""
    runs = [m.group(1) for m in _TONE_NUMBERS.finditer(key)]
    return bool(runs) and all(_is_pinyin(r) for r in runs)


def _numbers_to_marks(text: str) -> str:
    """'shan3xi1' -> 'shǎnxī': put each syllable's tone number on its vowel (pinyin rules)."""

    def mark(m: re.Match[str]) -> str:
        syl, tone = m.group(1), int(m.group(2))
        if tone == 5:
            return syl
        for target in ("a", "e"):
            if target in syl:
                i = syl.index(target)
                break
        else:
            if "ou" in syl:
                i = syl.index("o")
            else:
                idx = [k for k, ch in enumerate(syl) if ch in _VOWEL_TONES]
                if not idx:
                    return syl
                i = idx[-1]
        return syl[:i] + _VOWEL_TONES[syl[i]][tone - 1] + syl[i + 1:]

    return _TONE_NUMBERS.sub(mark, text)


class Resolver:
    """Name resolution over one dataset's provinces. Build once; ``resolve`` is a dict lookup."""

    def __init__(self, provinces: Iterable[Province]):
        self.provinces = {p.iso_code: p for p in provinces}
        claims: dict[str, dict[str, int]] = {}

        def claim(key: str, iso: str, priority: int) -> None:
            if key:
                prev = claims.setdefault(key, {})
                prev[iso] = min(priority, prev.get(iso, priority))

        self._toned: dict[str, list[tuple[str, str]]] = {}
        for p in self.provinces.values():
            iso = p.iso_code
            claim(_fold(iso), iso, 0)
            claim(_fold(p.iso_code_legacy), iso, 0)
            claim(p.gb_code, iso, 0)
            for name in (p.name_en, p.name_iso, *p.aliases_en):
                claim(_fold(name), iso, 1)
                base = _fold(name)
                for suffix in _EN_SUFFIXES:
                    if base.endswith(suffix) and len(base) > len(suffix) + 1:
                        claim(base[: -len(suffix)], iso, 2)
            for name in (p.name_zh, p.name_zh_short, *p.abbr_zh):
                claim(_fold(name), iso, 1)
            claim(_fold(p.pinyin_tone), iso, 1)
            # Toneless pinyin is the weakest claim: 'Shanxi' is Shanxi's own name, Shaanxi's toneless pinyin.
            claim(_fold(_toneless(p.pinyin_tone)), iso, 3)
            self._toned.setdefault(_fold(_toneless(p.pinyin_tone)), []).append((iso, _fold(p.pinyin_tone)))

        self._keys: dict[str, str] = {}
        for key, who in claims.items():
            best = min(who.values())
            winners = [iso for iso, pr in who.items() if pr == best]
            if len(winners) == 1:
                self._keys[key] = winners[0]
        self._cache: dict[object, str | UnknownProvince] = {}
        longest = max(len(k) for k in claims)
        # Far longer than any spelling (room left for spaces and suffixes): refused before any work.
        self.max_length = max(64, 3 * longest)
        # Names claim suggestion labels before toneless pinyin does, so "shanxi" stays Shanxi's.
        labels: dict[str, str] = {}
        for p in self.provinces.values():
            for name in (p.name_en, *p.aliases_en, p.name_zh, p.name_zh_short):
                labels.setdefault(_fold(name), p.iso_code)
        for p in self.provinces.values():
            labels.setdefault(_fold(_toneless(p.pinyin_tone)), p.iso_code)
        self._labels = labels
        self._capitals = {
            _fold(c): p for p in self.provinces.values() for c in (p.capital_en, p.capital_zh) if c
        }

    # ------------------------------------------------------------------ public

    def resolve(self, text: object) -> str:
        """The ISO code for ``text``; raises UnknownProvince (LookupError) with suggestions."""
        # Strings (the common case) get their own cache; other values are keyed by (type, value)
        # so that True, 1 and 1.0 never share an entry.
        key = text if type(text) is str else (type(text), text)
        try:
            hit = self._cache.get(key)
        except TypeError:
            hit = None
        if hit is not None:
            if isinstance(hit, UnknownProvince):
                raise UnknownProvince(hit.text, hit.suggestions, reason=hit.args[0].split("; did you mean")[0])
            return hit
        try:
            iso = self._resolve_uncached(text)
        except UnknownProvince as exc:
            self._remember(key, text, exc)
            raise
        self._remember(key, text, iso)
        return iso

    def _remember(self, key: object, text: object, outcome: str | UnknownProvince) -> None:
        if isinstance(text, str | int | float) and len(self._cache) < 100_000 and (
                not isinstance(text, str) or len(text) <= self.max_length):
            self._cache[key] = outcome

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """The English names of the provinces whose spellings are closest to ``text``."""
        key = _fold(_toneless(text))
        if not key:
            return []
        cutoff = 0.6 if key.isascii() else 0.5  # two-character Chinese names differ by half at one typo
        scored = []
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(key)
        for label, iso in self._labels.items():
            matcher.set_seq1(label)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((-ratio, label, iso))
        scored.sort()
        out: list[str] = []
        for neg, _, iso in scored:
            if -neg < -scored[0][0] - 0.1:
                break  # keep only suggestions about as close as the best one
            name = self.provinces[iso].name_en
            if name not in out:
                out.append(name)
        # Shanxi and Shaanxi are each other's likeliest mix-up: offer both whenever one is offered.
        twins = {"Shanxi": "Shaanxi", "Shaanxi": "Shanxi"}
        for name in list(out):
            twin = twins.get(name)
            if twin and twin not in out and any(p.name_en == twin for p in self.provinces.values()):
                out.insert(out.index(name) + 1, twin)
        return out[:n]

    # ------------------------------------------------------------------ internals

    def _resolve_uncached(self, text: object) -> str:
        if isinstance(text, bool) or text is None:
            raise UnknownProvince(text, reason=f"not a province name: {text!r}")
        if isinstance(text, int | float):
            if isinstance(text, float) and not text.is_integer():
                raise UnknownProvince(text, reason=f"{text!r} is not a GB/T 2260 code")
            code = str(int(text))
            if code in self._keys and len(code) == 6:
                return self._keys[code]
            raise UnknownProvince(text, reason=f"{code} is not a provincial GB/T 2260 code (like 340000)")
        if not isinstance(text, str):
            raise UnknownProvince(text, reason=f"not a province name: {type(text).__name__}")
        if len(text) > self.max_length:
            raise UnknownProvince(text, reason=f"not a province name: {len(text)} characters, far longer than "
                                               f"any province name (limit {self.max_length})")
        key = _fold(text)
        if not key:
            raise UnknownProvince(text, reason="empty province name")
        hit = self._keys.get(key)
        if hit:
            return hit
        m = _GB.match(unicodedata.normalize("NFKC", text).strip())
        if m and m.group(1) in self._keys:
            return self._keys[m.group(1)]
        m = _CODE.match(key)
        if m and _fold("cn-" + m.group(1)) in self._keys:
            return self._keys[_fold("cn-" + m.group(1))]
        for suffix in _ZH_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] in self._keys and not key[: -len(suffix)].isascii():
                return self._keys[key[: -len(suffix)]]
        for suffix in _EN_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] in self._keys and key.isascii():
                return self._keys[key[: -len(suffix)]]
        toned = _numbers_to_marks(key) if _has_tone_numbers(key) else key
        if toned != key and toned in self._keys:
            return self._keys[toned]
        if any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", toned)):
            return self._resolve_partial_tones(text, toned)
        capital = self._capitals.get(key)
        if capital is not None:
            raise UnknownProvince(text, [capital.name_en],
                                  reason=f'"{text}" is a city, the capital of {capital.name_en}, not a province')
        raise UnknownProvince(text, self.suggest(text))

    def _resolve_partial_tones(self, text: str, toned: str) -> str:
        """Tone-marked input that is not exact: accept only if its marks fit exactly one province."""
        nfc = unicodedata.normalize("NFC", toned)
        fits = []
        for iso, full in self._toned.get(_fold(_toneless(nfc)), []):
            full = unicodedata.normalize("NFC", full)
            if len(full) == len(nfc) and all(a == b or a == _toneless(b) for a, b in zip(nfc, full, strict=True)):
                fits.append(iso)
        if len(fits) == 1:
            return fits[0]
        names = [self.provinces[iso].name_en for iso, _ in self._toned.get(_fold(_toneless(nfc)), [])]
        if len(fits) > 1:
            reason = f'"{text}" fits more than one province; add tone marks or use the Chinese name'
        else:
            reason = f'unknown province "{text}": its tone marks fit no province'
        raise UnknownProvince(text, names or self.suggest(text), reason=reason)


_default: Resolver | None = None


def resolver(dataset: Dataset | None = None) -> Resolver:
    """The resolver for ``dataset`` (the bundled one by default, built once)."""
    global _default
    if dataset is None:
        if _default is None:
            _default = Resolver(bundled().provinces)
        return _default
    return Resolver(dataset.provinces)


def resolve(text: object, dataset: Dataset | None = None) -> str:
    """ISO 3166-2:CN code for any spelling of a province; raises UnknownProvince with suggestions."""
    return resolver(dataset).resolve(text)


def suggest(text: str, n: int = 3) -> list[str]:
    """The closest province names to ``text``, best first."""
    return resolver().suggest(text, n)
