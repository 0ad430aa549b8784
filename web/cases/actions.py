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
from core.config import load_settings
from core.refusals import NO_ROUTE
from models.case import Case
from models.case_public import CasePublic
from models.case_store import get_case
from models.db import get_engine
from models.routing import route
from web.cases.service import act, actor_of, check_department, read_case
from web.cases.uploads import photo_path
from web.kit.deps import CurrentUser, TemporalDep
from web.kit.errors import ApiError, error_responses, invalid, not_found
from workflows.case_actions import CASE_ACTIONS

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
    make_rule: bool = Field(
        default=False,
        description="write the ruling into the responsibility list: for the case's street, "
        "unless rule_scope says otherwise",
    )
    rule_scope: Literal["grid", "community", "street"] | None = Field(
        default=None,
        description="write the ruling for the case's grid, community or street (implies make_rule)",
    )


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


# action -> (body model, department fields to check, builder of the update input)
ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...], Callable[..., Any]]] = {
    "register": (NoteBody, (), lambda b, a, c: p.RegisterInput(actor=a, note=b.note)),
    "void": (ReasonBody, (), lambda b, a, c: p.VoidInput(actor=a, reason=b.reason)),
    "dispatch": (
        DispatchBody,
        ("department",),
        lambda b, a, c: p.DispatchInput(actor=a, department=b.department, note=b.note),
    ),
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
            make_rule=b.make_rule or b.rule_scope is not None,
            rule_scope=b.rule_scope,
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
        ReportBody,
        (),
        lambda b, a, c: p.InterimReportInput(actor=a, note=b.note, photos=b.photos),
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


def _routed(session: Session, case: Case) -> str:
    """Returns the department the responsibility list names for the case (dispatch's default)."""
    rule = route(session=session, category=case.category, grid=case.grid)
    if rule is None:
        raise ApiError(
            422,
            "department: the responsibility list names no department; name one",
            code=NO_ROUTE,
            field="department",
        )
    return rule.department


def check_photos(number: str, names: list[str]) -> None:
    """Refuses (422) a report naming a photo not uploaded to this case (POST .../photos)."""
    data_dir = load_settings().data_dir
    for name in names:
        if photo_path(data_dir, number, name) is None:
            raise invalid("photos", f"{name[:40]} is not a photo uploaded to case {number}")


def prepare(
    action: str, body: BaseModel, user: Any, *, number: str = "", case: Case | None = None
) -> tuple[Case, Any]:
    """Reads in one session what an action needs (the case unless given, 404; department codes,
    422) and returns the case with the action's update input."""
    _model, dept_fields, builder = ACTIONS[action]
    with Session(get_engine(), expire_on_commit=False) as session:
        case = case or get_case(session=session, number=number)
        if case is None:
            raise not_found(f"case {number}")
        for field in dept_fields:
            check_department(session, getattr(body, field, None), field)
        if isinstance(body, ReportBody):
            check_photos(case.number, body.photos)
        if isinstance(body, DispatchBody) and not body.department:
            body = body.model_copy(update={"department": _routed(session, case)})
    return case, builder(body, actor_of(user), case)


async def perform(
    client: Any,
    *,
    action: str,
    body: BaseModel,
    user: Any,
    number: str = "",
    case: Case | None = None,
) -> None:
    """Runs an action as the workflow update (shared with the pages); reads the case first unless
    the caller has it."""
    row, inp = await run_in_threadpool(prepare, action, body, user, number=number, case=case)
    await act(client, number=row.number, update=action, inp=inp, current_status=row.status)


def _endpoint(action: str, model: type[BaseModel]) -> Callable[..., Any]:
    async def endpoint(
        number: str,
        body: model,  # type: ignore[valid-type]
        user: CurrentUser,
        client: TemporalDep,
    ) -> CasePublic:
        await perform(client, action=action, number=number, body=body, user=user)
        return await run_in_threadpool(read_case, number)

    async def endpoint_optional_body(
        number: str,
        user: CurrentUser,
        client: TemporalDep,
        body: model = Body(default_factory=model),  # type: ignore[valid-type]
    ) -> CasePublic:
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
        response_model=CasePublic,
        responses=error_responses(403, 404, 409, 422, 503),
        # Who, from which states, which fields, which refusals: the action catalogue's words.
        summary=CASE_ACTIONS[_action].summary,
        description=CASE_ACTIONS[_action].describe(),
    )
