"""``qitxl profile`` and ``qitxl whatif``: thin faces over qitxl.profiles and qitxl.whatif."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict

from .commands import add_dataset_argument, format_table, load
from .dataset import Dataset
from .model import compute
from .names import UnknownProvince, resolve
from .profiles import components, default_margin, trends
from .whatif import run as run_whatif_model
from .whatif import wide_rows

WORDS = {
    "en": {
        "rank": "rank", "of": "of", "score": "score", "tier": "tier", "not_assessed":
        "not assessed: the dataset holds no QIT evidence for it, so it has no score or rank",
        "rule": "Strength (weakness): ranked at least {k} places better (worse) than the overall rank {rank}, "
                "however ties are broken (6-12 = tied over places 6 to 12).",
        "strengths": "strengths", "weaknesses": "weaknesses", "none": "none",
        "pillars": "Pillars", "indicators": "Indicators", "component": "component", "value": "value",
        "unit": "unit", "year": "year", "normalised": "normalised", "gap": "vs overall", "verdict": "",
        "strength": "strength", "weakness": "weakness", "trends": "R&D trends", "cagr": "compound annual growth",
        "whatif_p": "Leaving out one pillar (the others re-weighted): new rank (places moved, + = up)",
        "whatif_i": "Leaving out one indicator (the rest of its pillar re-weighted): new rank (places moved)",
        "largest": "Largest move: {n} place(s).",
    },
    "zh": {
        "rank": "名次", "of": "/", "score": "得分", "tier": "梯队",
        "not_assessed": "未评估：数据集中没有其量子证据，因此没有得分和名次",
        "rule": "优势（劣势）：无论并列如何排序，名次都比总名次 {rank} 至少好（差）{k} 位"
                "（6-12 表示并列第 6 至 12 位）。",
        "strengths": "优势", "weaknesses": "劣势", "none": "无",
        "pillars": "支柱", "indicators": "指标", "component": "项目", "value": "数值", "unit": "单位",
        "year": "年份", "normalised": "标准化", "gap": "与总名次差", "verdict": "",
        "strength": "优势", "weakness": "劣势", "trends": "研发趋势", "cagr": "年均复合增长率",
        "whatif_p": "去掉一个支柱（其余重新加权）：新名次（名次变化，+ 为上升）",
        "whatif_i": "去掉一个指标（同支柱其余指标重新加权）：新名次（名次变化）",
        "largest": "最大变动：{n} 位。",
    },
}


def _add_common(p: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    add_dataset_argument(p)
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.add_argument("--format", choices=formats, default=formats[0])


# ----------------------------------------------------------------------------- profile

def add_profile_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="a province in any spelling (English, Chinese, pinyin, ISO or GB/T code)")
    _add_common(p, ("text", "json"))
    p.add_argument("--margin", type=int, default=None,
                   help="places a rank must differ from the overall rank to count as a strength or weakness "
                        "(default max(2, ceil(n/10)) for n ranked provinces)")


def profile_data(ds: Dataset, iso: str, lang: str, margin: int | None) -> dict[str, object]:
    """Everything ``qitxl profile`` shows, as plain data (what --format json prints)."""
    res = compute(ds)
    p = ds.province(iso)
    out: dict[str, object] = {"iso_code": iso, "name": p.name(lang), "name_en": p.name_en, "name_zh": p.name_zh_short,
                              "assessed": iso in res.iso_codes}
    if iso in res.iso_codes:
        k = default_margin(len(res.iso_codes)) if margin is None else margin
        comps = components(res, iso, lang, k)
        out.update({
            "rank": res.rank(iso), "of": len(res.iso_codes), "score": res.score(iso),
            "tier": res.tier(iso, lang).label, "margin": k,
            "rule": f"strength: clear gap >= {k}; weakness: clear gap <= -{k}; the clear gap is overall rank - "
                    "worst tied place if positive, overall rank - best tied place if negative, else 0",
            "strengths": [c.label for c in comps if c.verdict == "strength"],
            "weaknesses": [c.label for c in comps if c.verdict == "weakness"],
            "components": [asdict(c) | {"place": c.place} for c in comps],
        })
    out["trends"] = [asdict(t) for t in trends(ds, iso, lang)]
    return out


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:+.1f}%"


def _num(x: float | None, digits: int = 1) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def _value(x: float | None) -> str:
    """A raw value as a reader expects it: whole numbers without decimals, others to 2 decimals."""
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def print_profile(d: dict[str, object], lang: str) -> None:
    """The text form of ``qitxl profile``."""
    w = WORDS[lang]
    print(f"{d['name']} ({d['iso_code']})")
    if not d["assessed"]:
        print(w["not_assessed"])
    else:
        print(f"{w['rank']} {d['rank']} {w['of']} {d['of']} · {w['score']} {d['score']:.1f} · {w['tier']} {d['tier']}")
        print(w["rule"].format(k=d["margin"], rank=d["rank"]))
        for key in ("strengths", "weaknesses"):
            print(f"  {w[key]}: {'; '.join(d[key]) or w['none']}")
        for kind in ("pillar", "indicator"):
            rows = []
            for c in d["components"]:
                if c["kind"] != kind:
                    continue
                row = {w["component"]: c["label"]}
                if kind == "indicator":
                    row.update({w["value"]: _value(c["value"]), w["unit"]: c["unit"],
                                w["year"]: "" if c["year"] is None else str(c["year"]),
                                w["normalised"]: _num(c["score"])})
                else:
                    row[w["score"]] = _num(c["score"])
                row.update({w["rank"]: c["place"],
                            w["gap"]: "" if c["gap"] is None else f"{c['gap']:+d}" if c["gap"] else "0",
                            " ": w.get(c["verdict"], "")})
                rows.append(row)
            print(f"\n{w['pillars' if kind == 'pillar' else 'indicators']}")
            print(format_table(rows))
    ts = [t for t in d["trends"] if t["years"]]
    if ts:
        years = ts[0]["years"]
        print(f"\n{w['trends']} {years[0]}-{years[-1]}")
        rows = [{w["year"]: str(y), **{f"{t['label']} ({t['unit']})": _num(t["values"][k], 2) for t in ts}}
                for k, y in enumerate(years)]
        rows.append({w["year"]: w["cagr"], **{f"{t['label']} ({t['unit']})": _pct(t["cagr"]) for t in ts}})
        print(format_table(rows))


def run_profile(args: argparse.Namespace) -> int:
    """``qitxl profile NAME``: one province's ranks, strengths and weaknesses, and R&D trends."""
    ds = load(args)
    if args.margin is not None and args.margin < 1:
        print(f"qitxl profile: --margin must be a whole number >= 1, not {args.margin}", file=sys.stderr)
        return 2
    try:
        iso = resolve(args.name, ds)
    except UnknownProvince as exc:
        print(f"qitxl profile: {exc}", file=sys.stderr)
        return 2
    d = profile_data(ds, iso, args.lang, args.margin)
    if args.format == "json":
        json.dump(d, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_profile(d, args.lang)
    return 0


# ----------------------------------------------------------------------------- whatif

def add_whatif_arguments(p: argparse.ArgumentParser) -> None:
    _add_common(p, ("table", "csv", "json"))


def run_whatif(args: argparse.Namespace) -> int:
    """``qitxl whatif``: every province's rank with each pillar, then each indicator, left out."""
    ds = load(args)
    w = run_whatif_model(ds)
    records = w.records(args.lang)
    if args.format == "json":
        json.dump({"rule": "each pillar (indicator) left out in turn, its weight set to 0 and the rest "
                           "rescaled; shift = nominal rank - new rank (positive = up)",
                   "largest_shift": w.largest_shift(), "scenarios": records},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        out = csv.DictWriter(sys.stdout, fieldnames=list(records[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(records)
    else:
        words = WORDS[args.lang]
        for kind, head in (("pillar", "whatif_p"), ("indicator", "whatif_i")):
            print(words[head])
            print(format_table(wide_rows(w, kind, args.lang)))
            print()
        print(words["largest"].format(n=w.largest_shift()))
    return 0
