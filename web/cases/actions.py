"""Case actions (API.md): each POST /api/cases/{number}/<action> is one workflow update."""

# No `from __future__ import annotations`: the routes are built in a loop and FastAPI must see
# each body model as a real class in the endpoint's signature.
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from core import payloads as p
from models.case import Case
from models.db import get_engine
from models.routing import route
from web.cases.api import CaseOut
from web.cases.service import act, actor_of, check_department, read_case_json
from web.kit.deps import CurrentUser, TemporalDep
from web.kit.errors import invalid, not_found

router = APIRouter(prefix="/api/cases", tags=["case actions"])

Unit = Literal["working_hours", "working_days", "hours"]
Text = Field(max_length=2000)


class NoteBody(BaseModel):
    note: str | None = Field(default=None, max_length=2000)


class ReasonBody(BaseModel):
    reason: str = Text


class DispatchBody(NoteBody):
    department: str | None = None


class BounceBody(ReasonBody):
    suggested_department: str | None = None


class ArbitrateBody(NoteBody):
    department: str
    interim_department: str | None = None
    make_rule: bool = False


class ExtensionRequestBody(ReasonBody):
    amount: float = Field(gt=0, le=1000)
    unit: Unit


class ExtensionDecisionBody(NoteBody):
    approve: bool


class ReportBody(BaseModel):
    note: str = Text
    photos: list[str] = Field(default_factory=list, max_length=20)


class VerifyBody(NoteBody):
    passed: bool


class CallbackBody(NoteBody):
    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied", "unreachable"]
    reopen: bool = False


class UrgeBody(BaseModel):
    note: str = Text


class OverrideBody(ReasonBody):
    action: Literal["reassign", "extend", "close", "reopen"]
    department: str | None = None
    amount: float | None = Field(default=None, gt=0, le=1000)
    unit: Unit | None = None


def _load(number: str) -> Case:
    with Session(get_engine(), expire_on_commit=False) as session:
        case = session.get(Case, number)
    if case is None:
        raise not_found(f"case {number}")
    return case


def _dispatch_input(body: DispatchBody, actor: p.Actor, case: Case) -> p.DispatchInput:
    department = body.department
    if not department:
        with Session(get_engine()) as session:
            rule = route(session=session, category=case.category, grid=case.grid)
        if rule is None:
            raise invalid("department", "the responsibility list names no department; name one")
        department = rule.department
    return p.DispatchInput(actor=actor, department=department, note=body.note)


# action -> (body model, department fields to check, builder of the update input)
ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...], Callable[..., Any]]] = {
    "register": (NoteBody, (), lambda b, a, c: p.RegisterInput(actor=a, note=b.note)),
    "void": (ReasonBody, (), lambda b, a, c: p.VoidInput(actor=a, reason=b.reason)),
    "dispatch": (DispatchBody, ("department",), _dispatch_input),
    "accept": (NoteBody, (), lambda b, a, c: p.AcceptInput(actor=a, note=b.note)),
    "bounce": (
        BounceBody,
        ("suggested_department",),
        lambda b, a, c: p.BounceInput(
            actor=a, reason=b.reason, suggested_department=b.suggested_department
        ),
    ),
    "arbitrate": (
        ArbitrateBody,
        ("department", "interim_department"),
        lambda b, a, c: p.ArbitrateInput(
            actor=a,
            department=b.department,
            interim_department=b.interim_department,
            make_rule=b.make_rule,
            note=b.note,
        ),
    ),
    "request-extension": (
        ExtensionRequestBody,
        (),
        lambda b, a, c: p.ExtensionRequestInput(
            actor=a, amount=b.amount, unit=b.unit, reason=b.reason
        ),
    ),
    "decide-extension": (
        ExtensionDecisionBody,
        (),
        lambda b, a, c: p.ExtensionDecisionInput(actor=a, approve=b.approve, note=b.note),
    ),
    "report": (
        ReportBody,
        (),
        lambda b, a, c: p.ReportInput(actor=a, note=b.note, photos=b.photos),
    ),
    "verify": (
        VerifyBody,
        (),
        lambda b, a, c: p.VerifyInput(actor=a, passed=b.passed, note=b.note),
    ),
    "callback": (
        CallbackBody,
        (),
        lambda b, a, c: p.CallbackInput(
            actor=a, satisfaction=b.satisfaction, note=b.note, reopen=b.reopen
        ),
    ),
    "urge": (UrgeBody, (), lambda b, a, c: p.UrgeInput(actor=a, note=b.note)),
    "interim-report": (
        UrgeBody,
        (),
        lambda b, a, c: p.InterimReportInput(actor=a, note=b.note),
    ),
    "park": (ReasonBody, (), lambda b, a, c: p.ParkInput(actor=a, reason=b.reason)),
    "unpark": (ReasonBody, (), lambda b, a, c: p.ParkInput(actor=a, reason=b.reason)),
    "override": (
        OverrideBody,
        ("department",),
        lambda b, a, c: p.OverrideInput(
            actor=a,
            action=b.action,
            reason=b.reason,
            department=b.department,
            amount=b.amount,
            unit=b.unit,
        ),
    ),
}


def build_input(action: str, body: BaseModel, user: Any, case: Case) -> Any:
    """Checks department codes and returns the update input of an action."""
    _model, dept_fields, builder = ACTIONS[action]
    with Session(get_engine()) as session:
        for field in dept_fields:
            check_department(session, getattr(body, field, None), field)
    return builder(body, actor_of(user), case)


async def perform(client: Any, *, action: str, number: str, body: BaseModel, user: Any) -> None:
    """Loads the case, builds the input and runs the update (shared with the pages)."""
    case = await run_in_threadpool(_load, number)
    inp = await run_in_threadpool(build_input, action, body, user, case)
    await act(client, number=number, update=action, inp=inp, current_status=case.status)


def _endpoint(action: str, model: type[BaseModel]) -> Callable[..., Any]:
    async def endpoint(
        number: str,
        body: model,  # type: ignore[valid-type]
        user: CurrentUser,
        client: TemporalDep,
    ) -> dict:
        await perform(client, action=action, number=number, body=body, user=user)
        return await run_in_threadpool(read_case_json, number)

    async def endpoint_optional_body(
        number: str,
        user: CurrentUser,
        client: TemporalDep,
        body: model = Body(default_factory=model),  # type: ignore[valid-type]
    ) -> dict:
        return await endpoint(number, body, user, client)

    # A body of optional fields only (`{note?}`) may be left out: no body is the empty one.
    optional = not any(f.is_required() for f in model.model_fields.values())
    chosen = endpoint_optional_body if optional else endpoint
    chosen.__name__ = f"case_{action.replace('-', '_')}"
    return chosen


for _action, (_model, _fields, _builder) in ACTIONS.items():
    router.add_api_route(
        f"/{{number}}/{_action}",
        _endpoint(_action, _model),
        methods=["POST"],
        response_model=CaseOut,
        summary=f"{_action} a case",
        description=f"Runs the `{_action}` action (API.md); returns the case.",
    )
