"""Open311 API keys, for the admin: create (the key is shown once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from models.db import session_scope
from models.open311 import create_key, list_keys, revoke_key
from web.kit import pages
from web.kit.csrf import verify_csrf
from web.kit.deps import CurrentUser, SessionDep, require_role
from web.kit.errors import error_responses, invalid, not_found

router = APIRouter(tags=["admin: open311"])
CSRF = [Depends(verify_csrf)]


class KeyBody(BaseModel):
    name: str = Field(min_length=1, max_length=64)


def _create(name: str, by: str) -> dict:
    name = name.strip()
    if not name:
        raise invalid("name", "must not be blank")
    with session_scope() as session:
        row, key = create_key(session=session, name=name, created_by=by)
        return {**row.public(), "key": key}


def _revoke(key_id: int) -> dict:
    with session_scope() as session:
        row = revoke_key(session=session, key_id=key_id)
        if row is None:
            raise not_found(f"key {key_id}")
        return row.public()


@router.get("/api/admin/open311/keys", responses=error_responses(403))
def keys(session: SessionDep, user: CurrentUser) -> list[dict]:
    """Lists the API keys (never the keys themselves), newest first."""
    require_role(user, "admin")
    return [k.public() for k in list_keys(session=session)]


@router.post("/api/admin/open311/keys", status_code=201, responses=error_responses(403, 422))
def new_key(body: KeyBody, user: CurrentUser) -> dict:
    """Creates a key and its service account; the answer holds the key, shown this once."""
    require_role(user, "admin")
    return _create(body.name, user.username)


@router.delete("/api/admin/open311/keys/{key_id}", responses=error_responses(403, 404, 422))
def delete_key(key_id: int, user: CurrentUser) -> dict:
    """Revokes a key: requests filed with it are refused with 403 from now on."""
    require_role(user, "admin")
    return _revoke(key_id)


def _page(request: Request, session: SessionDep, created: dict | None) -> HTMLResponse:
    return pages.render(
        request,
        "admin/open311.html",
        {"active": "admin-tables", "keys": list_keys(session=session), "created": created},
    )


@router.get("/admin/open311", response_class=HTMLResponse, include_in_schema=False)
def keys_page(request: Request, session: SessionDep, user: pages.PageUser) -> HTMLResponse:
    """The keys page: the list, a form to create one, revoke buttons."""
    pages.require_role(user, "admin")
    return _page(request, session, None)


@router.post(
    "/admin/open311", response_class=HTMLResponse, include_in_schema=False, dependencies=CSRF
)
async def keys_page_create(
    request: Request, session: SessionDep, user: pages.PageUser
) -> HTMLResponse:
    """Creates a key from the page and shows it once."""
    pages.require_role(user, "admin")
    form = await request.form()
    name = form.get("name")
    created = await run_in_threadpool(_create, name if isinstance(name, str) else "", user.username)
    return await run_in_threadpool(_page, request, session, created)


@router.post("/admin/open311/{key_id}/revoke", include_in_schema=False, dependencies=CSRF)
def keys_page_revoke(request: Request, key_id: int, user: pages.PageUser) -> Response:
    """The revoke button of the keys page."""
    pages.require_role(user, "admin")
    _revoke(key_id)
    return pages.redirect(request, "/admin/open311")
