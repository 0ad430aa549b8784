"""A case over HTTP only, against the real stack: the loop, the errors, lists and reference data.

Everything here is what an integrator sees through the API of ../shared/API.md.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

pytestmark = pytest.mark.e2e

NUMBER_RE = re.compile(r"^\d{4}-\d{2}-\d{6}$")
UNKNOWN_NUMBER = "2099-01-999999"

# API.md, "Actions": every POST /api/cases/{number}/<action>.
ACTIONS = (
    "register",
    "void",
    "dispatch",
    "accept",
    "bounce",
    "arbitrate",
    "request-extension",
    "decide-extension",
    "report",
    "verify",
    "callback",
    "urge",
    "park",
    "unpark",
    "override",
)

# API.md, "Demo data".
DEPARTMENTS = {
    "cg": "城管执法局",
    "sz": "市政园林局",
    "sw": "水务集团",
    "gd": "供电局",
    "tx": "通信管理办",
    "rq": "燃气公司",
    "ga": "公安分局",
    "hb": "生态环境分局",
    "sj": "市场监管局",
    "zj": "住建局",
}
STREETS = {"hongqi": "红旗镇", "sanzao": "三灶镇", "pingsha": "平沙镇", "nanshui": "南水镇"}
STREET = None  # routed to the grid's own street
CATEGORIES = {
    "manhole-cover": ("井盖缺失破损", "component", 4, "working_hours", "sw"),
    "streetlight": ("路灯不亮", "component", 8, "working_hours", "sz"),
    "exposed-rubbish": ("暴露垃圾", "event", 4, "working_hours", STREET),
    "street-vending": ("占道经营", "event", 4, "working_hours", "cg"),
    "open-air-bbq": ("露天烧烤", "event", 4, "working_hours", "cg"),
    "illegal-building": ("违法建设", "event", 20, "working_days", "cg"),
    "noise": ("噪声扰民", "event", 3, "working_days", "hb"),
    "food-safety": ("食品安全", "event", 3, "working_days", "sj"),
    "illegal-parking": ("违章停车", "event", 2, "working_hours", "ga"),
}


def actions_of(case: dict) -> list[str]:
    """Returns the timeline's action names, oldest first."""
    return [entry["action"] for entry in case["timeline"]]


def assert_timeline_shape(case: dict) -> None:
    """Every line has at/actor/action/detail; every time is in Shanghai (+08:00)."""
    assert case["timeline"], case
    for entry in case["timeline"]:
        assert {"at", "actor", "action", "detail"} <= entry.keys(), entry
        assert entry["at"].endswith("+08:00"), entry
        assert entry["actor"] and entry["action"], entry
        assert isinstance(entry["detail"], str), entry
    stamps = [entry["at"] for entry in case["timeline"]]
    assert stamps == sorted(stamps), stamps
    for name in ("created_at", "deadline", "accept_deadline", "closed_at"):
        if case[name] is not None:
            assert case[name].endswith("+08:00"), (name, case[name])


def unchanged(before: dict, after: dict) -> None:
    """A refused action changes nothing (API.md, Errors)."""
    assert after["status"] == before["status"]
    assert after["version"] == before["version"]
    assert len(after["timeline"]) == len(before["timeline"])


@pytest.fixture(scope="module")
def coordinator(api):
    return api("coordinator")


@pytest.fixture(scope="module")
def sw(api):
    return api("liaison-sw")


@pytest.fixture(scope="module")
def cg(api):
    return api("liaison-cg")


def dispatched_to_sw(coordinator, **fields) -> dict:
    """Files, registers and dispatches a manhole-cover case (routed to sw)."""
    number = coordinator.file_case(**fields)["number"]
    coordinator.act(number, "register")
    case = coordinator.act(number, "dispatch")
    assert case["department"] == "sw"
    return case


# -- the closed loop ---------------------------------------------------------------------------


def test_case_goes_from_filing_to_closed_with_a_bounce(coordinator, sw, cg):
    case = coordinator.file_case(
        category="manhole-cover",
        grid="hongqi-01",
        description="井盖缺失",
        address="红旗镇金湖路12号",
        reporter={"name": "李先生", "phone": "13800000000"},
    )
    number = case["number"]
    assert NUMBER_RE.match(number), number
    assert case["status"] == "new"
    assert case["department"] is None and case["light"] is None
    assert actions_of(case) == ["created"]

    case = coordinator.act(number, "register", {"note": "属实，立案"})
    assert case["status"] == "registered"

    # The wrong department first: a manhole cover is not 城管's.
    case = coordinator.act(number, "dispatch", {"department": "cg"})
    assert case["status"] == "dispatched" and case["department"] == "cg"
    assert case["accept_deadline"] is not None and case["light"] == "green"

    case = cg.act(number, "bounce", {"reason": "井盖属水务集团管养", "suggested_department": "sw"})
    assert case["status"] == "bounced"
    assert case["bounces"] == 1
    assert case["department"] is None
    assert case["light"] is None

    # Dispatch without a department: the responsibility list answers sw.
    case = coordinator.act(number, "dispatch")
    assert case["status"] == "dispatched" and case["department"] == "sw"

    case = sw.act(number, "accept", {"note": "马上派人"})
    assert case["status"] == "in_progress"
    assert case["deadline"] is not None
    assert case["light"] == "green"

    case = sw.act(number, "report", {"note": "已更换井盖"})
    assert case["status"] == "reported"

    case = coordinator.act(number, "verify", {"passed": True, "note": "现场核查通过"})
    assert case["status"] == "verified"

    case = coordinator.act(number, "callback", {"satisfaction": "satisfied"})
    assert case["status"] == "closed"
    assert case["satisfaction"] == "satisfied"
    assert case["closed_at"] is not None
    assert case["light"] is None

    case = coordinator.case(number)
    assert actions_of(case) == [
        "created",
        "registered",
        "dispatched",
        "bounced",
        "dispatched",
        "accepted",
        "reported",
        "verified",
        "callback",
        "closed",
    ]
    assert_timeline_shape(case)
    by_action = {e["action"]: e for e in case["timeline"]}
    assert by_action["bounced"]["actor"] == "liaison-cg"
    assert by_action["bounced"]["detail"] == "井盖属水务集团管养"
    assert by_action["accepted"]["actor"] == "liaison-sw"
    assert by_action["closed"]["actor"] == "coordinator"


# -- errors ------------------------------------------------------------------------------------


def test_no_token_or_a_bad_token_is_401(anonymous, coordinator):
    number = coordinator.file_case()["number"]
    bad = {"Authorization": "Bearer not-a-token"}
    for headers in ({}, bad):
        for method, path in (
            ("GET", "/api/cases"),
            ("GET", f"/api/cases/{number}"),
            ("GET", "/api/departments"),
            ("POST", f"/api/cases/{number}/register"),
        ):
            response = anonymous.request(
                method, path, headers=headers, json={} if method == "POST" else None
            )
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.json()["detail"]
    wrong = anonymous.post("/api/token", data={"username": "coordinator", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"]
    assert coordinator.case(number)["status"] == "new"


def test_liaison_of_another_department_gets_403(coordinator, sw, cg):
    number = dispatched_to_sw(coordinator)["number"]
    before = coordinator.case(number)

    assert cg.case(number, expect=403)["detail"]
    for action, body in (
        ("accept", {}),
        ("bounce", {"reason": "不归我们"}),
        ("report", {"note": "done"}),
    ):
        assert cg.act(number, action, body, expect=403)["detail"]
    unchanged(before, coordinator.case(number))

    listed = cg.cases(page_size=200)
    assert number not in {c["number"] for c in listed["items"]}
    assert all(c["department"] == "cg" for c in listed["items"])
    assert listed["total"] == coordinator.cases(department="cg")["total"]
    assert cg.cases(department="sw")["total"] == 0
    assert number in {c["number"] for c in sw.cases(page_size=200)["items"]}


def test_unknown_case_is_404(coordinator):
    assert coordinator.case(UNKNOWN_NUMBER, expect=404)["detail"]
    assert coordinator.act(UNKNOWN_NUMBER, "register", expect=404)["detail"]


def test_action_in_the_wrong_state_is_409_and_changes_nothing(coordinator, sw):
    number = dispatched_to_sw(coordinator)["number"]
    before = coordinator.case(number)

    for action, body in (
        ("register", {}),
        ("dispatch", {}),
        ("void", {"reason": "重复"}),
        ("verify", {"passed": True}),
        ("callback", {"satisfaction": "satisfied"}),
    ):
        refusal = coordinator.act(number, action, body, expect=409)
        assert refusal["status"] == "dispatched", (action, refusal)
        assert refusal["detail"]
    unchanged(before, coordinator.case(number))

    sw.act(number, "accept")
    assert sw.act(number, "accept", expect=409)["status"] == "in_progress"


def test_a_voided_case_takes_no_more_actions(coordinator):
    number = coordinator.file_case()["number"]
    assert coordinator.act(number, "void", {"reason": "重复上报"})["status"] == "voided"
    before = coordinator.case(number)
    refusal = coordinator.act(number, "register", expect=409)
    assert refusal["status"] == "voided" and refusal["detail"]
    unchanged(before, coordinator.case(number))


def test_missing_or_blank_reason_is_422_naming_the_field(coordinator, sw):
    number = dispatched_to_sw(coordinator)["number"]
    before = coordinator.case(number)

    for body in ({}, {"reason": "  "}, {"reason": ""}):
        refusal = sw.act(number, "bounce", body, expect=422)
        assert refusal["field"] == "reason", (body, refusal)
        assert "reason" in refusal["detail"]
    unchanged(before, coordinator.case(number))

    fresh = coordinator.file_case()["number"]
    assert coordinator.act(fresh, "void", {"reason": " "}, expect=422)["field"] == "reason"
    assert coordinator.case(fresh)["status"] == "new"


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "flying-saucer"), ("grid", "atlantis-01"), ("channel", "carrier-pigeon")],
)
def test_filing_with_an_unknown_code_is_422_naming_the_field(coordinator, field, value):
    body = {
        "category": "noise",
        "description": "夜间施工",
        "grid": "sanzao-01",
        "address": "三灶镇海澄路3号",
        "channel": "hotline",
        field: value,
    }
    refusal = coordinator.post("/api/cases", body, expect=422)
    assert refusal["field"] == field, refusal
    assert refusal["detail"]


def test_liaison_may_not_file(sw):
    assert sw.file_case(expect=403)["detail"]


# -- lists -------------------------------------------------------------------------------------


def test_list_filters_and_paging(coordinator, sw):
    token = f"tok{uuid.uuid4().hex[:10]}"
    desc = f"筛选测试 {token}"
    noise = coordinator.file_case(category="noise", grid="sanzao-01", description=desc)
    light = coordinator.file_case(category="streetlight", grid="pingsha-02", description=desc)
    coordinator.act(light["number"], "register")
    waiting = dispatched_to_sw(coordinator, grid="nanshui-03", description=desc)
    handling = dispatched_to_sw(
        coordinator, grid="hongqi-02", description=desc, address=f"红旗镇{token}号"
    )
    sw.act(handling["number"], "accept")
    newest_first = [handling["number"], waiting["number"], light["number"], noise["number"]]

    def numbers(**params) -> list[str]:
        page = coordinator.cases(q=token, page_size=200, **params)
        got = [c["number"] for c in page["items"]]
        assert page["total"] == len(got), page
        return got

    assert numbers() == newest_first
    assert numbers(status="new") == [noise["number"]]
    assert numbers(status="registered") == [light["number"]]
    assert numbers(status="dispatched") == [waiting["number"]]
    assert numbers(status="in_progress") == [handling["number"]]
    assert numbers(department="sw") == [handling["number"], waiting["number"]]
    assert numbers(light="green") == [handling["number"], waiting["number"]]
    assert numbers(category="noise") == [noise["number"]]
    assert numbers(category="manhole-cover", grid="hongqi-02") == [handling["number"]]
    assert numbers(grid="pingsha-02") == [light["number"]]
    assert numbers(status="closed") == []

    # q searches number, description and address.
    assert [c["number"] for c in coordinator.cases(q=noise["number"])["items"]] == [noise["number"]]
    assert coordinator.cases(q=f"红旗镇{token}")["total"] == 1

    # Filters without q still hold on every item.
    for name, value in (
        ("status", "in_progress"),
        ("department", "sw"),
        ("light", "green"),
        ("category", "noise"),
        ("grid", "sanzao-01"),
    ):
        page = coordinator.cases(**{name: value}, page_size=200)
        assert page["total"] >= 1
        assert all(c[name] == value for c in page["items"]), (name, page)

    first = coordinator.cases(q=token, page_size=1)
    assert first["total"] == 4 and len(first["items"]) == 1
    assert first["items"][0]["number"] == newest_first[0]
    second = coordinator.cases(q=token, page_size=1, page=2)
    assert second["total"] == 4 and [c["number"] for c in second["items"]] == newest_first[1:2]
    beyond = coordinator.cases(q=token, page_size=1, page=5)
    assert beyond["total"] == 4 and beyond["items"] == []

    everything = coordinator.cases(page_size=200)
    stamps = [c["created_at"] for c in everything["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert coordinator.get("/api/cases", page_size=0, expect=422)["field"] == "page_size"


# -- the contract ------------------------------------------------------------------------------


def test_openapi_lists_every_path_of_the_contract(stack):
    with httpx.Client(base_url=stack.base_url, trust_env=False, timeout=30) as http:
        document = http.get("/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for action in ACTIONS:
        assert "post" in paths.get(f"/api/cases/{{number}}/{action}", {}), action
    assert "post" in paths["/api/token"]
    assert {"get", "post"} <= paths["/api/cases"].keys()
    assert "get" in paths["/api/cases/{number}"]
    for reference in ("departments", "grids", "categories", "routing"):
        assert "get" in paths[f"/api/{reference}"], reference


def test_departments_and_streets_are_the_demo_district(coordinator):
    got = {d["code"]: (d["name"], d["kind"]) for d in coordinator.get("/api/departments")}
    expected = {code: (name, "department") for code, name in DEPARTMENTS.items()}
    expected |= {code: (name, "street") for code, name in STREETS.items()}
    assert got == expected


def test_grids_belong_to_the_streets(coordinator):
    grids = coordinator.get("/api/grids")
    communities: dict[str, set[str]] = {street: set() for street in STREETS}
    for grid in grids:
        assert {"code", "name", "street", "community"} <= grid.keys(), grid
        assert grid["street"] in STREETS, grid
        assert re.fullmatch(rf"{grid['street']}-\d{{2}}", grid["code"]), grid
        communities[grid["street"]].add(grid["community"])
    assert all(len(c) >= 3 for c in communities.values()), communities


def test_categories_have_the_demo_time_limits(coordinator):
    got = {
        c["code"]: (c["name"], c["kind"], c["time_limit"]["amount"], c["time_limit"]["unit"])
        for c in coordinator.get("/api/categories")
    }
    assert got == {code: spec[:4] for code, spec in CATEGORIES.items()}
    assert all(type(amount) is int for _, _, amount, _ in got.values()), got  # 4, not 4.0


def test_routing_follows_the_responsibility_list(coordinator):
    grids = coordinator.get("/api/grids")
    for street in STREETS:
        grid = next(g["code"] for g in grids if g["street"] == street)
        for category, (*_, department) in CATEGORIES.items():
            answer = coordinator.get("/api/routing", category=category, grid=grid)
            assert answer["department"] == (department or street), (category, grid, answer)
    assert (
        coordinator.get("/api/routing", category="nope", grid="hongqi-01", expect=422)["field"]
        == "category"
    )
    assert (
        coordinator.get("/api/routing", category="noise", grid="nope", expect=422)["field"]
        == "grid"
    )
