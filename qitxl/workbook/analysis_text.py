# ruff: noqa: E501
"""UI wording of the analysis parts of the workbook (profile strengths and trends, What if, indices).

Kept apart from text.py so the analysis sheets can grow without touching the core wording;
text.py merges these into its UI table.
"""

from __future__ import annotations

ANALYSIS_UI: dict[str, dict[str, str]] = {
    "en": {
        "sheet.whatif": "What if",
        # profile: strengths and weaknesses
        "pf.margin": "Strength/weakness margin (places)",
        "pf.margin.note": "A pillar or indicator is a strength when the province ranks on it at least this many places better than its overall rank however ties are broken (6-12: tied over places 6 to 12), a weakness when at least this many places worse. Edit to change.",
        "pf.strengths": "Strengths",
        "pf.list_sep": "; ",
        "pf.weaknesses": "Weaknesses",
        "pf.year": "Year",
        "pf.crank": "Rank",
        "pf.gap": "vs overall",
        "pf.verdict": "Strength / weakness",
        "pf.strength": "▲ strength",
        "pf.weakness": "▼ weakness",
        "pf.about": "What it measures",
        "pf.score_col": "Score",
        # profile: trends
        "pf.trends": "R&D trends of the selected province",
        "pf.cagr": "Compound annual growth {first}-{last}",
        "pf.trend.chart": "R&D expenditure (bars) and intensity (line)",
        "pf.trenddata": "R&D series of every assessed province (looked up by the trend table)",
        # what if
        "wi.title": "What if a pillar or an indicator is left out?",
        "wi.note": "Each column leaves out one pillar (or one indicator) and rescales the remaining weights, everything else as in the model; the cells show the new rank, green when the province moves up, red when it moves down. Computed in Python when the workbook was generated, with the weights it was generated with, so it does not follow edits. Largest move: {largest} place(s).",
        "wi.pillars": "Leaving out one pillar",
        "wi.indicators": "Leaving out one indicator (a pillar's only indicator takes the pillar with it)",
        "wi.nominal": "Rank",
        # sensitivity indices
        "se.idx.title": "Which assumption matters: variance-based sensitivity indices of each rank",
        "se.idx.note": "Share of the variance of each province's rank due to each uncertain input. S1 (first order, Saltelli 2010): the input on its own; ST (total effect, Jansen): with all its interactions. {samples} base samples ({runs} model runs), seed {seed}; largest standard error {se}. '-' = the rank never moves; grey italics = a rank that moves so rarely that the estimates are rough (standard error above {rough}); small negative values are sampling noise around 0.",
        "se.idx.s1": "S1: first order (the input on its own)",
        "se.idx.st": "ST: total effect (with its interactions)",
        "se.idx.weights": "weights",
        "se.idx.normalisation": "normalisation",
        "se.idx.aggregation": "aggregation",
        "se.idx.skew": "skew treatment",
        "se.idx.never": "-",
    },
    "zh": {
        "sheet.whatif": "假设分析",
        "pf.margin": "优势/劣势界限（名次）",
        "pf.margin.note": "若该省某支柱或指标的名次无论并列如何排序都比其总名次至少好这么多位，即为优势；至少差这么多位，即为劣势（6-12 表示并列第 6 至 12 位）。可修改。",
        "pf.strengths": "优势",
        "pf.list_sep": "、",
        "pf.weaknesses": "劣势",
        "pf.year": "年份",
        "pf.crank": "名次",
        "pf.gap": "与总名次差",
        "pf.verdict": "优势 / 劣势",
        "pf.strength": "▲ 优势",
        "pf.weakness": "▼ 劣势",
        "pf.about": "衡量内容",
        "pf.score_col": "得分",
        "pf.trends": "所选省份的研发趋势",
        "pf.cagr": "{first}-{last} 年均复合增长率",
        "pf.trend.chart": "研发经费（柱）与研发投入强度（线）",
        "pf.trenddata": "全部已评估省份的研发序列（供趋势表查找）",
        "wi.title": "去掉一个支柱或指标会怎样？",
        "wi.note": "每一列去掉一个支柱（或一个指标），其余权重重新缩放，其他一切与模型相同；单元格为新名次，上升为绿色，下降为红色。在生成工作簿时按当时的权重由 Python 计算，不随编辑更新。最大变动：{largest} 位。",
        "wi.pillars": "去掉一个支柱",
        "wi.indicators": "去掉一个指标（支柱仅有的指标被去掉时，该支柱一并去掉）",
        "wi.nominal": "名次",
        "se.idx.title": "哪个假设最重要：各名次的方差敏感性指数",
        "se.idx.note": "各省名次的方差中由各不确定输入造成的份额。S1（一阶，Saltelli 2010）：该输入单独的作用；ST（总效应，Jansen）：含其全部交互作用。基础样本 {samples} 个（模型运行 {runs} 次），随机种子 {seed}；最大标准误 {se}。“-”表示名次从不变动；灰色斜体表示名次很少变动、估计较粗（标准误大于 {rough}）；很小的负值是 0 附近的抽样误差。",
        "se.idx.s1": "S1：一阶（该输入单独的作用）",
        "se.idx.st": "ST：总效应（含交互作用）",
        "se.idx.weights": "权重",
        "se.idx.normalisation": "标准化",
        "se.idx.aggregation": "加总",
        "se.idx.skew": "偏态处理",
        "se.idx.never": "-",
    },
}
