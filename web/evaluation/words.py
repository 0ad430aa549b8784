"""UI strings of the evaluation (words), zh-CN first; merged into web/kit/i18n.CATALOGUE."""

from __future__ import annotations

EVALUATION_STRINGS: dict[str, tuple[str, str]] = {
    "nav.evaluation": ("综合评价", "Evaluation"),
    # -- the page -----------------------------------------------------------------------------
    "eval.title": ("综合评价", "Evaluation"),
    "eval.lead": (
        "各单位本期的处置情况、综合得分与排名。每个数字都可以点开，查看它背后的案件。",
        "Each unit's handling, score and rank for the period. Every number opens the cases "
        "behind it.",
    ),
    "eval.kind": ("统计期间", "Period"),
    "eval.kind.month": ("月度", "Month"),
    "eval.kind.quarter": ("季度", "Quarter"),
    "eval.kind.year": ("年度", "Year"),
    "eval.kind.range": ("自定义时段", "Date range"),
    "eval.field.month": ("月份", "Month"),
    "eval.field.quarter_year": ("季度所在年份", "Year of the quarter"),
    "eval.field.quarter": ("季度", "Quarter"),
    "eval.field.year": ("年份", "Year"),
    "eval.field.from": ("开始日期", "From"),
    "eval.field.to": ("结束日期（含）", "To (included)"),
    "eval.field.by": ("统计维度", "Units"),
    "eval.quarter_n": ("第{n}季度", "Q{n}"),
    "eval.show": ("查看", "Show"),
    "eval.by.department": ("部门", "Department"),
    "eval.by.street": ("街道/镇", "Street/town"),
    "eval.by.community": ("社区", "Community"),
    "eval.by.grid": ("网格", "Grid"),
    "eval.by.category": ("问题类别", "Category"),
    "eval.by.channel": ("来源渠道", "Channel"),
    "eval.label.month": ("{y}年{m}月", "{y}-{m}"),
    "eval.label.quarter": ("{y}年第{q}季度", "Q{q} {y}"),
    "eval.label.year": ("{y}年", "{y}"),
    "eval.label.range": ("{first} 至 {last}", "{first} to {last}"),
    "eval.heading": ("{period} · 按{by}", "{period} · by {by}"),
    "eval.as_of": ("统计截至 {when}", "Figures as of {when}"),
    "eval.compared": (
        "环比：与{previous}相比；同比：与{last_year}相比。",
        "Change against {previous} (previous period) and {last_year} (a year before).",
    ),
    "eval.weights": ("综合得分权重：{weights}。", "Score weights: {weights}."),
    "eval.weight_item": ("{rate} {weight}", "{rate} {weight}"),
    "eval.note_more": ("各项数字的统计口径见", "What each figure counts:"),
    "eval.links.definitions": ("口径说明", "Definitions"),
    "eval.links.report": ("{month}月通报", "Monthly report {month}"),
    "eval.links.xlsx": ("导出 Excel", "Download xlsx"),
    "eval.links.csv": ("导出 CSV", "Download CSV"),
    "eval.print": ("打印", "Print"),
    "eval.ranking": ("排名", "Ranking"),
    "eval.col.rank": ("名次", "Rank"),
    "eval.col.score": ("综合得分", "Score"),
    "eval.mom": ("环比", "MoM"),
    "eval.yoy": ("同比", "YoY"),
    "eval.mom.help": ("环比：较{period}的变化", "Change against {period}"),
    "eval.yoy.help": ("同比：较{period}的变化", "Change against {period}"),
    "eval.rank_was": ("上期第{rank}名", "was {rank}"),
    "eval.totals": ("合计", "Totals"),
    "eval.score_only": ("仅公开得分与名次", "Score and rank only"),
    "eval.no_score": ("无应处置任务，不计分、不排名", "nothing due: no score, no rank"),
    "eval.empty": ("本期无派遣案件。", "No cases were dispatched in this period."),
    "eval.idle_units": (
        "另有 {n} 个单位本期无派遣任务，未列出。",
        "{n} more units had nothing dispatched in this period and are not listed.",
    ),
    "eval.select_unit": ("查看该单位的趋势与亮灯", "Show this unit's trend and lights"),
    "eval.selected": ("已选：{unit}", "Selected: {unit}"),
    "eval.show_totals": ("改看全部单位合计", "Show all units together"),
    "eval.own_only": (
        "您是部门联络员：只显示本部门的各项数字，其他单位只显示得分与名次。",
        "As a department liaison you see your own department's figures; other units show "
        "their score and rank only.",
    ),
    # -- 红黑榜 ---------------------------------------------------------------------------------
    "eval.boards": ("红黑榜", "Best and worst"),
    "eval.board.title": ("{by}红黑榜", "{by}: best and worst"),
    "eval.board.red": ("红榜（前三名）", "Top three"),
    "eval.board.black": ("黑榜（后三名）", "Bottom three"),
    "eval.board.empty": ("本期没有可排名的单位。", "No unit can be ranked in this period."),
    "eval.board.note": (
        "按综合得分排列；无应处置任务的单位不计分，不上榜。",
        "By score; a unit with nothing due has no score and is not on the board.",
    ),
    "eval.board.rank": ("第{rank}名", "No. {rank}"),
    # -- charts ---------------------------------------------------------------------------------
    "eval.charts": ("图表", "Charts"),
    "eval.chart.scores": ("各{by}综合得分", "Score by {by}"),
    "eval.chart.trend": ("近 {n} 个月趋势：{unit}", "{n}-month trend: {unit}"),
    "eval.chart.lights": ("亮灯占比：{unit}", "Share of lights: {unit}"),
    "eval.chart.all": ("全部单位合计", "all units"),
    "eval.chart.nojs": (
        "图表需要浏览器启用脚本；各项数字见表格。",
        "The charts need JavaScript; every figure is in the tables.",
    ),
    "eval.chart.no_scores": ("本期没有得分可画。", "No scores to draw for this period."),
    "eval.chart.no_lights": ("本期没有应处置的任务。", "Nothing was due in this period."),
    "eval.light": ("状态", "State"),
    "eval.light.count": ("数量", "Count"),
    "eval.light.share": ("占比", "Share"),
    "eval.light.handled_on_time": ("已按期处置", "Handled on time"),
    "eval.light.handled_late": ("超期处置", "Handled late"),
    "eval.light.open_green": ("处置中·绿灯", "Open, green"),
    "eval.light.open_yellow": ("处置中·黄灯", "Open, yellow"),
    "eval.light.open_red": ("处置中·红灯（超期未处置）", "Open, red (overdue)"),
    "eval.light.other": ("其他（已改派、挂账或未反馈即结案）", "Other (handed on, parked, closed)"),
    "eval.define.lights": (
        "亮灯占比：本期派遣且已签收的任务（应处置数）在统计截止时刻的状态。已反馈的，按有效反馈"
        "是否在处置时限内分为“已按期处置”和“超期处置”；仍在该单位手中、未反馈的（未改派、未结案、"
        "未挂账），已过处置时限为红灯（即超期未处置数），已过黄灯时点（处置时限的 75%，按案件当前"
        "计时）为黄灯，否则为绿灯；其余（已改派、挂账中、未反馈即结案）计为“其他”。各部分之和等于应处置数。",
        "Share of lights: the period's dispatches that were accepted (due), as they stood at the "
        "as-of instant. Handled ones split by whether the standing report kept the deadline "
        "(on time, late); those still with the unit and not reported (not handed on, closed or "
        "parked) are red past the deadline in force (= overdue, not handled), yellow past the "
        "yellow point (75 % of the limit, by the case's current clock), green before it; the "
        "rest (handed on, parked, closed without a report) are `other`. The parts add up to due.",
    ),
    "eval.define.trend": (
        "趋势：截至所选月份（季度、年度或时段取其最后一个月）的 12 个自然月，每月统计当月派遣的"
        "任务，口径与排名表相同；未选单位时为全部单位合计。无应处置任务的月份没有得分。",
        "Trend: the 12 calendar months up to the chosen month (the last month of a quarter, "
        "year or range), each month counting the dispatches made in it, as the ranking does; "
        "without a chosen unit, all units together. A month with nothing due has no score.",
    ),
    "eval.define.scores": (
        "得分柱状图：本期各单位的综合得分，从高到低；无应处置任务的单位不画。",
        "Score bars: each unit's score for the period, best first; units with nothing due "
        "are left out.",
    ),
    # -- all counts -----------------------------------------------------------------------------
    "eval.counts": ("各项数量", "All counts"),
    # -- the drill-down -------------------------------------------------------------------------
    "eval.cases.title": ("案件明细", "Cases behind a figure"),
    "eval.cases.heading": ("{figure} · {unit} · {period}", "{figure} · {unit} · {period}"),
    "eval.cases.count": (
        "{figure} {count}，涉及 {total} 件案件",
        "{figure}: {count}, in {total} cases",
    ),
    "eval.cases.all_units": ("全部单位", "All units"),
    "eval.cases.back": ("返回综合评价", "Back to the evaluation"),
    "eval.cases.empty": ("没有对应的案件。", "No cases behind this figure."),
    "eval.cases.what": ("统计口径：{what}", "What it counts: {what}"),
    "eval.field.dispatched_at": ("派遣时间", "Dispatched"),
    # -- definitions page ----------------------------------------------------------------------
    "eval.def.title": ("综合评价口径说明", "Evaluation: what each figure counts"),
    "eval.def.rules": ("统计规则", "Rules"),
    "eval.def.counts": ("数量指标", "Counts"),
    "eval.def.rates": ("比率指标", "Rates"),
    "eval.def.charts": ("图表口径", "The charts"),
    "eval.def.name": ("指标", "Figure"),
    "eval.def.what": ("统计口径", "What it counts"),
    "eval.def.formula": ("计算方法", "Formula"),
    "eval.def.direction": ("方向", "Direction"),
    "eval.def.lower": ("越低越好（得分按 100 − 比率）", "lower is better (scored as 100 − rate)"),
    "eval.def.higher": ("越高越好", "higher is better"),
    "eval.def.weight": ("默认权重", "Default weight"),
    "eval.def.current_weights": ("当前得分权重", "Weights in use"),
    # -- refusals ---------------------------------------------------------------------------------
    "eval.error.period": (
        "统计期间“{value}”无效：请填写月份（如 2026-12）、季度（如 2026-Q4）或年份（如 2026）。",
        "Period “{value}” is not valid: give a month (2026-12), a quarter (2026-Q4) or a "
        "year (2026).",
    ),
    "eval.error.both": (
        "请只选择一种统计期间：月份、季度、年份，或起止日期。",
        "Give one period only: a month, quarter or year, or a date range.",
    ),
    "eval.error.half": (
        "自定义时段需要同时填写开始日期和结束日期。",
        "A date range needs both its first and its last day.",
    ),
    "eval.error.date": (
        "“{field}”的“{value}”不是有效日期（如 2026-12-01）。",
        "{field}: “{value}” is not a date (2026-12-01).",
    ),
    "eval.error.backwards": ("结束日期早于开始日期。", "The range ends before it begins."),
    "eval.error.too_long": ("自定义时段最长三年。", "A date range covers three years at most."),
    "eval.error.far": (
        "统计期间“{value}”超出可统计的年份。",
        "Period “{value}” is outside the years that can be evaluated.",
    ),
    "eval.error.by": ("统计维度“{value}”无效。", "“{value}” is not a kind of unit."),
    "eval.error.key": (
        "“{value}”不是所选统计维度中的单位。",
        "“{value}” is not a unit of the chosen kind.",
    ),
    "eval.error.figure": (
        "“{value}”不是可以查看案件的统计数字。",
        "“{value}” is not a figure with cases behind it.",
    ),
    "eval.error.page": ("页码“{value}”无效。", "Page “{value}” is not valid."),
    "eval.error.own_department": (
        "部门联络员只能查看本部门各项数字背后的案件。",
        "A department liaison sees the cases behind its own department's figures only.",
    ),
    "eval.error.title": ("查询条件有误", "Check the query"),
}
