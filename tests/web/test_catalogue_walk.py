"""The action catalogues walked through the API and the pages: every case and operation action ×
role × status answers what the catalogue says (HTTP status and reason `code`), a case page shows a
button exactly when the catalogue allows it, and a refused action changes nothing."""

from __future__ import annotations

import re

import pytest
from catalogue_walk import (
    CASE_ITEMS,
    STAFF,
    case_states,
    expected,
    gather_limited,
    start_prepared,
    terminate,
)
from operation_helpers import ApiUser
from operation_walk import (
    OP_ITEMS,
    OP_STAFF,
    OUTSIDER,
    end_operations,
    op_body,
    op_expected,
    op_states,
    start_operation,
)
from pages_helpers import Browser, case_row, pages_app
from sqlmodel import Session

from core import operation_payloads as o
from core import payloads as p
from core.refusals import HTTP_STATUS, KINDS, WRONG_DEPARTMENT, WRONG_STATE
from models.case_store import timeline
from models.db import get_engine
from models.operation_store import get_operation
from models.operation_store import timeline as op_timeline
from web.cases.forms import UI_ORDER
from workflows.case_actions import CASE_ACTIONS, OVERRIDES

API_ITEMS = [item for item in CASE_ITEMS if item != "rate"]  # the reporter rates on /track


@pytest.fixture
async def app(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


def _lines(number: str) -> int:
    with Session(get_engine()) as session:
        return len(timeline(session=session, number=number))


def _api_answer(name: str, item: str, actor: p.Actor, state: p.CaseState) -> tuple[int, str]:
    """Returns the HTTP status and code the catalogue says the API answers (200, "" if allowed)."""
    if state.status == p.VOIDED:
        return 409, WRONG_STATE  # its workflow has ended: no action reaches a validator
    code = expected(item, actor, state)
    return (HTTP_STATUS[KINDS[code]], code) if code else (200, "")


def _offered(state: p.CaseState, actor: p.Actor) -> tuple[set[str], set[str]]:
    """Returns the buttons and override options the catalogue lets `actor` see on the case."""
    options = {o.name for o in OVERRIDES if expected(f"override:{o.name}", actor, state) is None}
    shown = set()
    for action in UI_ORDER:
        if action == "register-dispatch":
            allowed = expected("register", actor, state) is None
            allowed = allowed and actor.role in CASE_ACTIONS["dispatch"].roles
        elif action == "override":
            allowed = bool(options)
        else:
            allowed = expected(action, actor, state) is None
        if allowed:
            shown.add(action)
    return shown, options


def _on_page(html: str, number: str) -> tuple[set[str], set[str]]:
    shown = set(re.findall(rf'action="/cases/{number}/act/([a-z-]+)"', html))
    form = re.search(rf'id="f-override-{number}".*?</form>', html, re.S)
    select = re.search(r'<select name="action".*?</select>', form.group(0), re.S) if form else None
    options = set(re.findall(r'<option value="([a-z]+)"', select.group(0))) if select else set()
    return shown, options


async def test_every_case_action_answers_on_the_api_and_the_page_as_the_catalogue_says(
    app, time_env, worker_queue
):
    client = time_env.client
    states = case_states(await time_env.get_current_time())
    handles = await gather_limited(
        [lambda s=s: start_prepared(client, worker_queue, s) for s in states.values()]
    )
    started = list(handles)
    api = {name: await ApiUser(app).login(name) for name in STAFF}
    try:

        async def attempt(number: str, item: str, user: str) -> tuple[int, str]:
            update, _cls, body = CASE_ITEMS[item]
            resp = await api[user].http.post(f"/api/cases/{number}/{update}", json=body)
            return resp.status_code, "" if resp.status_code == 200 else resp.json()["code"]

        combos = [(n, i, u) for n in states for i in API_ITEMS for u in STAFF]
        wanted = {c: _api_answer(c[0], c[1], STAFF[c[2]], states[c[0]]) for c in combos}
        refused = [c for c in combos if wanted[c][0] != 200]
        got = await gather_limited(
            [lambda c=c: attempt(states[c[0]].number, c[1], c[2]) for c in refused]
        )
        wrong = [(c, wanted[c], g) for c, g in zip(refused, got, strict=True) if g != wanted[c]]
        assert not wrong, wrong[:10]
        for name, state in states.items():  # nothing changed: the row and its timeline
            assert (case_row(state.number).version, _lines(state.number)) == (1, 1), name

        # The page shows a button (and an override option) exactly when the catalogue allows.
        for user, actor in STAFF.items():
            browser = Browser(app)
            await browser.login(user)
            for name, state in states.items():
                page = await browser.get(f"/cases/{state.number}")
                shown = _on_page(page.text, state.number) if page.status_code == 200 else None
                assert page.status_code in (200, 403), (name, user, page.status_code)
                assert (shown or (set(), set())) == _offered(state, actor), (name, user)
            await browser.close()

        # Each allowed attempt, on a case of its own in that status: 200, and projected.
        allowed = [c for c in combos if wanted[c][0] == 200]

        async def accept(combo: tuple[str, str, str]) -> tuple[int, str]:
            name, item, user = combo
            fresh = case_states(await time_env.get_current_time())[name]
            started.append(await start_prepared(client, worker_queue, fresh))
            answer = await attempt(fresh.number, item, user)
            assert case_row(fresh.number).version == 2, combo
            return answer

        answers = await gather_limited([lambda c=c: accept(c) for c in allowed], limit=8)
        assert [(c, a) for c, a in zip(allowed, answers, strict=True) if a != (200, "")] == []
    finally:
        for user in api.values():
            await user.close()
        await terminate(started)


async def test_every_operation_action_answers_on_the_api_as_the_catalogue_says(
    app, time_env, worker_queue
):
    client = time_env.client
    states = op_states(await time_env.get_current_time())
    started = [await start_operation(client, worker_queue, s) for s in states.values()]
    api = {name: await ApiUser(app).login(name) for name in OP_STAFF}
    try:

        async def attempt(state: o.OperationState, item: str, user: str) -> tuple[int, str]:
            path = f"/api/operations/{state.operation_id}/{OP_ITEMS[item][2]}"
            resp = await api[user].http.post(path, json=op_body(item, state))
            return resp.status_code, "" if resp.status_code == 200 else resp.json()["code"]

        def answer(name: str, item: str, user: str) -> tuple[int, str]:
            if OP_STAFF[user].department == OUTSIDER:
                return 403, WRONG_DEPARTMENT  # it cannot see an operation it takes no part in
            code = op_expected(name, item, user, states[name])
            return (HTTP_STATUS[KINDS[code]], code) if code else (200, "")

        combos = [(n, i, u) for n in states for i in OP_ITEMS for u in OP_STAFF]
        wanted = {c: answer(*c) for c in combos}
        refused = [c for c in combos if wanted[c][0] != 200]
        got = await gather_limited([lambda c=c: attempt(states[c[0]], c[1], c[2]) for c in refused])
        wrong = [(c, wanted[c], g) for c, g in zip(refused, got, strict=True) if g != wanted[c]]
        assert not wrong, wrong[:10]
        for state in states.values():  # nothing changed: the row and its timeline
            with Session(get_engine()) as session:
                row = get_operation(session=session, operation_id=state.operation_id)
                lines = op_timeline(session=session, operation_id=state.operation_id)
            assert (row and row.version, len(lines)) == (1, 1), state.status

        # Each allowed attempt, on an operation of its own in that status: 200.
        for name, item, user in [c for c in combos if wanted[c][0] == 200]:
            fresh = op_states(await time_env.get_current_time())[name]
            started.append(await start_operation(client, worker_queue, fresh))
            assert await attempt(fresh, item, user) == (200, ""), (name, item, user)
    finally:
        for user in api.values():
            await user.close()
        await end_operations(client, started)
