# ruff: noqa: E501
"""Methodology sheet: the steps, normalisation, aggregation, tiers and limits, filled from the dataset."""

from __future__ import annotations

import math

from ..model import RANK_DECIMALS
from ..profiles import default_margin
from .layout import Context

STEPS = {
    "en": [
        ("Steps", None),
        ("1. Values", "For each indicator the model takes the value for its pinned year ({years}), or else the latest "
                      "year available, for the {assessed} assessed provinces only (those rated on the coded quantum pillars)."),
        ("2. Skewed indicators", "An indicator whose |skewness| > {skew} and kurtosis > {kurt} across the assessed "
                                 "provinces becomes ln(1 + x) before normalisation. Treated here: {treated}."),
        ("3. Normalisation", "{norm_text} Indicators where lower is better are reversed (100 - score). "
                             "An indicator with no spread scores 50."),
        ("4. Pillar scores", "Each pillar is the weighted mean of its indicators (weights on the Weights sheet). "
                             "A missing value is left out and the remaining weights rescaled."),
        ("5. Composite", "The composite is the weighted arithmetic mean of the pillar scores; pillar weights are "
                         "divided by their sum, so they need not add up to 1."),
        ("6. Ranks and tiers", "Ranks follow Excel's RANK.EQ (ties share the best rank) on the score rounded to "
                               "{decimals} decimals, so rounding noise never separates a tie. A province is in the "
                               "first tier whose minimum its rounded score reaches: {tiers}."),
        ("Analysis", None),
        ("Strengths, weaknesses", "On the Profile sheet a pillar or indicator is a strength when the province ranks on "
                                  "it at least {margin} places better than its overall rank, a weakness when at least "
                                  "{margin} places worse, however ties are broken (the margin cell there can be edited)."),
        ("What if", "Each pillar, then each indicator, is left out in turn and the remaining weights rescaled; the "
                    "sheet shows every new rank."),
        ("Sensitivity indices", "S1 (first order, Saltelli 2010) and ST (total effect, Jansen) give the share of "
                                "the variance of each rank due to the weights, the normalisation, the aggregation "
                                "and the skew treatment."),
        ("Limits", None),
        ("Evidence", "The quantum ratings were coded by two coders independently under a written codebook "
                     "(docs/codebook.md) and reconciled; their sources run from official, institutional and "
                     "peer-reviewed to thin secondary pages, and each value's confidence is on the Indicators sheet. "
                     "A 0 means a logged search found nothing, which may understate a province."),
        ("Seed article", "The reported tiers come from one unattributed web article. They are shown as reported "
                         "and never used by the model."),
        ("Weights", "The default weights are a judgement. The Sensitivity sheet shows how far ranks move when "
                    "weights and method vary; small score differences are not meaningful."),
        ("This workbook", "Scores, ranks and tiers are formulas that follow edits to the weights and raw values. "
                          "The skew treatment decided on the shipped data stays fixed, and the What if and "
                          "Sensitivity sheets do not recompute. The full methodology is in docs/methodology.md."),
    ],
    "zh": [
        ("步骤", None),
        ("1. 数值", "每个指标取其指定年份（{years}）的数值，否则取最新年份；仅限 {assessed} 个已评估省份（有量子支柱编码评级者）。"),
        ("2. 偏态指标", "若某指标在已评估省份中 |偏度| > {skew} 且峰度 > {kurt}，则在标准化前取 ln(1 + x)。本数据中经处理的指标：{treated}。"),
        ("3. 标准化", "{norm_text} 越低越好的指标取反（100 - 得分）。无差异的指标记 50 分。"),
        ("4. 支柱得分", "每个支柱为其各指标的加权平均（权重见“权重”表）。缺失值不计入，其余权重重新缩放。"),
        ("5. 综合得分", "综合得分为各支柱得分的加权算术平均；支柱权重除以其总和，因此不必合计为 1。"),
        ("6. 名次与梯队", "名次按 Excel 的 RANK.EQ 计算（并列取最好名次），依据四舍五入到 {decimals} 位小数的得分，因此计算误差不会拆开并列。省份归入其四舍五入后得分达到最低分的第一个梯队：{tiers}。"),
        ("分析", None),
        ("优势与劣势", "在“省份概况”表中，若某省某支柱或指标的名次比其总名次至少好 {margin} 位即为优势，至少差 {margin} 位即为劣势，无论并列如何排序（该表中的界限单元格可修改）。"),
        ("假设分析", "逐一去掉每个支柱、再逐一去掉每个指标，其余权重重新缩放；该表显示每个新名次。"),
        ("敏感性指数", "S1（一阶，Saltelli 2010）与 ST（总效应，Jansen）给出各名次方差中由权重、标准化、加总和偏态处理造成的份额。"),
        ("局限", None),
        ("证据", "量子评级按书面编码手册（docs/codebook.md）由两人独立编码后核对确定；资料从官方、机构、同行评议到单薄的二手网页不等，每个数值的可信度见“指标”表。评级为 0 表示有记录的检索一无所获，可能低估该省。"),
        ("种子文章", "报道梯队来自一篇未署名的网络文章，仅按原文列出，模型从不使用。"),
        ("权重", "默认权重属于判断。“敏感性”表显示权重和方法变化时名次的波动；得分的微小差异没有意义。"),
        ("本工作簿", "得分、名次和梯队为公式，会随权重和原始数值的修改而更新。偏态处理依据随附数据确定并保持不变，“假设分析”和“敏感性”表不会重新计算。完整方法见 docs/methodology.md。"),
    ],
}
NORM_TEXT = {
    "en": {"minmax": "Each indicator is rescaled to 0-100 across the assessed provinces: (x - min) / (max - min) x 100.",
           "goalposts": "Each indicator is rescaled to 0-100 between fixed goalposts, clipped.",
           "rank": "Each indicator becomes the percentile of the province's rank (ties averaged), 0-100."},
    "zh": {"minmax": "每个指标在已评估省份间缩放到 0-100：(x - 最小值) / (最大值 - 最小值) × 100。",
           "goalposts": "每个指标在固定上下限之间缩放到 0-100，超出部分截断。",
           "rank": "每个指标取省份名次的百分位（并列取平均），0-100。"},
}
CHARS = {"en": 95, "zh": 48}


def write(ctx: Context) -> None:
    """Write the Methodology sheet."""
    words, styles, ds, res, lang = ctx.words, ctx.styles, ctx.ds, ctx.res, ctx.lang
    ws = ctx.sheets["methodology"]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 90)
    ws.write(0, 1, words["me.title"], styles["title"])
    ws.set_row(0, 26)
    years = ", ".join(f"{i.label(lang)} {i.year}" for i in ds.indicators if i.year) or "-"
    treated = ", ".join(i.label(lang) for i in ds.indicators if res.transforms[i.id] != "none")
    tiers = "; ".join(f"{td.label(lang)} >= {td.min_score:g}" for td in ds.tiers)
    fill = {"years": years, "assessed": len(ds.assessed), "skew": f"{ds.method.skew_limit:g}",
            "kurt": f"{ds.method.kurtosis_limit:g}", "treated": treated or words["tr.none"], "tiers": tiers,
            "norm_text": NORM_TEXT[lang][res.normalisation], "decimals": RANK_DECIMALS,
            "margin": default_margin(len(res.iso_codes))}
    r = 2
    for head, body in STEPS[lang]:
        if body is None:
            r += 1 if r > 2 else 0
            ws.write(r, 1, head, styles["section"])
        else:
            text = body.format(**fill)
            ws.write(r, 1, head, styles["rowhead"])
            ws.write(r, 2, text, styles["wrap"])
            ws.set_row(r, 14 * max(1, math.ceil(len(text) / CHARS[lang])) + 4)
        r += 1
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, r, 2)
