"""UI strings of the evaluation weights page (admin), zh-CN first; merged into
web/kit/i18n.CATALOGUE."""

from __future__ import annotations

WEIGHTS_STRINGS: dict[str, tuple[str, str]] = {
    "nav.weights": ("评价权重", "Evaluation weights"),
    "weights.title": ("综合评价权重", "Evaluation weights"),
    "weights.intro": (
        "综合得分是各项指标的加权平均（0–100 分），越低越好的指标按“100 − 比率”计分。"
        "权重为 0–100 的整数，0 表示不计入得分；至少一项大于 0，各项之和不必等于 100。"
        "保存后，所有得分与排名即按新权重计算。",
        "The score is the weighted mean of the rates (0–100); a rate where lower is better "
        "scores as 100 − rate. A weight is a whole number from 0 to 100, 0 leaves the rate out; "
        "at least one must be above 0, and they need not add up to 100. Once saved, every "
        "score and rank is computed with the new weights.",
    ),
    "weights.rate": ("指标", "Rate"),
    "weights.weight": ("权重", "Weight"),
    "weights.default": ("默认权重", "Default"),
    "weights.lower_is_better": ("按 100 − 比率计分", "scores as 100 − rate"),
    "weights.sum": ("权重合计", "Sum of the weights"),
    "weights.sum_note": (
        "得分按权重之和归一，合计不必为 100。",
        "Scores are divided by the sum, which need not be 100.",
    ),
    "weights.reason": ("修改原因（选填，记入修改记录）", "Why (optional, kept in the log)"),
    "weights.save": ("保存权重", "Save weights"),
    "weights.use_defaults": ("恢复默认权重 30/20/20/20/10", "Restore the defaults 30/20/20/20/10"),
    "weights.saved": (
        "权重已保存，得分与排名即按新权重计算。",
        "Weights saved: scores and ranks are computed with them from now on.",
    ),
    "weights.unchanged": (
        "权重与现行相同，没有修改。",
        "Same as the weights in force: nothing changed.",
    ),
    "weights.not_saved": (
        "未保存：请修改标出的项目。",
        "Nothing was saved: correct the fields marked.",
    ),
    "weights.error.whole": (
        "请填写 0 到 100 之间的整数。",
        "Enter a whole number from 0 to 100.",
    ),
    "weights.error.none": (
        "至少要有一项指标的权重大于 0。",
        "At least one rate must weigh more than 0.",
    ),
    "weights.error.reason": ("修改原因最多 500 字。", "The reason is at most 500 characters."),
    "weights.history": ("修改记录", "Changes"),
    "weights.history.at": ("时间", "When"),
    "weights.history.who": ("修改人", "Who"),
    "weights.history.before": ("修改前", "Before"),
    "weights.history.after": ("修改后", "After"),
    "weights.history.reason": ("原因", "Why"),
    "weights.history.empty": (
        "还没有修改过，现行的是默认权重。",
        "Never changed: the defaults are in force.",
    ),
}
