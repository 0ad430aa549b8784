"""The routing answer says which line of the responsibility list it used (id, scope, area,
source), over the API and beside the dispatch form's suggestion; the arbitration form's choice
says the scope it writes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from factories import kept_rules, saved_case
from sqlmodel import Session, select

from core import payloads as p
from models.reference import ANY_STREET, Rule
from web.app import create_app


@pytest.fixture
def app(engine):
    with kept_rules(engine):
        yield create_app(temporal_client=object())


def _add(engine, **fields) -> int:
    with Session(engine) as session:
        rule = Rule(**fields)
        session.add(rule)
        session.commit()
        return rule.id or 0


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


async def _routing(browser, **params) -> dict:
    login = await browser.http.post(
        "/api/token", data={"username": "coordinator", "password": "demo"}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    resp = await browser.http.get("/api/routing", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_the_answer_names_the_line_its_scope_and_source(app, browser_of, engine):
    anonymous = await browser_of(app)
    city = await _routing(anonymous, category="manhole-cover", grid="nanshui-02")
    assert city["department"] == "sw"
    assert city["basis"]["scope"] == "city" and city["basis"]["area"] is None
    assert city["basis"]["source"] == "admin" and city["basis"]["rule_id"] > 0

    street = await _routing(anonymous, category="exposed-rubbish", grid="nanshui-02")
    assert street["department"] == "nanshui"
    assert (street["basis"]["scope"], street["basis"]["area"]) == ("street", "nanshui")
    assert street["basis"]["area_name"] == "南水镇"

    # An imported line for the street, then an arbitration's line for one grid: the grid's wins
    # there, the street's elsewhere in the street.
    imported = _add(
        engine, category="noise", street="nanshui", scope="street", department="cg", source="import"
    )
    ruled = _add(
        engine,
        category="noise",
        street="nanshui",
        scope="grid",
        area="nanshui-02",
        department="zj",
        source="ruling:2026-12-000777",
        case_number="2026-12-000777",
        case_line=9,
        created_at=datetime.now(UTC),
    )
    grid = await _routing(anonymous, category="noise", grid="nanshui-02")
    assert grid["department"] == "zj"
    assert grid["basis"] == {
        "rule_id": ruled,
        "scope": "grid",
        "area": "nanshui-02",
        "area_name": "南水社区第02网格",
        "source": "arbitration",
        "case": "2026-12-000777",
    }
    neighbour = await _routing(anonymous, category="noise", grid="nanshui-03")
    assert neighbour["department"] == "cg"
    assert neighbour["basis"]["rule_id"] == imported and neighbour["basis"]["source"] == "import"
    other_street = await _routing(anonymous, category="noise", grid="hongqi-01")
    assert other_street["department"] == "hb" and other_street["basis"]["scope"] == "city"


async def test_the_dispatch_form_shows_the_line_beside_the_suggestion(app, browser_of, engine):
    ruled = _add(
        engine,
        category="food-safety",
        street="sanzao",
        scope="grid",
        area="sanzao-05",
        department="cg",
        source="ruling:2026-12-000888",
        case_number="2026-12-000888",
        case_line=4,
    )
    admin_line = _add(
        engine, category="food-safety", street="sanzao", department="zj", source="admin"
    )
    in_grid = saved_case(
        engine, status=p.REGISTERED, category="food-safety", grid="sanzao-05", street="sanzao"
    )
    coordinator = await browser_of(app, "coordinator")
    form = await coordinator.get(f"/cases/{in_grid.number}/act/dispatch", htmx=True)
    assert form.status_code == 200
    shown = _text(form.text)
    assert "权责清单建议：城管执法局" in shown
    where = "网格 中心社区第05网格 · sanzao-05"
    assert f"依据：权责清单 第{ruled}条（{where}，来源：案件 2026-12-000888 仲裁）" in shown
    assert f'href="/rules/{ruled}"' in form.text
    assert re.search(r'<option value="cg"[^>]*selected', form.text)

    elsewhere = saved_case(
        engine, status=p.REGISTERED, category="food-safety", grid="sanzao-01", street="sanzao"
    )
    english = await coordinator.get(f"/cases/{elsewhere.number}/act/dispatch?lang=en", htmx=True)
    source = "source: entered by an admin"
    assert (
        f"Basis: responsibility list line {admin_line} (street (town) 三灶镇; {source})"
        in _text(english.text)
    )
    # The case page's own dispatch form explains it too.
    page = await coordinator.get(f"/cases/{elsewhere.number}?lang=zh")
    assert f"依据：权责清单 第{admin_line}条（街道（镇） 三灶镇，来源：管理员录入）" in _text(
        page.text
    )


async def test_the_arbitration_choice_says_the_scope_it_writes(app, browser_of, engine):
    disputed = saved_case(
        engine, status=p.DISPUTED, grid="hongqi-01", street="hongqi", department="sz", bounces=2
    )
    supervisor = await browser_of(app, "supervisor")
    form = await supervisor.get(f"/cases/{disputed.number}/act/arbitrate", htmx=True)
    shown = _text(form.text)
    for words in (
        "写入权责清单（范围：网格 红旗社区第01网格 · hongqi-01）",
        "写入权责清单（范围：社区 红旗社区）",
        "写入权责清单（范围：街道（镇） 红旗镇）",
        "不写入（仅本案）",
    ):
        assert words in shown, words
    # The list's answer stands beside the owner chosen: here the manhole cover's city default.
    with Session(engine) as session:
        city = session.exec(
            select(Rule).where(Rule.category == "manhole-cover", Rule.street == ANY_STREET)
        ).one()
    assert f"依据：权责清单 第{city.id}条（全市（各街道默认），来源：管理员录入）" in shown
