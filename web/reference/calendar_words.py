"""The words of the holiday table's page (/admin/calendar) and its fallback warning, zh-CN first;
merged into web/kit/i18n.CATALOGUE."""

from __future__ import annotations

CALENDAR_STRINGS: dict[str, tuple[str, str]] = {
    "nav.calendar": ("节假日", "Holidays"),
    "cal.title": ("节假日与调休（工作日历）", "Holidays and make-up days (working calendar)"),
    "cal.intro": (
        "处置时限按工作日历计算：周一至周五 08:30–12:00、14:00–17:30，法定节假日放假，调休日上班。"
        "某年没有节假日数据时，该年按周一至周五计算。",
        "Deadlines run on the working calendar: Monday–Friday 08:30–12:00 and 14:00–17:30, "
        "public holidays off and make-up days on. A year without holiday data counts Monday–"
        "Friday only.",
    ),
    "cal.year": ("年份", "Year"),
    "cal.show": ("查看", "Show"),
    "cal.years_covered": ("已有数据的年份：{first}–{last}", "Years with data: {first}–{last}"),
    "cal.years_none": ("尚无任何年份的节假日数据。", "No year has holiday data yet."),
    # -- the warning: here and, for admins and supervisors, on every page --------------------
    "cal.gap.one": (
        "{year}年尚未发布节假日安排：该年的处置时限暂按周一至周五计算，节假日和调休不计入。",
        "The {year} holidays are not published yet: deadlines in {year} count Monday–Friday "
        "only, without holidays or make-up days.",
    ),
    "cal.gap.publish": ("录入{year}年节假日安排", "Enter the {year} holidays"),
    "cal.gap.see": ("查看工作日历", "See the working calendar"),
    "cal.fallback": (
        "{year}年没有节假日数据，按周一至周五计算（兜底规则）。",
        "{year} has no holiday data: Monday–Friday is assumed (fallback).",
    ),
    "cal.covered": (
        "{year}年节假日数据已发布（来源：{source}）。",
        "{year} is published ({source}).",
    ),
    "cal.source.chinese-calendar": (
        "chinese-calendar 软件包内置数据",
        "the chinese-calendar package",
    ),
    "cal.source.admin": ("管理员录入", "entered by an admin"),
    # -- the table ----------------------------------------------------------------------------
    "cal.table": ("{year}年节假日与调休", "{year}: holidays and make-up days"),
    "cal.day": ("日期", "Date"),
    "cal.weekday": ("星期", "Weekday"),
    "cal.kind": ("类型", "Kind"),
    "cal.name": ("名称", "Name"),
    "cal.kind.holiday": ("放假", "Holiday"),
    "cal.kind.workday": ("调休上班", "Make-up working day"),
    "cal.kind.fallback_short": ("无数据", "no data"),
    "cal.count": (
        "放假 {holidays} 天，调休上班 {workdays} 天",
        "{holidays} days off, {workdays} make-up days",
    ),
    "cal.empty": ("该年没有节假日或调休。", "No holiday or make-up day this year."),
    "cal.remove": ("删除", "Remove"),
    "cal.remove_label": ("删除 {day}", "Remove {day}"),
    "weekday.0": ("周一", "Mon"),
    "weekday.1": ("周二", "Tue"),
    "weekday.2": ("周三", "Wed"),
    "weekday.3": ("周四", "Thu"),
    "weekday.4": ("周五", "Fri"),
    "weekday.5": ("周六", "Sat"),
    "weekday.6": ("周日", "Sun"),
    # -- adding a day -------------------------------------------------------------------------
    "cal.add": ("增加一天", "Add a day"),
    "cal.add_button": ("增加", "Add"),
    # -- publishing a year from the notice -----------------------------------------------------
    "cal.publish": ("发布{year}年节假日安排", "Publish the {year} holidays"),
    "cal.publish.intro": (
        "按国务院办公厅关于{year}年部分节假日安排的通知填写，每行一个节日："
        "日期或日期范围，后接名称，如“2月6日至12日 春节”“2027-05-01~2027-05-05 劳动节”。"
        "发布后替换该年的全部数据。",
        "Fill it in from the State Council's notice on the {year} holidays, one holiday per "
        "line: a date or a range of dates, then the name, e.g. “2月6日至12日 春节” or "
        "“2027-05-01~2027-05-05 Labour Day”. Publishing replaces the whole year.",
    ),
    "cal.publish.holidays": ("放假日期", "Days off"),
    "cal.publish.workdays": ("调休上班日期（周末）", "Make-up working days (weekends)"),
    "cal.publish.button": ("发布", "Publish"),
    "cal.published": (
        "已发布，今后的处置时限按新数据计算。",
        "Published: deadlines follow it from now on.",
    ),
    "cal.unchanged": (
        "内容与现有数据相同，未作修改。",
        "Nothing changed: the table is that already.",
    ),
    "cal.added": ("已增加。", "Added."),
    "cal.removed": ("已删除。", "Removed."),
    "cal.not_saved": ("未保存，数据未作任何修改：", "Not saved, nothing was changed:"),
    "cal.history": ("修改记录", "Changes"),
    "cal.history.at": ("时间", "When"),
    "cal.history.who": ("修改人", "Who"),
    "cal.history.what": ("修改后", "After"),
    "cal.history.empty": ("暂无修改记录。", "No change recorded."),
    "cal.history.summary": (
        "放假 {holidays} 天，调休 {workdays} 天",
        "{holidays} days off, {workdays} make-up days",
    ),
    "cal.read_only": (
        "只有系统管理员可以修改节假日数据。",
        "Only an administrator can change the holiday table.",
    ),
    # -- what is wrong with what was typed -----------------------------------------------------
    "paste.error.no_date": ("第{line}行没有日期：“{text}”", "Line {line} has no date: “{text}”"),
    "paste.error.bad_date": (
        "第{line}行的日期不存在：“{text}”",
        "Line {line}: no such date “{text}”",
    ),
    "paste.error.reversed": (
        "第{line}行的日期范围首尾颠倒：“{text}”",
        "Line {line}: the range ends before it starts “{text}”",
    ),
    "paste.error.long": (
        "第{line}行的日期范围超过31天：“{text}”",
        "Line {line}: the range is longer than 31 days “{text}”",
    ),
    "cal.error.other_year": ("{day}不在{year}年内。", "{day} is not in {year}."),
    "cal.error.weekday": (
        "{day}本来就是工作日；调休上班日应是周末。",
        "{day} is a weekday already; make-up working days are weekends.",
    ),
    "cal.error.both": ("{day}不能既放假又上班。", "{day} cannot be both off and on."),
    "cal.error.day": ("请填写正确的日期。", "Give a valid date."),
    "cal.error.kind": ("请选择放假或调休上班。", "Choose a holiday or a make-up working day."),
    "cal.error.name": ("名称最多64个字。", "A name has 64 characters at most."),
    "cal.error.not_covered": (
        "{year}年还没有发布节假日数据：请先在下方按通知发布整年，再逐日增删。",
        "{year} is not published yet: publish the whole year below first, then add or remove days.",
    ),
    "cal.error.no_such_day": ("{day}不在该年的表中。", "{day} is not in the year's table."),
    "cal.error.year": ("年份须在1900至2200之间。", "The year must be between 1900 and 2200."),
}
