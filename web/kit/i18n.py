"""UI strings in zh-CN (first) and English, chosen by `?lang=` or the `lang` cookie."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from web.admin.tables_words import TABLES_STRINGS
from web.admin.weights_words import WEIGHTS_STRINGS
from web.cases.timeline_words import CASE_TIMELINE_STRINGS
from web.evaluation.publication_words import PUBLICATION_STRINGS
from web.evaluation.report_words import REPORT_STRINGS
from web.evaluation.words import EVALUATION_STRINGS
from web.map.words import MAP_STRINGS
from web.operations.timeline_words import OPERATION_TIMELINE_STRINGS
from web.operations.words import OPERATION_STRINGS
from web.reference.calendar_words import CALENDAR_STRINGS
from web.reference.routing_words import ROUTING_STRINGS
from web.reference.rule_words import RULE_STRINGS

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
COOKIE = "lang"

# key -> (zh-CN, English). Values may hold str.format fields.
CATALOGUE: dict[str, tuple[str, str]] = {
    # -- the frame -----------------------------------------------------------------------------
    "app.name": ("联动", "Liandong"),
    "app.tagline": ("城市管理多部门协同处置平台", "City management inter-agency coordination"),
    "nav.desk": ("我的工作台", "My desk"),
    "nav.liaison": ("部门任务", "Department tasks"),
    "nav.coordinator": ("指挥中心", "Coordination centre"),
    "nav.intake": ("电话受理", "Phone intake"),
    "nav.supervisor": ("值班长督办", "Supervisor board"),
    "nav.cases": ("案件查询", "Case search"),
    "nav.track": ("市民查询", "Citizen tracking"),
    "nav.login": ("登录", "Sign in"),
    "nav.logout": ("退出", "Sign out"),
    "nav.menu": ("菜单", "Menu"),
    "nav.switch_lang": ("English", "中文"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "nav.outbox": ("邮件发件箱", "Mail outbox"),
    "nav.mailbox": ("开发邮箱", "Dev mailbox"),
    "nav.open311": ("Open311 密钥", "Open311 keys"),
    "outbox.status.pending": ("待发送", "Pending"),
    "outbox.status.claimed": ("已领取", "Claimed"),
    "outbox.status.sending": ("发送中", "Sending"),
    "outbox.status.sent": ("已发出", "Sent"),
    "outbox.status.failed": ("发送失败", "Failed"),
    "outbox.status.unknown": ("结果不明", "Unknown"),
    "common.search": ("查询", "Search"),
    "common.reset": ("清除条件", "Clear filters"),
    "common.all": ("全部", "All"),
    "common.none": ("无", "None"),
    "common.choose": ("请选择", "Choose"),
    "common.optional": ("选填", "optional"),
    "common.required": ("必填", "required"),
    # The catalogue's required_when (workflows/case_actions.py), where the field is shown.
    "required_when.verify.note": ("核查不通过时必填，写明返工原因", "required if it fails: why"),
    "required_when.callback.note": ("返工时必填，写明返工原因", "required for rework: why"),
    "common.submit": ("提交", "Submit"),
    "common.cancel": ("取消", "Cancel"),
    "common.close": ("关闭", "Close"),
    "common.details": ("详情", "Details"),
    "common.history": ("处理记录", "History"),
    "common.prev": ("上一页", "Previous"),
    "common.next": ("下一页", "Next"),
    "common.page": (
        "第 {page} / {pages} 页，共 {total} 件",
        "Page {page} of {pages}, {total} cases",
    ),
    "common.empty": ("没有符合条件的案件。", "No cases match."),
    "common.keyword": ("关键词（编号、描述、地址）", "Keyword (number, description, address)"),
    "common.refreshing": ("每 10 秒自动刷新", "Refreshes every 10 s"),
    "common.back_to_desk": ("返回工作台", "Back to my desk"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    "common.loading": ("加载中…", "Loading…"),
    "common.done": ("已完成：{action}（{number}）", "Done: {action} ({number})"),
    "common.sort": ("排序", "Sort"),
    "common.sort.urgent": ("时限最紧的在前", "Most urgent first"),
    "common.sort.latest": ("时限最晚的在前", "Latest deadline first"),
    "common.actions": ("操作", "Actions"),
    "common.demo_users": (
        "演示账号：coordinator、supervisor、inspector、admin、"
        "liaison-部门代码（如 liaison-sw），密码 demo。",
        "Demo users: coordinator, supervisor, inspector, admin, liaison-<code> "
        "(e.g. liaison-sw), password demo.",
    ),
    # -- columns and fields ------------------------------------------------------------------
    "field.number": ("案件编号", "Case number"),
    "field.status": ("状态", "Status"),
    "field.category": ("类别", "Category"),
    "field.grid": ("网格", "Grid"),
    "field.street": ("街道/镇", "Street/town"),
    "field.address": ("地址", "Address"),
    "field.description": ("问题描述", "Description"),
    "field.channel": ("来源渠道", "Channel"),
    "field.department": ("责任部门", "Department"),
    "field.interim_department": ("先行处置单位", "Interim handler"),
    "field.light": ("亮灯", "Light"),
    "field.deadline": ("处置时限", "Handling deadline"),
    "field.accept_deadline": ("签收时限", "Accept-by"),
    "field.time_left": ("剩余时间", "Time left"),
    "field.created_at": ("上报时间", "Reported at"),
    "field.closed_at": ("结案时间", "Closed at"),
    "field.age": ("已历时", "Age"),
    "field.bounces": ("退单次数", "Bounces"),
    "field.reworks": ("返工次数", "Reworks"),
    "field.escalation_level": ("升级级别", "Escalation level"),
    "field.satisfaction": ("满意度", "Satisfaction"),
    "field.reporter": ("反映人", "Reporter"),
    "field.citizen_rating": ("市民自评", "Reporter's own rating"),
    "field.reporter_name": ("反映人姓名", "Reporter's name"),
    "field.reporter_phone": ("反映人电话", "Reporter's phone"),
    "field.note": ("说明", "Note"),
    "field.reason": ("理由", "Reason"),
    "field.bounce_reason": ("退单理由", "Reason for bouncing"),
    "field.suggested_department": ("建议改派部门", "Suggested department"),
    "field.amount": ("延期时长", "Extra time"),
    "field.unit": ("单位", "Unit"),
    "field.approve": ("审批意见", "Decision"),
    "field.passed": ("核查结果", "Verification result"),
    "field.reopen": ("不满意并重新处置（返工）", "Dissatisfied: send back for rework"),
    "field.rework_reason": ("返工原因", "Reason for rework"),
    "field.rule_scope": ("写入范围", "Where the rule applies"),
    "field.make_rule": (
        "写入权责清单（以后同类案件按此派遣）",
        "Make this the rule (write it into the responsibility list)",
    ),
    "field.owner": ("确权责任部门", "Owning department"),
    "field.override_action": ("强制操作", "Override"),
    "field.photos": (
        "现场照片（JPEG/PNG/WebP，每张不超过 5 MB）",
        "Photos (JPEG/PNG/WebP, 5 MB each at most)",
    ),
    "field.pending_extension": ("待审批延期", "Pending extension"),
    "field.history": ("处理经过", "Timeline"),
    "field.who": ("经办", "Who"),
    "field.when": ("时间", "When"),
    "field.what": ("事项", "What"),
    "field.why": ("说明/理由", "Why"),
    "field.routing": ("权责清单建议：{department}", "Responsibility list suggests: {department}"),
    "field.last_bounce": ("退单理由", "Bounce reason"),
    "field.calendar_fallback": (
        "提示：该时限跨入尚无法定节假日数据的年份，按周一至周五计算。",
        "Note: this deadline reaches a year without holiday data; Monday–Friday is assumed.",
    ),
    "field.username": ("用户名", "Username"),
    "field.password": ("密码", "Password"),
    "field.phone": ("反映时留的电话号码", "Phone number given when reporting"),
    # -- statuses ---------------------------------------------------------------------------
    "status.new": ("新上报（待立案）", "New (to register)"),
    "status.registered": ("已立案（待派遣）", "Registered (to dispatch)"),
    "status.voided": ("已作废", "Voided"),
    "status.dispatched": ("已派遣（待签收）", "Dispatched (to accept)"),
    "status.in_progress": ("处置中", "In progress"),
    "status.bounced": ("已退单（待重新派遣）", "Bounced (to re-dispatch)"),
    "status.disputed": ("争议（待确权）", "Disputed (to arbitrate)"),
    "status.parked": ("挂账", "Parked"),
    "status.reported": ("已反馈（待核查）", "Reported (to verify)"),
    "status.verified": ("已核查（待回访）", "Verified (to call back)"),
    "status.closed": ("已结案", "Closed"),
    "status.closed_on_time": ("按期办结", "Closed on time"),
    "status.closed_late": ("超期办结", "Closed late"),
    "status.open": ("未结案件", "Open cases"),
    # -- lights -----------------------------------------------------------------------------
    "light.green": ("绿灯", "Green"),
    "light.yellow": ("黄灯", "Yellow"),
    "light.red": ("红灯", "Red"),
    "light.none": ("未计时", "No clock"),
    "light.green.help": ("在时限内", "within the limit"),
    "light.yellow.help": ("临近时限", "near the limit"),
    "light.red.help": ("已超时", "overdue"),
    "countdown.left": ("剩余 {time}", "{time} left"),
    "countdown.over": ("已超时 {time}", "{time} overdue"),
    "countdown.due": ("已到时限", "due now"),
    # -- action verbs (buttons and forms) ------------------------------------------------------
    "action.register": ("立案", "Register"),
    "action.register-dispatch": ("立案并派遣", "Register and dispatch"),
    "action.void": ("作废", "Void"),
    "action.dispatch": ("派遣", "Dispatch"),
    "action.redispatch": ("重新派遣", "Re-dispatch"),
    "action.accept": ("签收", "Accept"),
    "action.bounce": ("退单", "Bounce"),
    "action.arbitrate": ("确权裁决", "Arbitrate"),
    "action.request-extension": ("申请延期", "Request extension"),
    "action.decide-extension": ("审批延期", "Decide extension"),
    "action.report": ("处置反馈", "Report done"),
    "action.verify": ("核查", "Verify"),
    "action.callback": ("回访", "Call back"),
    "action.urge": ("督办", "Urge"),
    "action.interim-report": ("先行处置反馈", "Report made safe"),
    "action.help.interim-report": (
        "您的单位是本案的先行处置单位：消除隐患后在此反馈处置情况，权属由责任部门后续处理。",
        "Your unit is the interim handler: once the site is safe, say what was done here; "
        "the owner handles the rest.",
    ),
    "action.park": ("挂账", "Park"),
    "action.unpark": ("解除挂账", "Unpark"),
    "action.override": ("强制处理", "Override"),
    "action.rate": ("评价", "Rate"),
    "action.help.register-dispatch": ("立案后立即派遣给所选部门。", "Registers, then dispatches."),
    "action.help.void": (
        "无效、重复或不属于受理范围的上报。",
        "Invalid, duplicate or out of scope.",
    ),
    "action.help.bounce": (
        "不属于本部门职责时退回指挥中心，请写明理由。",
        "Send it back if it is not your department's; say why.",
    ),
    "action.help.report": (
        "处置完毕后填写处置情况并上传现场照片。",
        "Describe what was done and add photos.",
    ),
    "action.help.override": (
        "值班长强制推进卡住的案件，须写明理由。",
        "Force a stuck case on; a reason is required.",
    ),
    "action.help.arbitrate": (
        "指定责任部门；可同时指定属地先行处置。",
        "Name the owner; optionally an interim handler to make it safe.",
    ),
    "action.none": (
        "您当前不能对该案件进行操作。",
        "There is nothing you can do on this case now.",
    ),
    "action.interim_only": (
        "您的单位是本案的先行处置单位，先行处置情况已反馈。",
        "Your unit is the interim handler and has reported the site made safe.",
    ),
    "approve.yes": ("同意延期", "Approve"),
    "approve.no": ("不同意", "Deny"),
    "passed.yes": ("核查通过", "Passed"),
    "passed.no": ("未通过，返工", "Failed: rework"),
    "override.reassign": ("改派", "Reassign"),
    "override.extend": ("延长时限", "Extend"),
    "override.close": ("强制结案", "Close"),
    "override.reopen": ("重新打开", "Reopen"),
    # -- roles, satisfaction, channels, units ----------------------------------------------------
    "role.coordinator": ("指挥中心派遣员", "Coordinator"),
    "role.supervisor": ("值班长", "Supervisor"),
    "role.liaison": ("部门联络员", "Department liaison"),
    "role.inspector": ("监督员", "Inspector"),
    "role.admin": ("系统管理员", "Administrator"),
    "role.system": ("系统", "System"),
    "role.citizen": ("市民", "Citizen"),
    "public.coordinator": ("指挥中心", "Coordination centre"),
    "public.supervisor": ("指挥中心", "Coordination centre"),
    "public.inspector": ("监督员", "Inspector"),
    "public.system": ("系统", "System"),
    "public.citizen": ("市民", "Citizen"),
    "public.staff": ("工作人员", "Staff"),
    "satisfaction.satisfied": ("满意", "Satisfied"),
    "satisfaction.basically_satisfied": ("基本满意", "Basically satisfied"),
    "satisfaction.dissatisfied": ("不满意", "Dissatisfied"),
    "satisfaction.unreachable": ("联系不上", "Unreachable"),
    "channel.hotline": ("12345 热线", "12345 hotline"),
    "channel.wechat": ("微信", "WeChat"),
    "channel.app": ("随手拍 App", "App"),
    "channel.inspector": ("监督员巡查", "Inspector patrol"),
    "channel.video": ("视频监控", "Video"),
    "channel.superior": ("上级交办", "From a superior"),
    "channel.open311": ("Open311", "Open311"),
    "unit.working_hours": ("工作小时", "working hours"),
    "unit.working_days": ("工作日", "working days"),
    "unit.hours": ("自然小时", "hours"),
    "group.department": ("职能部门", "Departments"),
    "group.street": ("属地街道/镇", "Streets and towns"),
    "kind.component": ("部件", "Component"),
    "kind.event": ("事件", "Event"),
    # -- pages --------------------------------------------------------------------------------
    "login.title": ("登录", "Sign in"),
    "login.intro": ("请使用工作账号登录。", "Sign in with your work account."),
    "login.failed": ("用户名或密码不正确。", "Wrong username or password."),
    "login.submit": ("登录", "Sign in"),
    "index.welcome": ("欢迎使用联动平台", "Welcome to Liandong"),
    "index.intro": (
        "受理、立案、派遣、签收或退单、确权裁决、按工作时计时亮灯与升级督办、核查、回访、结案——一个案件的闭环在这里完成。",
        "Register, dispatch, accept or bounce, arbitrate, handle against a "
        "working-time clock with lights and escalation, verify, call back and close.",
    ),
    "index.go_desk": ("进入我的工作台", "Open my desk"),
    "index.track": ("市民查询办理进度", "Citizens: track a case"),
    "index.system": ("运行信息", "System"),
    "liaison.title": ("部门任务", "Department tasks"),
    "liaison.intro": (
        "{department}待签收、处置中和先行处置的案件。",
        "Cases to accept, to handle, or to make safe for {department}.",
    ),
    "liaison.interim": ("先行处置", "Interim"),
    "liaison.interim_task": ("本单位任务", "Your task"),
    "liaison.interim_todo": ("先行处置，消除隐患", "Make the site safe first"),
    "liaison.interim_done": (
        "已先行处置，由责任部门继续处置",
        "Made safe; the owner handles the rest",
    ),
    "liaison.rework_reason": ("返工原因", "Sent back because"),
    "liaison.rework.verify": ("核查未通过", "failed verification"),
    "liaison.rework.callback": ("回访不满意", "dissatisfied at callback"),
    "liaison.rework.unstated": ("未填写原因", "no reason given"),
    "liaison.open": ("待办任务", "Open tasks"),
    "coord.title": ("指挥中心", "Coordination centre"),
    "coord.queue.new": ("新上报", "New reports"),
    "coord.queue.registered": ("待派遣", "To dispatch"),
    "coord.queue.bounced": ("退单待重派", "Bounced"),
    "coord.queue.reported": ("待核查", "To verify"),
    "coord.queue.verified": ("待回访", "To call back"),
    "coord.dissatisfied": ("市民不满意", "Reporter dissatisfied"),
    "intake.title": ("电话受理", "Phone intake"),
    "intake.intro": (
        "记录市民来电反映的问题，提交后生成案件编号。",
        "Record a problem reported by phone; a case number is issued.",
    ),
    "intake.submit": ("受理并生成案件", "File the case"),
    "intake.done": ("已受理，案件编号 {number}。", "Filed as case {number}."),
    "sup.title": ("值班长督办", "Supervisor board"),
    "sup.view.overdue": ("超时（红灯）", "Overdue (red)"),
    "sup.view.escalated": ("升级督办", "Escalated"),
    "sup.view.disputed": ("争议待确权", "Disputed"),
    "sup.view.parked": ("挂账", "Parked"),
    "sup.view.extensions": ("延期待审批", "Extensions to decide"),
    "sup.level": ("第 {level} 级", "Level {level}"),
    "sup.level_all": ("全部级别", "All levels"),
    "cases.title": ("案件查询", "Case search"),
    "case.title": ("案件 {number}", "Case {number}"),
    "case.facts": ("基本情况", "Facts"),
    "case.clock": ("时限与亮灯", "Clock and light"),
    "case.actions": ("可执行的操作", "What you can do now"),
    "case.photos": ("现场照片", "Photos"),
    "case.origin": ("来源", "Origin"),
    "case.from_operation": ("来自联合行动", "From the joint operation"),
    "case.from_finding": ("第 {n} 条现场发现", "finding {n}"),
    "track.title": ("市民查询", "Track your case"),
    "track.intro": (
        "输入案件编号和反映问题时留下的电话号码，查看办理进度。",
        "Enter the case number and the phone number you gave to see its progress.",
    ),
    "track.submit": ("查询进度", "Show progress"),
    "track.not_found": (
        "没有找到该案件，或电话号码不符。请核对后重试。",
        "No case with that number and phone number. Please check and retry.",
    ),
    "track.progress": ("办理进度", "Progress"),
    "track.rate": ("请为本次办理结果评价", "Please rate how it was handled"),
    "track.rated": ("感谢您的评价。", "Thank you for your rating."),
    "track.your_rating": ("您的评价：{rating}", "Your rating: {rating}"),
    "track.callback_pending": (
        "指挥中心将回访了解情况，并决定是否返工。",
        "The coordination centre will call you back and decide whether the work is redone.",
    ),
    "track.step.created": ("受理", "Received"),
    "track.step.registered": ("立案", "Registered"),
    "track.step.dispatched": ("派遣", "Dispatched"),
    "track.step.in_progress": ("处置", "Being handled"),
    "track.step.reported": ("核查", "Checked"),
    "track.step.closed": ("办结", "Closed"),
    "track.closed": ("本案已办结。", "This case is closed."),
    "track.voided": ("本案经核实不予立案。", "This report was not taken up."),
    # -- refusals ------------------------------------------------------------------------------
    # Refusals by reason code (core/refusals.py; web/kit/refusals.py picks the sentence). Fields:
    # {action}, {status}, {field}, {roles}, all in the page's words.
    "refuse.wrong_role": ("“{action}”仅限{roles}操作。", "Only {roles} may “{action}”."),
    "refuse.wrong_department": (
        "该案件不由您的部门办理，不能“{action}”。",
        "This case is not your department's, so you cannot “{action}” it.",
    ),
    "refuse.wrong_state": (
        "该案件当前状态为“{status}”，不能“{action}”。可能已有其他人先处理了，请查看最新状态。",
        "This case is now “{status}”, so it cannot be “{action}”. Someone may "
        "have acted first; see its current state.",
    ),
    "refuse.wrong_state_plain": (
        "该案件已办结归档，不能再“{action}”。",
        "This case is archived and takes no more actions.",
    ),
    "refuse.missing_field": ("请填写“{field}”。", "Please fill in “{field}”."),
    "refuse.invalid_value": (
        "“{field}”填写有误，请检查。",
        "“{field}” is not right; please check it.",
    ),
    "refuse.extension_pending": (
        "已有一份延期申请在等待审批，请等审批结果出来后再申请。",
        "An extension request is already waiting for a decision.",
    ),
    "refuse.no_extension_pending": (
        "没有待审批的延期申请（可能已被他人审批）。",
        "No extension is waiting for a decision (someone may have decided).",
    ),
    "refuse.interim_already_reported": (
        "先行处置情况已经反馈过了。",
        "The site has already been reported made safe.",
    ),
    "refuse.already_rated": (
        "您已对本次办理结果作出评价，每次结果只能评价一次。",
        "You have rated this result already; each result is rated once.",
    ),
    "refuse.archived": (
        "案件已归档（结案满30天），不能再重新打开；如问题再次出现，请作为新案件受理。",
        "The case is archived (closed over 30 days ago) and cannot be reopened; file a new case.",
    ),
    "refuse.queued": (
        "处理服务暂未响应（可能正在重启），操作已排队，恢复后会自动执行；请稍后刷新查看，勿重复提交。",
        "The service has not taken the action yet (it may be restarting); it is queued and will "
        "be carried out when the service is back. Reload shortly; do not send it again.",
    ),
    "refuse.in_progress": (
        "操作已被接收，正在执行，稍后刷新即可看到结果。",
        "The action was taken and is being carried out; reload shortly to see it.",
    ),
    "refuse.no_clock": (
        "该案件当前没有在计时，无法延长时限。",
        "No clock is running on this case, so there is nothing to extend.",
    ),
    "refuse.no_department": (
        "该案件没有责任部门，不能重新打开；请改派。",
        "The case has no department to reopen at; reassign it instead.",
    ),
    "refuse.interim_is_owner": (
        "先行处置单位不能与责任部门相同。",
        "The interim handler must differ from the owner.",
    ),
    "refuse.no_route": (
        "权责清单没有对应的责任部门，请手动选择部门。",
        "The responsibility list names no department; choose one.",
    ),
    # The API's own refusals (web/kit/errors.py), and the form checks before the API.
    "refuse.forbidden": (
        "您无权对该案件执行“{action}”：角色或部门不符。",
        "You may not {action} this case: wrong role or department.",
    ),
    "refuse.not_found": ("案件不存在。", "No such case."),
    "refuse.unavailable": (
        "系统暂时无法处理，未做任何更改，请稍后重试。",
        "The workflow service is unavailable; nothing was changed. Please retry later.",
    ),
    "refuse.required": ("请填写“{field}”。", "Please fill in “{field}”."),
    "refuse.too_long": ("“{field}”太长了。", "“{field}” is too long."),
    "refuse.positive": ("“{field}”须为正数。", "“{field}” must be a positive number."),
    "refuse.choose": ("请选择“{field}”。", "Please choose “{field}”."),
    "refuse.partly": (
        "已立案，但派遣未成功：{message}",
        "Registered, but not dispatched: {message}",
    ),
    "refuse.pending": (
        "已提交，但尚未显示，请稍后刷新。",
        "Submitted but not visible yet; refresh soon.",
    ),
    "refuse.keep_photos": (
        "照片未保存，请重新选择照片。",
        "Photos were not kept; choose them again.",
    ),
    "refuse.photo_type": (
        "照片“{name}”不是 JPEG、PNG 或 WebP 图片。",
        "“{name}” is not a JPEG, PNG or WebP image.",
    ),
    "refuse.photo_size": ("照片“{name}”超过 5 MB。", "“{name}” is larger than 5 MB."),
    "refuse.photo_count": ("最多上传 {n} 张照片。", "At most {n} photos."),
    "error.title": ("无法显示", "Cannot show this"),
    "error.403": ("您无权查看或操作该案件。", "You may not see or act on this case."),
    "error.404": ("没有找到该页面或案件。", "No such page or case."),
    "error.csrf": (
        "页面已过期或来源不明，操作未执行。请刷新页面后重试。",
        "The form has expired or did not come from this site; nothing was done. "
        "Reload the page and try again.",
    ),
    "error.role": ("该页面仅供{roles}使用。", "This page is for {roles} only."),
    "error.forbidden": ("您无权访问该页面。", "You may not open this page."),
    "error.http": ("无法处理该请求（{status}）。", "This request could not be handled ({status})."),
    "error.500": (
        "服务器出错了，操作可能没有完成。请稍后重试；如果问题持续，请联系管理员。",
        "Something went wrong on the server; the action may not have been done. "
        "Please try again later, and tell the administrator if it keeps happening.",
    ),
    "error.control_character": (
        "输入内容含有不可见的控制字符，请删除后重试。",
        "The text holds an invisible control character; remove it and try again.",
    ),
    "error.too_large": (
        "提交的内容超过 {mb} MB 上限（照片每张不超过 5 MB，最多 6 张），未保存任何内容。"
        "请减少或压缩照片后重新提交；已填写的文字仍在表单中。",
        "What you sent is larger than the {mb} MB limit (photos up to 5 MB each, at most 6); "
        "nothing was saved. Send fewer or smaller photos; the text you typed is still in the form.",
    ),
    "error.too_large_page": (
        "提交的内容超过 {mb} MB 上限（照片每张不超过 5 MB，最多 6 张），未保存任何内容。"
        "请返回上一页，减少或压缩照片后重新提交。",
        "What you sent is larger than the {mb} MB limit (photos up to 5 MB each, at most 6); "
        "nothing was saved. Go back, then send fewer or smaller photos.",
    ),
    "ratelimit.blocked": (
        "失败次数过多，请 {minutes} 分钟后再试。",
        "Too many failed attempts. Please try again in {minutes} min.",
    ),
}
# A case's timeline and joint operations keep their strings in modules of their own.
CATALOGUE.update(CASE_TIMELINE_STRINGS)
CATALOGUE.update(OPERATION_STRINGS)
CATALOGUE.update(OPERATION_TIMELINE_STRINGS)
CATALOGUE.update(RULE_STRINGS)
CATALOGUE.update(EVALUATION_STRINGS)
CATALOGUE.update(REPORT_STRINGS)
CATALOGUE.update(PUBLICATION_STRINGS)
CATALOGUE.update(WEIGHTS_STRINGS)
CATALOGUE.update(TABLES_STRINGS)
CATALOGUE.update(MAP_STRINGS)
CATALOGUE.update(CALENDAR_STRINGS)
CATALOGUE.update(ROUTING_STRINGS)


def lang_of(request: Request | None) -> str:
    """Returns the request's language: `?lang=`, then the cookie, then zh."""
    if request is None:
        return DEFAULT_LANG
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGS else DEFAULT_LANG


def translate(lang: str, key: str, **fields: Any) -> str:
    """Returns the text of `key` in `lang`, formatted with `fields`; the key itself if unknown."""
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**fields) if fields else text


def label(lang: str, prefix: str, code: str | None) -> str:
    """Returns the name of a code (status, role, ...) or the code itself when none is known."""
    if not code:
        return ""
    key = f"{prefix}.{code}"
    return translate(lang, key) if key in CATALOGUE else code
