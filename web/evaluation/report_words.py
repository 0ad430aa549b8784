"""UI strings of the evaluation (report_words), zh-CN first; merged into web/kit/i18n.CATALOGUE.

The monthly report (月通报), its downloads and the case-list export."""

from __future__ import annotations

REPORT_STRINGS: dict[str, tuple[str, str]] = {
    "nav.report": ("月通报", "Monthly report"),
    # The district the centre serves; its name heads the report and the files.
    "report.district": ("金湾区", "Jinwan District"),
    "report.title": (
        "{district}城市管理综合评价月通报（{period}）",
        "{district} city management evaluation: monthly report ({period})",
    ),
    "report.period.month": ("{year}年{month}月", "{year}-{month:02d}"),
    "report.period.quarter": ("{year}年第{quarter}季度", "Q{quarter} {year}"),
    "report.period.year": ("{year}年", "{year}"),
    "report.period.range": ("{first} 至 {last}", "{first} to {last}"),
    "report.published": (
        "已发布：第 {version} 版，发布于 {at}",
        "Published: version {version}, on {at}",
    ),
    "report.unpublished": ("未发布（实时数据）", "Not published (live figures)"),
    "report.span": (
        "统计期间：{first} 至 {last}（按派遣时间，北京时间）；统计截止 {as_of}；生成于 {generated}",
        "Assignments dispatched {first} to {last} (Beijing time); figures as of {as_of}; "
        "generated {generated}",
    ),
    "report.liaison_view": (
        "您是部门联络员：只显示本部门的各项数字，其他单位只显示得分与名次。",
        "As a department liaison you see your own department's figures; other units show "
        "their score and rank only.",
    ),
    "report.pick_month": ("月份", "Month"),
    "report.show": ("查看", "Show"),
    "report.prev": ("‹ 上月", "‹ Previous month"),
    "report.next": ("下月 ›", "Next month ›"),
    "report.download": ("下载", "Download"),
    "report.xlsx": ("Excel（全部维度）", "Excel (every kind of unit)"),
    "report.csv": ("CSV（全部维度）", "CSV (every kind of unit)"),
    "report.print_hint": (
        "打印或另存为 PDF：使用浏览器的“打印”（Ctrl+P），版式为 A4。",
        "To print or save as PDF use the browser's Print (Ctrl+P); the layout is A4.",
    ),
    "report.downloads_live": (
        "下载的表格为实时数据。",
        "The downloads hold the live figures.",
    ),
    # -- sections ---------------------------------------------------------------------------
    # By department: every unit cases are dispatched to (street offices too); by street: where
    # the cases are.
    "report.section.departments": (
        "一、责任单位综合评价排名（职能部门与街道/镇）",
        "1. Responsible units ranked (departments and street offices)",
    ),
    "report.section.streets": (
        "二、属地街道（镇）综合评价排名（按案件所在地）",
        "2. Streets and towns ranked (by where the cases are)",
    ),
    "report.section.boards": ("三、红黑榜", "3. Best and worst (红黑榜)"),
    "report.section.changes": ("四、与上月比较", "4. Against last month"),
    "report.section.overdue": (
        "五、超期最严重的案件（前 {n} 件）",
        "5. The {n} most overdue cases",
    ),
    "report.section.basis": ("六、统计口径", "6. How the figures are counted"),
    "report.board.red": ("红榜（前三名）", "Best three"),
    "report.board.black": ("黑榜（后三名）", "Worst three"),
    "report.board.departments": ("责任单位", "Responsible units"),
    "report.board.streets": ("属地街道（镇）", "Streets and towns"),
    "report.board.none": ("本月无可排名的单位。", "No unit could be ranked this month."),
    "report.no_units": ("本月无派遣任务。", "Nothing was dispatched this month."),
    # -- table columns ------------------------------------------------------------------------
    "report.col.rank": ("名次", "Rank"),
    "report.col.unit": ("单位", "Unit"),
    "report.col.score": ("综合得分", "Score"),
    "report.col.prev_score": ("上月得分", "Last month's score"),
    "report.col.score_change": ("得分变化", "Score change"),
    "report.col.prev_rank": ("上月名次", "Last month's rank"),
    "report.col.rank_change": ("名次变化", "Rank change"),
    "report.col.rate_change": ("{rate}变化（百分点）", "{rate} change (points)"),
    "report.total": ("合计", "Total"),
    "report.unranked": ("不排名", "not ranked"),
    "report.rank_up": ("上升 {n} 位", "up {n}"),
    "report.rank_down": ("下降 {n} 位", "down {n}"),
    "report.rank_same": ("持平", "unchanged"),
    "report.rank_new": ("上月未排名", "not ranked last month"),
    "report.changes_none": (
        "本月和上月都没有可比较的单位。",
        "No unit has figures this month and last to compare.",
    ),
    # -- the most overdue cases -------------------------------------------------------------
    "report.overdue.state": ("情形", "Situation"),
    "report.overdue.open": ("超期未处置", "Overdue, not handled"),
    "report.overdue.late": ("超期处置", "Handled late"),
    "report.overdue.dispatched": ("派遣时间", "Dispatched"),
    "report.overdue.deadline": ("处置时限", "Deadline"),
    "report.overdue.until": ("反馈时间/统计截止", "Reported / as of"),
    "report.overdue.how_late": ("超期时长", "How late"),
    "report.overdue.none": (
        "本月派遣的任务没有超期未处置或超期处置的。",
        "No assignment dispatched this month ran over its deadline.",
    ),
    "report.overdue.order": (
        "按超过处置时限的时长排序：未处置的计到统计截止，已处置的计到处置反馈。",
        "Ordered by how long past the deadline: to the figures' as-of time while not handled, "
        "to the report when handled late.",
    ),
    "report.late.working": ("{days}个工作日{hours}工作时", "{days} working days {hours} h"),
    "report.late.working_hours": ("{hours}工作时", "{hours} working hours"),
    "report.late.natural": ("自然时间 {text}", "{text} in calendar time"),
    "report.late.both": ("{working}（{natural}）", "{working} ({natural})"),
    "report.late.days": ("{days}天{hours}小时", "{days} d {hours} h"),
    "report.late.hours": ("{hours}小时{minutes}分", "{hours} h {minutes} min"),
    "report.late.minutes": ("{minutes}分钟", "{minutes} min"),
    # -- the basis ----------------------------------------------------------------------------
    "report.basis.unit": (
        "统计对象是任务：一次把案件派遣给一个单位；本月包含本月派遣的任务。各项数字按当前记录统计，"
        "超期未处置以统计截止时刻判断。",
        "What is counted is the assignment: one dispatch of a case to one unit; the month holds "
        "the assignments dispatched in it. Figures count what is recorded; overdue-open is judged "
        "at the as-of time.",
    ),
    "report.basis.rates": (
        "比率为百分数，四舍五入保留两位小数（972 件中 911 件 → 93.72%）；分母为 0 时不计。",
        "Rates are percentages rounded half-up to two decimals (911 of 972 → 93.72 %); none "
        "when the denominator is 0.",
    ),
    "report.basis.score": (
        "综合得分 = Σ 权重 × 指标 ÷ Σ 权重（返工率、延期率、超期未处置率按 100 − 比率计），"
        "权重：{weights}。"
        "得分相同名次相同；无应处置任务的单位不计分、不排名。",
        "Score = Σ weight × indicator ÷ Σ weight (rework, extension and overdue-open rates as "
        "100 − rate); weights: {weights}. Equal scores share a rank; a unit with nothing due "
        "has no score.",
    ),
    "report.basis.link": ("完整的口径说明", "Every figure's definition"),
    "report.error.month": (
        "“{value}”不是可以出月通报的月份，请按 2026-11 的格式填写。",
        "“{value}” is not a month with a report; write it as 2026-11.",
    ),
    "report.error.query": (
        "查询条件“{field}”填写有误：{value}",
        "The query's “{field}” is not right: {value}",
    ),
    # -- the evaluation's files ---------------------------------------------------------------
    "export.by.department": ("部门", "Departments"),
    "export.by.street": ("街道", "Streets"),
    "export.by.community": ("社区", "Communities"),
    "export.by.grid": ("网格", "Grids"),
    "export.by.category": ("类别", "Categories"),
    "export.by.channel": ("渠道", "Channels"),
    "export.file.evaluation": ("综合评价", "evaluation"),
    "export.col.by": ("维度", "Kind of unit"),
    "export.col.key": ("代码", "Code"),
    "export.col.name": ("名称", "Name"),
    "export.col.rank": ("名次", "Rank"),
    "export.col.score": ("综合得分", "Score"),
    "export.col.hotline": ("热线{rate}", "Hotline {rate}"),
    "export.col.mom_score": ("环比期得分", "Previous period's score"),
    "export.col.mom_change": ("得分环比变化", "Score change on the previous period"),
    "export.col.mom_rank": ("环比期名次", "Previous period's rank"),
    "export.col.yoy_score": ("同比期得分", "Score a year before"),
    "export.col.yoy_change": ("得分同比变化", "Score change on a year before"),
    "export.col.yoy_rank": ("同比期名次", "Rank a year before"),
    "export.meta.sheet": ("说明", "About"),
    "export.meta.title": (
        "{district}城市管理综合评价（{period}）",
        "{district} city management evaluation ({period})",
    ),
    "export.meta.period": ("统计期间", "Period"),
    "export.meta.start": ("起（含，北京时间）", "From (included, Beijing time)"),
    "export.meta.end": ("止（不含，北京时间）", "To (excluded, Beijing time)"),
    "export.meta.as_of": ("统计截止（北京时间）", "Figures as of (Beijing time)"),
    "export.meta.generated": ("生成时间（北京时间）", "Generated at (Beijing time)"),
    "export.meta.previous": ("环比期间", "Previous period (环比)"),
    "export.meta.last_year": ("同比期间", "Same period a year before (同比)"),
    "export.meta.weights": ("综合得分权重", "Score weights"),
    "export.meta.rates": (
        "比率单元格的值是小数，以百分比格式显示：值 0.9372 显示为 93.72%。"
        "CSV 文件中比率为百分数（93.72），与接口一致。",
        "A rate cell holds a fraction shown in percent format: the value 0.9372 shows as "
        "93.72 %. In the CSV file rates are percentages (93.72), as in the API.",
    ),
    "export.meta.basis": (
        "各项数字的口径见 /evaluation/definitions；每张工作表一种统计维度，末行为合计。",
        "What each figure counts: /evaluation/definitions. One sheet per kind of unit; the last "
        "row holds the totals.",
    ),
    "export.meta.liaison": (
        "部门联络员的文件：只含本部门的各项数字，以及各单位的得分和名次（无合计）。",
        "A department liaison's file: its own department's figures, every unit's score and "
        "rank, no totals.",
    ),
    # -- the case list's file -------------------------------------------------------------------
    "export.cases.button": ("导出 Excel", "Export to Excel"),
    "export.cases.file": ("案件清单", "cases"),
    "export.cases.sheet": ("案件", "Cases"),
    "export.cases.title": ("{district}案件清单", "{district} cases"),
    "export.cases.filters": ("查询条件", "Filters"),
    "export.cases.no_filter": ("无（全部可查看的案件）", "None (every case you may see)"),
    "export.cases.total": ("符合条件的案件", "Cases matching"),
    "export.cases.rows": ("导出件数", "Cases in this file"),
    "export.cases.capped": (
        "符合条件的案件共 {total} 件，超过单次导出上限 {cap} 件：只导出了最新的 {cap} 件。"
        "请缩小查询条件后分批导出。",
        "{total} cases match, more than the {cap} one file holds: only the newest {cap} are in "
        "it. Narrow the filters and export in parts.",
    ),
    "export.cases.order": ("按上报时间由新到旧排列。", "Newest first."),
    "export.cases.liaison": (
        "只含本部门办理或先行处置的案件。",
        "Only the cases your department handles or makes safe.",
    ),
    "export.cases.times": (
        "时间为北京时间，单元格是 Excel 日期时间。",
        "Times are Beijing time, as Excel date-times.",
    ),
    "export.col.dispatched_at": ("派遣时间", "Dispatched at"),
    "export.col.accepted_at": ("签收时间", "Accepted at"),
    "export.col.reported_at": ("反馈时间", "Reported at"),
    "export.col.extensions": ("延期次数", "Extensions"),
    "export.col.interim_done": ("先行处置已完成", "Made safe"),
}
