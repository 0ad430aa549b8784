"""UI strings of the monthly report's publication and the public page, zh-CN first; merged into
web/kit/i18n.CATALOGUE."""

from __future__ import annotations

PUBLICATION_STRINGS: dict[str, tuple[str, str]] = {
    # -- the publications page (月通报发布记录) --------------------------------------------------
    "publication.nav": ("月通报发布", "Report publications"),
    "publication.title": ("月通报发布记录", "Monthly report publications"),
    "publication.intro": (
        "每月第一个工作日 9:00（北京时间）系统自动发布上月综合评价结果，向各部门、镇街负责人发送"
        "本单位指标和排名，并在“大联动公开”页面公开各单位处置情况。值班长说明理由后可重新发布。",
        "On the first working day of each month at 09:00 (Beijing time) the system publishes last "
        "month's evaluation, mails each department and street head its figures and the ranking, "
        "and shows every unit's handling figures on the public page. A supervisor can republish, "
        "giving the reason.",
    ),
    "publication.col.month": ("月份", "Month"),
    "publication.col.version": ("版本", "Version"),
    "publication.col.published_at": ("发布时间", "Published"),
    "publication.col.by": ("发布人", "By"),
    "publication.col.trigger": ("方式", "How"),
    "publication.col.reason": ("原因", "Reason"),
    "publication.col.mailed": ("已发邮件", "Mailed"),
    "publication.col.not_mailed": ("未发邮件（无负责人邮箱）", "Not mailed (no head e-mail)"),
    "publication.trigger.schedule": ("定时自动发布", "Scheduled"),
    "publication.trigger.republish": ("重新发布", "Republished"),
    "publication.by.schedule": ("系统", "The system"),
    "publication.version": ("第 {version} 版", "Version {version}"),
    "publication.units": ("{count} 个单位", "{count} units"),
    "publication.empty": (
        "尚无发布记录。每月第一个工作日 9:00 自动发布上月结果。",
        "Nothing published yet. Last month's report is published on the first working day at "
        "09:00.",
    ),
    "publication.public_page": ("大联动公开页面", "Public page"),
    "publication.republish": ("重新发布", "Republish"),
    "publication.republish.reason": ("重新发布原因", "Reason for republishing"),
    "publication.republish.hint": (
        "按当前数据重新计算该月全部指标，作为新版本发布，并以“重新发布”再次发送给各单位负责人。",
        "Recomputes every figure of the month from the current data, publishes it as a new "
        "version and mails every head again, marked as republished.",
    ),
    "publication.republish.done": (
        "已重新发布 {month}（第 {version} 版），邮件已排入发件队列。",
        "{month} republished as version {version}; the mail is queued.",
    ),
    "publication.error.reason": ("请填写重新发布的原因。", "Give the reason for republishing."),
    "publication.error.month": ("月份格式应为 2026-11。", "A month is written like 2026-11."),
    "publication.error.not_published": (
        "{month} 尚未发布，不能重新发布；每月第一个工作日自动发布。",
        "{month} is not published yet, so it cannot be republished; it is published on the "
        "first working day of the month.",
    ),
    "publication.error.under_way": (
        "{month} 的重新发布正在进行，请稍后刷新查看。",
        "A republication of {month} is under way; reload in a moment.",
    ),
    "publication.error.pending": (
        "重新发布已开始，稍后刷新即可看到新版本。",
        "The republication has started; reload in a moment to see the new version.",
    ),
    "publication.error.unavailable": (
        "工作流服务暂不可用，未做任何更改，请稍后重试。",
        "The workflow service is unavailable; nothing was changed, try again later.",
    ),
    # -- the public page (大联动公开) --------------------------------------------------------------
    "public.link": ("大联动公开", "Public figures"),
    "public.title": ("大联动公开 · 城市管理月度处置情况", "Public figures: monthly case handling"),
    "public.intro": (
        "各部门、镇街每月处置市民反映和巡查发现的城市管理问题的情况，来自每月发布的综合评价结果。"
        "只公开数量和比率，不含任何个人信息。",
        "How each department and street office handled the city management problems citizens "
        "and inspectors reported, month by month, from the published monthly evaluation. Counts "
        "and rates only: no personal data.",
    ),
    "public.month": ("月份", "Month"),
    "public.show": ("查看", "Show"),
    "public.published": ("{when} 发布（第 {version} 版）", "Published {when} (version {version})"),
    "public.departments": ("处置单位（部门及镇街）", "Handling units (departments and streets)"),
    "public.streets": ("镇街辖区（按问题发生地统计）", "Streets (by where the problem is)"),
    "public.col.rank": ("排名", "Rank"),
    "public.col.name": ("单位", "Unit"),
    "public.col.dispatched": ("派遣数", "Dispatched"),
    "public.col.handled": ("处置数", "Handled"),
    "public.col.on_time_handling_rate": ("按期处置率", "On-time handling"),
    "public.col.closing_rate": ("结案率", "Closing rate"),
    "public.col.satisfaction_rate": ("满意率", "Satisfaction"),
    "public.col.score": ("综合得分", "Score"),
    "public.unranked": ("未参评", "Not ranked"),
    "public.note": (
        "比率为百分比，保留两位小数；“—”表示当月没有可计算的数据（如没有应处置的案件），"
        "这样的单位不参加排名；综合得分相同则名次相同。",
        "Rates are percentages to two decimals; “—” means there was nothing to compute (no case "
        "to handle), and such a unit is not ranked; equal scores share a rank.",
    ),
    "public.empty": (
        "尚未发布任何月度结果。每月第一个工作日发布上月结果。",
        "Nothing is published yet. Each month's figures are published on the first working day "
        "of the next month.",
    ),
    "public.not_published": (
        "{month} 的结果尚未发布。",
        "The figures of {month} are not published.",
    ),
}
