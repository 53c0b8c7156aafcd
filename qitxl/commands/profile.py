"""``qitxl profile NAME``: one province's ranks, strengths and weaknesses, and R&D trends."""

from __future__ import annotations

import argparse
import json
import sys

from ..names import resolve
from ..profiles import profile_data
from ..texttable import format_table
from .common import add_dataset_argument, add_lang_argument, load

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
    },
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="a province in any spelling (English, Chinese, pinyin, ISO or GB/T code)")
    add_dataset_argument(p)
    add_lang_argument(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--margin", type=int, default=None,
                   help="places a rank must differ from the overall rank to count as a strength or weakness "
                        "(default max(2, ceil(n/10)) for n ranked provinces)")


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


def run(args: argparse.Namespace) -> int:
    """``qitxl profile NAME``: one province's ranks, strengths and weaknesses, and R&D trends."""
    ds = load(args)
    if args.margin is not None and args.margin < 1:
        print(f"qitxl profile: --margin must be a whole number >= 1, not {args.margin}", file=sys.stderr)
        return 2
    iso = resolve(args.name, ds)
    d = profile_data(ds, iso, args.lang, args.margin)
    if args.format == "json":
        json.dump(d, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_profile(d, args.lang)
    return 0
