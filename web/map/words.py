"""The map's words (地图): key -> (zh-CN, English), merged into web.kit.i18n's catalogue."""

from __future__ import annotations

MAP_STRINGS: dict[str, tuple[str, str]] = {
    "nav.map": ("案件地图", "Map"),
    "map.title": ("案件地图", "Case map"),
    "map.intro": (
        "单元网格与案件位置，案件按亮灯着色；点击案件查看详情。",
        "Unit grids and where the cases are, coloured by light; click a case to open it.",
    ),
    "map.intro_liaison": (
        "本部门的案件（含先行处置任务），按亮灯着色；点击案件查看详情。",
        "Your department's cases (make-safe tasks included), coloured by light; click one "
        "to open it.",
    ),
    "map.status.all": ("全部状态（含已结案）", "Every status (closed included)"),
    "map.legend": ("图例", "Legend"),
    "map.legend.closed": ("已结案、已作废", "Closed or voided"),
    "map.legend.approx": (
        "空心：未报坐标，标在所在网格内",
        "Hollow: no coordinates given, shown inside its grid",
    ),
    "map.legend.grid": ("网格（按街道/镇着色）", "Grid (coloured by street)"),
    "map.loading": ("正在加载地图……", "Loading the map…"),
    "map.count": ("地图上显示 {shown} 件案件。", "{shown} cases on the map."),
    "map.capped": (
        "符合条件的案件共 {total} 件，地图只显示最新的 {shown} 件；请缩小筛选范围。",
        "{total} cases match; the map shows the newest {shown}. Narrow the filters to see "
        "the rest.",
    ),
    "map.unplaced": (
        "另有 {n} 件案件既无坐标、所在网格也无边界，未能标在地图上。",
        "{n} more cases have neither coordinates nor a grid with a boundary, so they are "
        "not shown.",
    ),
    "map.no_grids": (
        "尚无网格边界：管理员导入网格的 GeoJSON 边界后，网格会显示在地图上。",
        "No grid has a boundary yet: once an administrator imports the grids' GeoJSON, "
        "they show here.",
    ),
    "map.failed": ("地图数据加载失败：{detail}", "The map data could not be loaded: {detail}"),
    "map.noscript": ("地图需要启用 JavaScript。", "The map needs JavaScript."),
    "map.popup.open": ("查看案件", "Open the case"),
    "map.popup.approx": ("未报坐标，标在所在网格内", "No coordinates given: shown inside its grid"),
    "map.invalid": ("筛选条件“{field}”无效：{value}", "The filter “{field}” is not valid: {value}"),
    "map.pick.legend": ("在地图上点选位置", "Pick the place on the map"),
    "map.pick.help": (
        "点击地图上的位置，将自动填入所在网格；也可直接在上方选择网格。",
        "Click the place on the map to fill in its grid, or choose the grid above.",
    ),
    "map.pick.found": (
        "所在位置：{street} · {community} · {grid}",
        "Here: {street} · {community} · {grid}",
    ),
    "map.pick.outside": (
        "该点不在任何网格内，请重新点选，或直接选择网格。",
        "That point lies in no grid: click again, or choose the grid above.",
    ),
    "map.pick.failed": (
        "暂时无法查询位置，请直接选择网格。",
        "The place could not be looked up: choose the grid.",
    ),
    "map.intake.need_place": (
        "请选择网格，或在地图上点出位置。",
        "Choose the grid, or click the place on the map.",
    ),
    "map.intake.outside": (
        "地图上点选的位置不在任何网格内，请重新点选，或直接选择网格。",
        "The place picked on the map lies in no grid: pick again, or choose the grid.",
    ),
    "field.lat": ("纬度", "Latitude"),
    "field.lon": ("经度", "Longitude"),
}
