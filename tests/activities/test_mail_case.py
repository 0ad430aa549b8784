"""A case driven through its workflow tells the right people, over a real SMTP server."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import mail_helpers
from mail_helpers import PUBLIC_URL, deliver_all, rows
from sqlmodel import Session
from temporalio.client import WorkflowHandle

from activities.mail import compose_digests
from core import mail_payloads as m
from core import payloads as p
from models.case import Case
from models.db import get_engine
from workflows.case import CaseWorkflow

COORDINATOR = p.Actor(username="coordinator", role="coordinator")
SUPERVISOR = p.Actor(username="supervisor", role="supervisor")
INSPECTOR = p.Actor(username="inspector", role="inspector")
REPORTER = "citizen-mail@example.com"


smtp = mail_helpers.smtp  # the fixture


def liaison(code: str) -> p.Actor:
    return p.Actor(username=f"liaison-{code}", role="liaison", department=code)


async def _settled(handle: WorkflowHandle) -> p.CaseState:
    for _ in range(200):
        state = await handle.query(CaseWorkflow.state)
        with Session(get_engine()) as session:
            row = session.get(Case, state.number)
        if not state.unprojected and row is not None and row.version == state.version:
            return state
        await asyncio.sleep(0.02)
    raise AssertionError("projection did not catch up")


async def _skip_to(env, handle: WorkflowHandle, step: str) -> p.CaseState:  # noqa: ANN001
    state = await _settled(handle)
    assert state.clock is not None
    at = next(s.at for s in state.clock.steps if s.name == step)
    await env.sleep(max(at - await env.get_current_time(), timedelta(0)) + timedelta(minutes=1))
    return await _settled(handle)


async def test_the_right_people_get_the_right_mail(smtp, time_env, worker_queue) -> None:
    number = f"T-{uuid.uuid4().hex[:12]}"
    inp = p.CaseInput(
        number=number,
        category="manhole-cover",
        limit_amount=4,
        limit_unit="working_hours",
        description="井盖缺失，行人有坠落危险",
        grid="hongqi-01",
        street="hongqi",
        address="金湾区红旗镇藤山一路 12 号",
        channel="hotline",
        created_by=COORDINATOR,
        reporter_name="王先生",
        reporter_email=REPORTER,
    )
    handle = await time_env.client.start_workflow(
        CaseWorkflow.run, inp, id=f"case-{number}", task_queue=worker_queue
    )
    try:
        act = handle.execute_update
        await act(CaseWorkflow.register, p.RegisterInput(actor=COORDINATOR))
        await act(CaseWorkflow.dispatch, p.DispatchInput(actor=COORDINATOR, department="gd"))
        await act(
            CaseWorkflow.bounce,
            p.BounceInput(actor=liaison("gd"), reason="不是供电设施", suggested_department="sw"),
        )
        await act(CaseWorkflow.dispatch, p.DispatchInput(actor=COORDINATOR, department="sw"))
        await _skip_to(time_env, handle, "yellow")
        await act(CaseWorkflow.urge, p.UrgeInput(actor=SUPERVISOR, note="请立即签收处置"))
        await _skip_to(time_env, handle, "overdue")
        await _skip_to(time_env, handle, "level1")
        state = await _skip_to(time_env, handle, "level2")
        assert state.escalation_level == 2
        now = await time_env.get_current_time()
        compose_digests(m.DigestRequest(now=now))
        await act(CaseWorkflow.accept, p.AcceptInput(actor=liaison("sw")))
        await act(CaseWorkflow.report, p.ReportInput(actor=liaison("sw"), note="已更换井盖"))
        await act(CaseWorkflow.verify, p.VerifyInput(actor=INSPECTOR, passed=True))
        await act(
            CaseWorkflow.callback, p.CallbackInput(actor=COORDINATOR, satisfaction="satisfied")
        )
        await _settled(handle)
        report = await deliver_all(await time_env.get_current_time())
        assert report.error is None
    finally:
        await handle.terminate("test finished")

    inbox = smtp.inbox
    got = {(r.rcpt[0], r.subject.split("】")[0] + "】") for r in inbox.about(number)}
    assert got == {
        (REPORTER, "【已受理】"),
        (REPORTER, "【已办结】"),
        ("liaison-gd@liandong.example", "【待签收】"),
        ("coordinator@liandong.example", "【退单待重派】"),
        ("liaison-sw@liandong.example", "【待签收】"),
        ("liaison-sw@liandong.example", "【黄灯提醒】"),
        ("liaison-sw@liandong.example", "【督办】"),
        ("liaison-sw@liandong.example", "【超时红灯】"),
        ("head-sw@liandong.example", "【超时升级】"),
    }
    assert len(inbox.about(number)) == len(got)  # each exactly once
    assert len(inbox.to("liaison-sw@liandong.example", number)) == 4

    dispatched = inbox.to("liaison-sw@liandong.example", number)[0]
    text = dispatched.text()
    assert "请在签收时限前登录联动签收" in text and "—— English ——" in text
    assert "Please accept it in Liandong" in text
    assert f"{PUBLIC_URL}/cases/{number}" in text and "时限：" in text
    assert f'href="{PUBLIC_URL}/cases/{number}"' in dispatched.html()
    bounced = inbox.to("coordinator@liandong.example", number)[0].text()
    assert "退单理由：不是供电设施" in bounced and "建议责任单位：水务集团" in bounced
    closing = inbox.to(REPORTER, number)[-1]
    assert number in closing.subject and f"{PUBLIC_URL}/track?number={number}" in closing.text()
    assert "/cases/" not in closing.text()  # the reporter gets the public page only

    digests = [
        r
        for r in inbox.received
        if "supervisor@liandong.example" in r.rcpt and r.key.startswith("digest/")
    ]
    assert len(digests) == 1 and number in digests[0].text()
    assert "督办清单" in digests[0].subject
    assert {r.status for r in rows(number)} == {"sent"}
