"""The words of the administration pages (基础数据, 用户, 权责清单, 导入导出, 审计日志), zh-CN
first; merged into web/kit/i18n.CATALOGUE. Field and table labels are the TableSpecs' own."""

from __future__ import annotations

TABLES_STRINGS: dict[str, tuple[str, str]] = {
    "nav.admin_tables": ("系统管理", "Administration"),
    "admin.settings": ("其他设置", "Other settings"),
    "admin.settings.calendar": (
        "节假日与调休，发布下一年",
        "Holidays and make-up days; publish next year",
    ),
    "admin.settings.weights": ("综合评价各项指标的权重", "The weights of the evaluation score"),
    "admin.settings.audit": (
        "每一项管理变更：谁、何时、改前、改后",
        "Every change: who, when, before, after",
    ),
    "admin.settings.outbox": ("待发、失败与已发出的邮件", "Mail pending, failed and sent"),
    "admin.settings.open311": ("Open311 接入密钥", "API keys for Open311 apps"),
    "admin.settings.mailbox": (
        "演示环境本地邮件服务器收到的邮件",
        "Mail the local dev SMTP server caught",
    ),
    "nav.audit": ("审计日志", "Audit log"),
    # -- the index and the lists ----------------------------------------------------------------
    "admin.title": ("基础数据与用户", "Setup data and users"),
    "admin.intro": (
        "部门、街道、社区、网格、案件类别、权责清单和用户。每项变更都记入审计日志；停用的条目保留全部历史和引用它的案件，"
        "不再用于新的案件。每张表都可导出为 Excel，导出文件即导入模板。",
        "Departments, streets, communities, grids, categories, the responsibility list and users. "
        "Every change goes into the audit log; a retired row keeps its history and the cases that "
        "name it, and takes no new work. Each table exports to Excel, and the export is the "
        "import's template.",
    ),
    "admin.rows": ("{active} 项在用，{retired} 项已停用", "{active} active, {retired} retired"),
    "admin.open": ("管理", "Manage"),
    "admin.new": ("新增", "New"),
    "admin.export": ("导出 Excel", "Export to Excel"),
    "admin.export_geojson": ("导出 GeoJSON", "Export GeoJSON"),
    "admin.import": ("导入", "Import"),
    "admin.search": ("编码或名称", "Code or name"),
    "admin.state": ("状态", "State"),
    "admin.state.active": ("在用", "Active"),
    "admin.state.retired": ("已停用", "Retired"),
    "admin.state.all": ("全部", "All"),
    "admin.count": ("共 {total} 项", "{total} rows"),
    "admin.empty": ("没有符合条件的条目。", "No rows match."),
    "admin.actions": ("操作", "Actions"),
    "admin.edit": ("编辑", "Edit"),
    "admin.retire": ("停用", "Retire"),
    "admin.restore": ("恢复启用", "Restore"),
    "admin.back": ("返回列表", "Back to the list"),
    "admin.all_tables": ("全部基础数据", "All setup data"),
    "admin.yes": ("是", "Yes"),
    "admin.no": ("否", "No"),
    "admin.geometry.points": ("已绘制（{points} 个点）", "Drawn ({points} points)"),
    "admin.geometry.none": ("未绘制", "None"),
    "admin.major": ("（大类）", "(major category)"),
    # -- the forms ------------------------------------------------------------------------------
    "admin.new.title": ("新增：{table}", "New: {table}"),
    "admin.edit.title": ("编辑：{table} {row}", "Edit: {table} {row}"),
    "admin.save": ("保存", "Save"),
    "admin.not_saved": ("未保存：请更正标出的字段。", "Not saved: correct the fields marked."),
    "admin.saved": ("已保存。", "Saved."),
    "admin.created": ("已新增。", "Created."),
    "admin.retired_done": (
        "已停用。历史和引用它的案件均保留。",
        "Retired; its history and cases are kept.",
    ),
    "admin.restored_done": ("已恢复启用。", "Restored."),
    "admin.replaced": (
        "权责清单条目不会被改写：原条目 #{old} 已停用，改为新条目 #{new}。",
        "A line of the list is never rewritten: line #{old} was retired and line #{new} written.",
    ),
    "admin.code_fixed": ("编码创建后不能修改。", "A code cannot change once created."),
    "admin.choose": ("请选择", "Choose"),
    "admin.none": ("（无）", "(none)"),
    "admin.geometry.hint": (
        "粘贴 GeoJSON 的 Polygon 或 MultiPolygon（WGS84 经纬度，[经度, 纬度]）；"
        "也可粘贴一个 Feature。",
        "Paste a GeoJSON Polygon or MultiPolygon (WGS84, [longitude, latitude]), or a Feature.",
    ),
    "admin.area.hint": (
        "范围为街道、社区或网格时填其编码；全市留空。",
        "The street, community or grid code for those scopes; blank for the city.",
    ),
    "admin.password": ("初始密码", "Initial password"),
    "admin.password.hint": (
        "选填。至少 10 个字符，不能是常见密码；不填则该用户在设置密码前无法登录。",
        "Optional. At least 10 characters, not a common one; without it the user cannot sign in "
        "until a password is set.",
    ),
    "admin.password.title": ("重设密码", "Reset the password"),
    "admin.password.new": ("新密码", "New password"),
    "admin.password.set": ("设置密码", "Set the password"),
    "admin.password.done": (
        "密码已更新；该用户已登录的浏览器需重新登录。",
        "Password set; the user's signed-in browsers must sign in again.",
    ),
    "admin.password.none": ("尚未设置密码，暂不能登录。", "No password yet: cannot sign in."),
    "admin.history": ("变更记录", "Changes"),
    "admin.history.all": ("在审计日志中查看全部", "See all in the audit log"),
    # -- retiring ------------------------------------------------------------------------------
    "admin.retire.title": ("停用：{table} {row}", "Retire: {table} {row}"),
    "admin.retire.explain": (
        "停用后该条目不会删除：历史记录和引用它的案件保持不变，但不再出现在新案件、派遣和选择列表中。可随时恢复启用。",
        "Retiring deletes nothing: its history and the cases that name it stay, but it no longer "
        "appears in new cases, dispatch or choice lists. It can be restored at any time.",
    ),
    "admin.retire.in_use": ("正在使用：", "In use:"),
    "admin.retire.unused": ("当前没有引用它的记录。", "Nothing refers to it now."),
    "admin.usage.cases": ("{n} 件案件", "{n} cases"),
    "admin.usage.open_cases": ("其中 {n} 件未结案", "{n} of them open"),
    "admin.usage.rules": ("{n} 条生效的权责清单条目", "{n} lines of the list in force"),
    "admin.usage.users": ("{n} 名用户", "{n} users"),
    "admin.usage.communities": ("{n} 个社区", "{n} communities"),
    "admin.usage.grids": ("{n} 个网格", "{n} grids"),
    "admin.usage.minors": ("{n} 个小类", "{n} minor categories"),
    "admin.retire.confirm": ("确认停用", "Retire it"),
    # -- importing -----------------------------------------------------------------------------
    "admin.import.title": ("导入：{table}", "Import: {table}"),
    "admin.import.intro": (
        "上传 Excel（.xlsx）：第一行为字段名，与导出文件相同（可先导出作为模板）。"
        "先检查，确认无误后再导入；有任何一处错误则不导入任何内容。已有编码的行更新，其余新增；与现有完全相同的行不变。",
        "Upload an Excel workbook (.xlsx) whose first row holds the field names, as the export "
        "writes them (export first for a template). Check it, then import; with any error nothing "
        "is imported. A row whose code exists updates it, others are added, identical rows stay.",
    ),
    "admin.import.grids": (
        "网格也可从 GIS 导出的 GeoJSON FeatureCollection 导入"
        "（属性 code、name、street、community）。",
        "Grids also import from a GIS GeoJSON FeatureCollection (properties code, name, street, "
        "community).",
    ),
    "admin.import.users": (
        "导入不包含密码：新导入的用户在管理员为其设置密码前无法登录。",
        "Imports carry no passwords: a new imported user cannot sign in until a password is set.",
    ),
    "admin.import.file": ("文件", "File"),
    "admin.import.check": ("检查（不导入）", "Check (import nothing)"),
    "admin.import.now": ("直接导入", "Import now"),
    "admin.import.apply": ("确认导入", "Import it"),
    "admin.import.no_file": ("请选择要上传的文件。", "Choose a file to upload."),
    "admin.import.stage.read": ("正在读取文件…", "Reading the file…"),
    "admin.import.stage.check": ("正在检查：{done} / {total}", "Checking: {done} / {total}"),
    "admin.import.stage.write": ("正在写入：{done} / {total}", "Writing: {done} / {total}"),
    "admin.import.result": (
        "新增 {created} 项，更新 {updated} 项，不变 {unchanged} 项。",
        "{created} created, {updated} updated, {unchanged} unchanged.",
    ),
    "admin.import.would": (
        "检查通过：将新增 {created} 项，更新 {updated} 项，不变 {unchanged} 项。尚未导入。",
        "The check passed: {created} to create, {updated} to update, {unchanged} unchanged. "
        "Nothing is imported yet.",
    ),
    "admin.import.done": ("已导入：{file}。", "Imported: {file}."),
    "admin.import.errors": (
        "发现 {n} 处错误，未导入任何内容。请修改文件后重新上传。",
        "{n} errors found; nothing was imported. Correct the file and upload it again.",
    ),
    "admin.import.failed": (
        "导入失败，未导入任何内容：{reason}",
        "The import failed; nothing was imported: {reason}",
    ),
    "admin.import.gone": (
        "该导入已过期，请重新上传文件。",
        "This import has expired: upload the file again.",
    ),
    "admin.import.row": ("行", "Row"),
    "admin.import.field": ("字段", "Field"),
    "admin.import.message": ("问题", "Problem"),
    "admin.import.more": ("另有 {n} 处错误未列出。", "{n} more errors not listed."),
    "admin.import.seconds": ("用时 {s} 秒", "{s} s"),
    # -- the audit log -------------------------------------------------------------------------
    "audit.title": ("审计日志", "Audit log"),
    "audit.intro": (
        "每一项管理变更：谁、何时、改了什么，改前与改后。",
        "Every administrative change: who, when, what, before and after.",
    ),
    "audit.subject": ("对象", "Subject"),
    "audit.key": ("条目", "Row"),
    "audit.actor": ("操作人", "By"),
    "audit.at": ("时间", "When"),
    "audit.action": ("操作", "Action"),
    "audit.changes": ("变更内容", "Changes"),
    "audit.before": ("改前", "Before"),
    "audit.after": ("改后", "After"),
    "audit.reason": ("说明", "Note"),
    "audit.empty": ("没有符合条件的记录。", "No entries match."),
    "audit.action.create": ("新增", "Created"),
    "audit.action.update": ("修改", "Changed"),
    "audit.action.delete": ("删除", "Deleted"),
    "audit.action.set": ("设置", "Set"),
    "audit.action.retire": ("停用", "Retired"),
    "audit.action.restore": ("恢复启用", "Restored"),
    "audit.subject.department": ("部门/街道", "Department or street"),
    "audit.subject.community": ("社区", "Community"),
    "audit.subject.grid": ("网格", "Grid"),
    "audit.subject.category": ("案件类别", "Category"),
    "audit.subject.rule": ("权责清单", "Responsibility list"),
    "audit.subject.user": ("用户", "User"),
    "audit.subject.evaluation_setting": ("评价设置", "Evaluation settings"),
    "audit.reason.import": ("导入 {value}", "Import of {value}"),
    "audit.reason.replaced_by": ("由新条目 #{value} 取代", "Replaced by line #{value}"),
    "audit.reason.replaces": ("取代条目 #{value}", "Replaces line #{value}"),
    "audit.password": ("密码", "Password"),
    "audit.password.set": ("已设置", "set"),
    "audit.password.none": ("未设置", "none"),
}

# Value words: a rule's scope and source; every error kind of models/admin_spec.MESSAGES.
TABLES_STRINGS.update(
    {
        "admin.scope.city": ("全市", "The whole city"),
        "admin.scope.street": ("街道（镇）", "Street (town)"),
        "admin.scope.community": ("社区", "Community"),
        "admin.scope.grid": ("网格", "Grid"),
        "admin.source.admin": ("管理员录入", "Entered by an admin"),
        "admin.source.import": ("批量导入", "Imported"),
        "admin.source.arbitration": ("确权裁决", "Arbitration"),
        "admin.kind.department": ("职能部门", "Department"),
        "admin.what.street": ("街道（镇）", "street"),
        "admin.what.community": ("社区", "community"),
        "admin.what.grid": ("网格", "grid"),
        "admin.what.category": ("案件类别", "category"),
        "admin.what.department": ("部门", "department"),
        "admin.what.rule": ("权责清单条目", "line"),
        "admin.what.parent": ("大类", "major category"),
        "admin.what.area": ("范围", "area"),
        "admin.err.page": ("{text}", "{text}"),
        "admin.err.required": ("必填。", "Required."),
        "admin.err.too_long": ("最多 {max} 个字符。", "At most {max} characters."),
        "admin.err.control": ("不能包含控制字符。", "Control characters are not allowed."),
        "admin.err.choice": (
            "“{value}”不是可选值（可选：{choices}）。",
            "“{value}” is not one of {choices}.",
        ),
        "admin.err.number": ("“{value}”不是数字。", "“{value}” is not a number."),
        "admin.err.positive": (
            "须大于 0，且不超过 {max}。",
            "Must be more than 0 and at most {max}.",
        ),
        "admin.err.bool": ("“{value}”不是“是/否”。", "“{value}” is not yes or no."),
        "admin.err.email": ("“{value}”不是有效的邮箱地址。", "“{value}” is not an e-mail address."),
        "admin.err.code": (
            "编码只能由字母、数字、“-”“_”“.”组成，以字母或数字开头，最多 {max} 个字符。",
            "Letters, digits, '-', '_' or '.' (up to {max}), starting with a letter or digit.",
        ),
        "admin.err.geometry": ("边界无效：{reason}", "Boundary refused: {reason}"),
        "admin.err.unknown": ("没有这个{what}：{value}", "Unknown {what}: {value}"),
        "admin.err.retired": ("{what} {value} 已停用。", "The {what} {value} is retired."),
        "admin.err.wrong_street": (
            "社区 {value} 属于 {actual}，不属于 {street}。",
            "Community {value} belongs to {actual}, not {street}.",
        ),
        "admin.err.duplicate_file": (
            "“{value}”重复：第 {other} 行已有。",
            "Duplicate “{value}”: also on row {other}.",
        ),
        "admin.err.duplicate_db": ("“{value}”已存在。", "“{value}” exists already."),
        "admin.err.duplicate_line": (
            "同一类别、同一范围的第二条：第 {other} 行已有。",
            "A second line for this category and area: also on row {other}.",
        ),
        "admin.err.parent_minor": (
            "{value} 本身是小类：所属大类须为大类。",
            "{value} is a minor category itself: the parent must be a major one.",
        ),
        "admin.err.parent_self": ("类别不能以自己为大类。", "A category cannot be its own parent."),
        "admin.err.parent_kind": (
            "类型须与大类相同（{kind}）。",
            "The kind must be the parent's ({kind}).",
        ),
        "admin.err.has_minors": (
            "{value} 下有小类，不能改为小类。",
            "{value} has minor categories of its own.",
        ),
        "admin.err.area_needed": ("此范围须填写{what}编码。", "This scope needs a {what} code."),
        "admin.err.area_none": ("全市范围不填范围编码。", "The city scope takes no area."),
        "admin.err.liaison_department": (
            "联络员须属于一个部门或街道。",
            "A liaison belongs to a department or street.",
        ),
        "admin.err.self": (
            "不能停用自己的账号，也不能取消自己的管理员角色。",
            "You cannot retire your own account or take away its admin role.",
        ),
        "admin.err.unknown_column": ("不认识的列“{value}”。", "Unknown column “{value}”."),
        "admin.err.missing_column": ("文件缺少“{value}”列。", "The file has no “{value}” column."),
        "admin.err.no_password_column": (
            "密码不能导入：请在用户页面逐一设置。",
            "Passwords are never imported: set each on the user's page.",
        ),
        "admin.err.password_short": ("至少 {min} 个字符。", "At least {min} characters."),
        "admin.err.password_common": ("太常见或太容易猜到。", "Too common or too easy to guess."),
        "admin.err.read_only": ("不能修改。", "Cannot be changed."),
        "admin.err.not_found": ("没有这个{what}：{value}", "No {what} {value}."),
        "admin.err.retired_line": ("已停用的条目须带编号（id）。", "A retired line needs its id."),
        "admin.err.file": ("文件无法读取：{reason}", "The file cannot be read: {reason}"),
        "admin.err.too_many": ("一个文件最多 {max} 行。", "At most {max} rows in one file."),
    }
)
