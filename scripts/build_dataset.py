"""Rebuild the bundled tables in ``qitxl/data/`` from the reference files.

For maintainers only: users never run this. It reads the reference folder (by default
``../shared/reference`` beside the repository), repairs its known faults and writes
``provinces.csv`` and the statistical rows of ``indicators.csv``. Coded QIT evidence rows
(indicators whose id starts with ``qit_``) are maintained by hand in ``indicators.csv`` and are
kept as they are.

Faults repaired here (each also noted in the README's data section):
- the Hubei alias "North of the lake" (a gloss, not a name) is dropped;
- the patent series spells provinces with padding spaces in 2010 and with 两 for 西 in 2012
  (山两 = 山西, 两藏 = 西藏);
- Macao's English name is given as "Macao" (the ISO spelling) with "Macau" as an alias.

Usage: python scripts/build_dataset.py [REFERENCE_DIR]
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "qitxl" / "data"
DEFAULT_REF = ROOT.parent / "shared" / "reference"

# Historical (Chinese postal / Wade-Giles) spellings that still appear in older English texts.
POSTAL = {
    "CN-AH": ["Anhwei"], "CN-BJ": ["Peiping"], "CN-CQ": ["Chungking"], "CN-FJ": [],
    "CN-GD": [], "CN-GS": ["Kansu"], "CN-GX": ["Kwangsi"], "CN-GZ": ["Kweichow"],
    "CN-HA": ["Honan"], "CN-HB": ["Hupeh", "Hupei"], "CN-HE": ["Hopeh", "Hopei"],
    "CN-HI": [], "CN-HK": ["Hongkong"], "CN-HL": ["Heilungkiang"], "CN-HN": [],
    "CN-JL": ["Kirin"], "CN-JS": ["Kiangsu"], "CN-JX": ["Kiangsi"], "CN-LN": [],
    "CN-MO": ["Macau"], "CN-NM": ["Nei Menggu"], "CN-NX": ["Ningsia"], "CN-QH": ["Tsinghai"],
    "CN-SC": ["Szechwan", "Szechuan"], "CN-SD": ["Shantung"], "CN-SH": [],
    "CN-SN": ["Shensi"], "CN-SX": ["Shansi"], "CN-TJ": ["Tientsin"], "CN-TW": [],
    "CN-XJ": ["Sinkiang"], "CN-XZ": [], "CN-YN": [], "CN-ZJ": ["Chekiang"],
}
DROP_ALIASES = {"North of the lake"}
PATENT_NAME_FIXES = {"山两": "山西", "两藏": "西藏"}
TYPE_ZH = {
    "Province": "省", "Municipality": "直辖市", "Autonomous region": "自治区",
    "Special administrative region": "特别行政区",
}


def toneless(text: str) -> str:
    """Strip pinyin tone marks: 'Shǎnxī' -> 'Shanxi'."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build_provinces(ref: Path) -> list[dict[str, str]]:
    """The provinces table, one row per provincial-level division, sorted by ISO code."""
    out = []
    for r in read(ref / "provinces_reference_DRAFT.csv"):
        iso = r["iso_3166_2"]
        names = [n for n in r["names_en"].split("|") if n and n not in DROP_ALIASES]
        name_en = names[0].replace(" SAR", "")
        if iso == "CN-MO":
            name_en = "Macao"
        aliases = [n for n in names[1:] if n != name_en] + POSTAL[iso]
        if iso == "CN-MO":
            aliases = [a for a in aliases if a not in ("Macau SAR",)] + ["Macau SAR"]
        has_stats = bool(r["nbs_region"])
        out.append({
            "iso_code": iso,
            "iso_code_legacy": r["iso_3166_2_legacy_pre2017"],
            "gb_code": r["gb_t_2260"],
            "name_en": name_en,
            "name_zh": r["name_zh_full"],
            "name_zh_short": r["name_zh_short"],
            "name_iso": r["name_iso_romanized"],
            "pinyin_tone": r["name_pinyin_tone"],
            "pinyin": toneless(r["name_pinyin_tone"]),
            "aliases_en": "|".join(dict.fromkeys(aliases)),
            "abbr_zh": r["abbr_zh_HANDENTERED"],
            "type": r["type_iso"],
            "type_zh": TYPE_ZH[r["type_iso"]],
            "region": r["nbs_region"] or "",
            "capital_en": r["capital_en_HANDENTERED"],
            "capital_zh": r["capital_zh_HANDENTERED"],
            "nbs_statistics": "yes" if has_stats else "no",
            "names_source": "pycountry_26|iso3166_2_pkg|cpca_adcodes|nbs_regions_2011",
        })
    return sorted(out, key=lambda row: row["iso_code"])


def build_statistics(ref: Path, provinces: list[dict[str, str]]) -> list[dict[str, str]]:
    """Long rows for R&D expenditure, R&D intensity and patent grants, every year available."""
    iso_by_zh = {p["name_zh_short"]: p["iso_code"] for p in provinces}
    rows: list[dict[str, str]] = []

    communique = {r["region_zh"]: r for r in read(ref / "nbs_2023_rd_expenditure_by_province.csv")}
    for r in read(ref / "techme_RDIntense_2011-2023_long.csv"):
        if r["province"] == "全国":
            continue
        iso = iso_by_zh[r["province"]]
        spend = r["chn_block4"] == "RD经费"
        year = r["year"]
        value = r["value"]
        if year == "2023":
            value = communique[r["province"]][
                "rd_expenditure_100m_yuan_2023" if spend else "rd_intensity_pct_2023"
            ]
            source = "nbs_rd_communique_2023"
            confidence = "official"
        else:
            source = "nbs_rd_communiques_techme"
            confidence = "official"
        rows.append({
            "iso_code": iso,
            "indicator": "rd_expenditure" if spend else "rd_intensity",
            "value": value,
            "year": year,
            "unit": "100 million yuan" if spend else "% of GDP",
            "source_id": source,
            "confidence": confidence,
            "note": "",
        })

    kinds = {"合计": "patent_grants", "发明": "invention_patents"}
    for r in read(ref / "techme_RDPatentAuthority_2010-2023_long.csv"):
        name = "".join(r["province"].split())
        name = PATENT_NAME_FIXES.get(name, name)
        if name == "全国" or r["chn_block4"] not in kinds:
            continue
        rows.append({
            "iso_code": iso_by_zh[name],
            "indicator": kinds[r["chn_block4"]],
            "value": str(int(float(r["value"]))),
            "year": r["year"],
            "unit": "grants",
            "source_id": "cssty_patents_techme",
            "confidence": "official",
            "note": "year as labelled in the source; whether it is the data year or the yearbook "
                    "edition is not established",
        })
    order = {"rd_expenditure": 0, "rd_intensity": 1, "patent_grants": 2, "invention_patents": 3}
    rows.sort(key=lambda x: (x["iso_code"], order[x["indicator"]], int(x["year"])))
    return rows


def write(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str]) -> int:
    ref = Path(argv[1]) if len(argv) > 1 else DEFAULT_REF
    provinces = build_provinces(ref)
    write(DATA / "provinces.csv", provinces, list(provinces[0]))
    stats = build_statistics(ref, provinces)
    coded_path = DATA / "indicators.csv"
    coded = [r for r in read(coded_path) if r["indicator"].startswith("qit_")] if coded_path.exists() else []
    write(coded_path, stats + coded, list(stats[0]))
    print(f"{len(provinces)} provinces, {len(stats)} statistical rows, {len(coded)} coded rows kept")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
