"""口径说明: what each figure of the evaluation counts, in zh-CN and English, and the rules every
figure follows. The SQL that counts them is models/evaluation.py `figure_conditions`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.indicators import COUNTS, DEFAULT_WEIGHTS, LOWER_IS_BETTER, RATES

# figure -> (zh name, English name, what it counts in zh, in English)
COUNT_WORDS: dict[str, tuple[str, str, str, str]] = {
    "dispatched": (
        "派遣数",
        "Dispatched",
        "本期派遣给该单位的任务数：每一次派遣（含改派、确权后派遣、值班长强制改派）算一次；先行处置任务不计。",
        "Dispatches of a case to the unit in the period: every dispatch counts once (re-dispatch, "
        "dispatch after arbitration, a supervisor's reassignment); make-safe tasks do not.",
    ),
    "accurate_dispatches": (
        "准确派遣数",
        "Accurate dispatches",
        "派遣后被该单位签收、没有退单的任务数（签收后不能再退单，故与签收数相同）。",
        "Dispatches the unit accepted without bouncing them (once accepted a dispatch cannot be "
        "bounced, so this equals `accepted`).",
    ),
    "bounces": (
        "退单数",
        "Bounces",
        "该单位退回的派遣数。",
        "Dispatches the unit bounced.",
    ),
    "wrongful_bounces": (
        "错误退单数",
        "Wrongful bounces",
        "退单后，同一案件又由确权裁决、重新派遣或强制改派交回该单位的退单数。",
        "Bounces by a unit that was later named the owner of the same case again: by "
        "arbitration, by re-dispatch or by a supervisor's reassignment.",
    ),
    "accepted": (
        "签收数",
        "Accepted",
        "该单位签收的派遣数。",
        "Dispatches the unit accepted.",
    ),
    "accepted_on_time": (
        "按时签收数",
        "Accepted on time",
        "在签收时限（派遣后 1 个工作时，挂账与强制延期顺延）之内签收的派遣数。",
        "Dispatches accepted at or before the accept deadline in force (1 working hour after "
        "dispatch, moved by a park or a supervisor's extension).",
    ),
    "due": (
        "应处置数",
        "Due",
        "已签收的派遣数（签收即开始处置时限）。",
        "Dispatches accepted (acceptance starts the handling clock).",
    ),
    "handled": (
        "处置数",
        "Handled",
        "应处置中，处置反馈有效的数量：核查不通过或回访不满意退回返工的，在重新反馈前不计。",
        "Of those due, the ones whose report of work done stands: a report sent back for "
        "rework does not count until the unit reports again.",
    ),
    "handled_on_time": (
        "按期处置数",
        "Handled on time",
        "有效反馈在处置时限之内的数量；时限计入批准的延期和挂账时间，返工后按返工的时限。",
        "Handled, the standing report at or before the handling deadline in force (approved "
        "extensions and parked time move it; after a rework, the rework's deadline).",
    ),
    "handled_late": (
        "超期处置数",
        "Handled late",
        "有效反馈晚于处置时限的数量。",
        "Handled, the standing report after the handling deadline in force.",
    ),
    "overdue_open": (
        "超期未处置数",
        "Overdue, not handled",
        "已签收、仍在该单位手中且未反馈（未改派、未结案、未挂账），在统计截止时刻（期末，本期未结束时为当前）"
        "已超过处置时限的数量。",
        "Due, still with the unit and not reported (not handed on, closed or parked), whose "
        "handling deadline had passed at the period's end (or now while the period runs).",
    ),
    "reworks": (
        "返工数",
        "Reworks",
        "该单位的处置反馈被核查不通过或回访不满意退回重办的次数。",
        "Times the unit's reports were sent back: failed verifications and reopening callbacks.",
    ),
    "extensions": (
        "延期数",
        "Extensions",
        "批准的延期申请次数（值班长强制延期不计）。",
        "Extension requests approved (a supervisor's forced extension is not one).",
    ),
    "parked": (
        "挂账数",
        "Parked",
        "至少挂账一次的派遣数。",
        "Dispatches parked at least once.",
    ),
    "closed": (
        "结案数",
        "Closed",
        "应处置中，处置反馈有效且案件已结案的数量（未反馈即被强制结案的不计）。",
        "Of those due, the ones with a standing report whose case is closed (a case "
        "force-closed without a report is not counted).",
    ),
    "closed_on_time": (
        "按期结案数",
        "Closed on time",
        "结案，且按时签收、每一次处置反馈（含返工前的）都在时限之内的数量。",
        "Closed, accepted on time and every report (those reworked too) on time.",
    ),
    "rated": (
        "评价数",
        "Rated",
        "处置结果有满意度评价（回访或市民自评，以最后一次为准；联系不上不算评价）的派遣数。",
        "Dispatches whose result was rated (by callback or by the reporter; the last rating "
        "counts, `unreachable` is no rating): satisfied, basically satisfied or dissatisfied.",
    ),
    "satisfied": (
        "满意数",
        "Satisfied",
        "最后一次评价为满意或基本满意的数量。",
        "Rated, the last rating satisfied or basically satisfied.",
    ),
    "interim": (
        "先行处置任务数",
        "Make-safe tasks",
        "确权时交给该单位先行处置、消除隐患的任务数；不计入任何比率。",
        "Make-safe-first tasks given to the unit at arbitration; in no rate.",
    ),
    "interim_reported": (
        "先行处置完成数",
        "Make-safe tasks done",
        "先行处置任务中，已反馈消除隐患的数量。",
        "Make-safe tasks the unit reported done.",
    ),
}
# rate -> (zh name, English name)
RATE_WORDS: dict[str, tuple[str, str]] = {
    "handling_rate": ("处置率", "Handling rate"),
    "on_time_handling_rate": ("按期处置率", "On-time handling rate"),
    "closing_rate": ("结案率", "Closing rate"),
    "on_time_closing_rate": ("按期结案率", "On-time closing rate"),
    "rework_rate": ("返工率", "Rework rate"),
    "extension_rate": ("延期率", "Extension rate"),
    "overdue_open_rate": ("超期未处置率", "Overdue-open rate"),
    "accurate_dispatch_rate": ("准确派遣率", "Accurate dispatch rate"),
    "response_rate": ("响应率", "Response rate"),
    "resolution_rate": ("解决率", "Resolution rate"),
    "satisfaction_rate": ("满意率", "Satisfaction rate"),
}
RULES: tuple[tuple[str, str], ...] = (
    (
        "统计对象是任务（一次把案件派遣给一个单位）；一个期间包含在该期间内派遣的任务（北京时间）。",
        "The unit counted is the assignment (one dispatch of a case to one unit); a period holds "
        "the assignments dispatched in it (Beijing time).",
    ),
    (
        "各项数字按当前记录统计；只有超期未处置数以期末（本期未结束时为当前）为截止时刻判断是否超期。",
        "Figures count what is recorded to date; only `overdue_open` judges the deadline at the "
        "period's end (or now while the period runs).",
    ),
    (
        "比率为百分数，四舍五入保留两位小数（972 件中 911 件 → 93.72）；分母为 0 时为空。",
        "Rates are percentages rounded half-up to two decimals (911 of 972 → 93.72); a rate "
        "with a zero denominator is null.",
    ),
    (
        "综合得分 = Σ 权重 × 指标 ÷ Σ 权重，返工率、延期率、超期未处置率按（100 − 比率）计；"
        "用公布的两位小数比率计算；无应处置任务的单位不计分、不排名。",
        "Score = Σ weight × indicator ÷ Σ weight, the rework, extension and overdue-open rates "
        "as (100 − rate), from the rates as published; a unit with nothing due has no score.",
    ),
    (
        "名次按得分从高到低，1 为最好，得分相同名次相同。"
        "热线三率（响应率、解决率、满意率）另按 12345 热线来源的任务计算。",
        "Rank by score, 1 the best, equal scores share a rank. The hotline's 三率 (response, "
        "resolution, satisfaction) are also given over the hotline's assignments alone.",
    ),
)


class Definition(BaseModel):
    """One figure: its names, what it counts and, for a rate, of what."""

    figure: str
    kind: str = Field(description="`count` or `rate`")
    zh: str
    en: str
    counts_zh: str = Field(description="exactly what it counts (zh-CN)")
    counts_en: str = Field(description="exactly what it counts (English)")
    numerator: str | None = None
    denominator: str | None = None
    lower_is_better: bool = False
    default_weight: int = 0


class Rule(BaseModel):
    """A rule every figure follows."""

    zh: str
    en: str


class Definitions(BaseModel):
    """GET /api/evaluation/definitions (口径说明)."""

    figures: list[Definition]
    rules: list[Rule]


def definitions() -> Definitions:
    """Returns every figure's definition, counts first, then the rates."""
    figures = [
        Definition(figure=name, kind="count", zh=zh, en=en, counts_zh=what_zh, counts_en=what_en)
        for name in COUNTS
        for zh, en, what_zh, what_en in [COUNT_WORDS[name]]
    ]
    for name, (part, whole) in RATES.items():
        zh, en = RATE_WORDS[name]
        part_zh, part_en = COUNT_WORDS[part][0], COUNT_WORDS[part][1].lower()
        whole_zh, whole_en = COUNT_WORDS[whole][0], COUNT_WORDS[whole][1].lower()
        figures.append(
            Definition(
                figure=name,
                kind="rate",
                zh=zh,
                en=en,
                counts_zh=f"{zh} = {part_zh} ÷ {whole_zh} × 100%",
                counts_en=f"{en} = {part_en} / {whole_en} × 100 %",
                numerator=part,
                denominator=whole,
                lower_is_better=name in LOWER_IS_BETTER,
                default_weight=DEFAULT_WEIGHTS.get(name, 0),
            )
        )
    return Definitions(figures=figures, rules=[Rule(zh=zh, en=en) for zh, en in RULES])
