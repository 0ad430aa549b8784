"""The words of the responsibility list's rulings, zh-CN first; merged into web/kit/i18n.CATALOGUE.

The arbitration form's choice of scope, the sentence a ruling adds to the timeline, and the
page of one line (/rules/{id}).
"""

from __future__ import annotations

RULE_STRINGS: dict[str, tuple[str, str]] = {
    # -- the arbitration form ----------------------------------------------------------------
    "rule.scope.none": ("不写入（仅本案）", "Do not write it (this case only)"),
    "rule.scope.hint": (
        "写入后，该范围内今后的“{category}”案件都按此裁决派遣；写入的条目可在案件处理经过中查看和撤销。",
        "Once written, later “{category}” cases in that area are dispatched by this ruling; the "
        "case's timeline links the line, where it can be retracted.",
    ),
    # -- the timeline: what.rule_written (web/cases/timeline_words.py) by the scope written ----
    "what.rule_written.grid": (
        "，并写入权责清单（适用于本网格）",
        "; written into the responsibility list for this grid",
    ),
    "what.rule_written.community": (
        "，并写入权责清单（适用于本社区）",
        "; written into the responsibility list for this community",
    ),
    "what.rule_written.street": (
        "，并写入权责清单（适用于本街道）",
        "; written into the responsibility list for this street",
    ),
    "rule.view": ("查看写入的权责清单条目", "See the line written"),
    # -- the page of one line ----------------------------------------------------------------
    "rule.title": ("权责清单条目", "Responsibility list line"),
    "rule.intro": (
        "案件按最具体的生效条目派遣：网格优先于社区，社区优先于街道，街道优先于全区默认。",
        "Cases are dispatched by the most specific line in force: a grid's before its "
        "community's, a community's before its street's, a street's before the district default.",
    ),
    "rule.scope": ("适用范围", "Applies to"),
    "rule.scope.grid": ("网格：{area}", "Grid: {area}"),
    "rule.scope.community": ("社区：{area}", "Community: {area}"),
    "rule.scope.street": ("街道（镇）：{area}", "Street (town): {area}"),
    "rule.scope.default": ("全区（各街道默认）", "The whole district (every street's default)"),
    "rule.category": ("案件类别", "Category"),
    "rule.department": ("责任部门", "Responsible department"),
    "rule.source": ("来源", "Source"),
    "rule.source.list": ("权责清单", "The responsibility list"),
    "rule.source.ruling": ("确权裁决，案件", "Ruling on case"),
    "rule.written": ("写入", "Written"),
    "rule.state": ("状态", "State"),
    "rule.in_force": ("生效中", "In force"),
    "rule.retracted": ("已撤销（{who}，{at}）", "Retracted ({who}, {at})"),
    "rule.retract": ("撤销该条目", "Retract this line"),
    "rule.retract_help": (
        "撤销后该条目不再用于派遣，改按其余生效条目；已派遣的案件不受影响。",
        "Once retracted the line no longer routes cases (the other lines in force do); cases "
        "already dispatched stay as they are.",
    ),
    "rule.retracted_done": (
        "已撤销，该条目不再用于派遣。",
        "Retracted: the line no longer routes cases.",
    ),
}
