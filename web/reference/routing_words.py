"""The words that explain a routing answer (which line of the 权责清单 named the department) and
name the scope an arbitration writes, zh-CN first; merged into web/kit/i18n.CATALOGUE."""

from __future__ import annotations

ROUTING_STRINGS: dict[str, tuple[str, str]] = {
    # -- an area of the list, by scope ---------------------------------------------------------
    "route.area.grid": ("网格 {name} · {code}", "grid {name} · {code}"),
    "route.area.community": ("社区 {name}", "community {name}"),
    "route.area.street": ("街道（镇） {name}", "street (town) {name}"),
    "route.area.city": ("全市（各街道默认）", "the whole city (every street's default)"),
    # -- 依据：权责清单 第N条（网格 X，来源：案件 Y 仲裁） -------------------------------
    "route.basis.lead": ("依据：", "Basis: "),
    "route.basis.rule": ("权责清单 第{id}条", "responsibility list line {id}"),
    "route.basis.open": ("（", " ("),
    "route.basis.source": ("，来源：", "; source: "),
    "route.basis.close": ("）", ")"),
    "route.source.admin": ("管理员录入", "entered by an admin"),
    "route.source.import": ("导入", "imported"),
    "route.source.arbitration": ("案件 {case} 仲裁", "the arbitration of case {case}"),
    # -- the arbitration form: the scope its checkbox writes -----------------------------------
    "route.write": (
        "写入权责清单（范围：{area}）",
        "Write it into the responsibility list (scope: {area})",
    ),
}
