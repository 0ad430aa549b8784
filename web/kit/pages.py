"""What every page route shares: the Jinja environment, the signed-in user, HTML errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlmodel import Session

from models.user import User
from web.kit.csrf import CsrfRefused, csrf_token
from web.kit.i18n import COOKIE, LANGS, label, lang_of, translate
from web.kit.names import Reference, reference
from web.kit.refusals import role_names
from web.kit.timefmt import iso, local

WEB = Path(__file__).resolve().parent.parent
# Each web package keeps its templates in its own `templates/` folder, under a folder of its name
# (`cases/templates/cases/detail.html` is "cases/detail.html"); the kit holds the shared frame.
TEMPLATE_DIRS = sorted(WEB.glob("*/templates"), key=lambda d: d.parent.name != "kit")
templates = Jinja2Templates(directory=TEMPLATE_DIRS)

# The desk each role lands on after signing in.
DESKS = {
    "coordinator": "/coordinator",
    "supervisor": "/supervisor",
    "liaison": "/liaison",
    "inspector": "/cases?status=reported",
    "admin": "/cases",
}


class LoginRequired(Exception):
    """The page needs a signed-in user."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class PageError(Exception):
    """A page refused with an HTML error: 403, 404 ... `message` is an i18n key."""

    def __init__(self, status_code: int, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.fields = fields


@dataclass(frozen=True)
class NavLink:
    """A link other modules add to the main navigation for some roles."""

    key: str
    href: str
    label: str  # an i18n key, or plain text
    roles: tuple[str, ...]


NAV_LINKS: list[NavLink] = []


def add_nav_link(key: str, href: str, label: str, roles: tuple[str, ...]) -> None:
    """Adds a role-aware link to the navigation of every page (e.g. joint operations)."""
    if all(link.key != key for link in NAV_LINKS):
        NAV_LINKS.append(NavLink(key, href, label, roles))


# -- template globals -------------------------------------------------------------------------


def _request(ctx: Any) -> Request | None:
    return ctx.get("request")


@pass_context
def _t(ctx: Any, key: str, **fields: Any) -> str:
    return translate(lang_of(_request(ctx)), key, **fields)


@pass_context
def _name(ctx: Any, prefix: str, code: str | None) -> str:
    return label(lang_of(_request(ctx)), prefix, code)


@pass_context
def _lang(ctx: Any) -> str:
    return lang_of(_request(ctx))


@pass_context
def _csrf(ctx: Any) -> str:
    request = _request(ctx)
    return csrf_token(request) if request is not None else ""


@pass_context
def _viewer(ctx: Any) -> User | None:
    request = _request(ctx)
    return viewer(request) if request is not None else None


@pass_context
def _nav_links(ctx: Any) -> list[NavLink]:
    request = _request(ctx)
    user = viewer(request) if request is not None else None
    return [link for link in NAV_LINKS if user is not None and user.role in link.roles]


@pass_context
def _ref(ctx: Any) -> Reference:
    request = _request(ctx)
    return reference(request) if request is not None else Reference.load()


def _when(value: datetime | str | None) -> str:
    if isinstance(value, str):
        try:
            return local(datetime.fromisoformat(value))
        except ValueError:
            return value
    return local(value)


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@pass_context
def _age(ctx: Any, since: datetime | None) -> str:
    if since is None:
        return ""
    minutes = max(0, int((datetime.now(UTC) - since).total_seconds() // 60))
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    en = lang_of(_request(ctx)) == "en"
    if days:
        return f"{days}d {hours}h" if en else f"{days}天{hours}小时"
    if hours:
        return f"{hours}h {mins}m" if en else f"{hours}小时{mins}分"
    if not mins:  # never "超时 0分钟"
        return "under a minute" if en else "不到1分钟"
    return f"{mins}m" if en else f"{mins}分钟"


def _qs(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    return "&".join(f"{k}={quote(str(v))}" for k, v in merged.items() if v not in (None, ""))


templates.env.globals.update(
    t=_t,
    name=_name,
    lang=_lang,
    csrf_token=_csrf,
    viewer=_viewer,
    ref=_ref,
    nav_links=_nav_links,
    desks=DESKS,
    langs=LANGS,
    age=_age,
)
templates.env.filters.update(when=_when, iso=iso, qs=_qs, num=_num)


# -- reference data and the user -------------------------------------------------------------


def viewer(request: Request) -> User | None:
    """Returns the user of the browser session (cached on the request), or None."""
    if hasattr(request.state, "viewer"):
        return request.state.viewer
    user = None
    sid = request.session.get("sid") if "session" in request.scope else None
    if isinstance(sid, str) and sid:
        from models.browser_session import session_user
        from models.db import get_engine

        with Session(get_engine(), expire_on_commit=False) as session:
            user = session_user(session=session, sid=sid)
    request.state.viewer = user
    return user


def page_user(request: Request) -> User:
    """Returns the signed-in user of a page; sends the browser to /login otherwise."""
    user = viewer(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else request.url.path)
    return user


PageUser = Annotated[User, Depends(page_user)]


def require_role(user: User, *roles: str) -> None:
    """Refuses a page to other roles with 403."""
    if user.role not in roles:
        raise PageError(403, "error.role", roles=roles)


# -- responses ---------------------------------------------------------------------------------


def is_htmx(request: Request) -> bool:
    """Tells whether htmx made the request (it wants a fragment)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Renders a template; remembers a `?lang=` choice in the cookie."""
    response = templates.TemplateResponse(
        request,
        name,
        context or {},
        status_code=status_code,
        headers={"Vary": "HX-Request", **(headers or {})},
    )
    asked = request.query_params.get("lang")
    if asked in LANGS and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="lax")
    return response


def page_or_fragment(
    request: Request, page: str, fragment: str, context: dict[str, Any]
) -> HTMLResponse:
    """Returns the fragment for htmx (with `fragment` set) and the whole page otherwise."""
    if is_htmx(request):
        return render(request, fragment, {**context, "fragment": True})
    return render(request, page, context)


def triggers(**events: Any) -> dict[str, str]:
    """Returns an HX-Trigger header (JSON, ASCII-escaped so Chinese survives the header)."""
    return {"HX-Trigger": json.dumps({k.replace("_", "-"): v for k, v in events.items()})}


def redirect(request: Request, url: str) -> Response:
    """Sends the browser to `url`: HX-Redirect for htmx, 303 otherwise."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def install_page_handlers(app: FastAPI) -> None:
    """Registers the HTML answers to LoginRequired, PageError and CsrfRefused."""

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return redirect(request, f"/login?next={quote(exc.next_url)}")

    # Plain `def`: Starlette runs them in a worker thread, and the error page reads the viewer and
    # the reference data from the database as it renders.
    @app.exception_handler(PageError)
    def _page_error(request: Request, exc: PageError) -> Response:
        fields = dict(exc.fields)
        if "roles" in fields:  # role codes, named in the page's language
            fields["roles"] = role_names(lang_of(request), fields["roles"])
        return render(
            request,
            "_error.html" if is_htmx(request) else "error.html",
            {"message": exc.message, "fields": fields, "status_code": exc.status_code},
            status_code=exc.status_code,
        )

    @app.exception_handler(CsrfRefused)
    def _csrf(request: Request, _exc: CsrfRefused) -> Response:
        return render(
            request,
            "_error.html" if is_htmx(request) else "error.html",
            {"message": "error.csrf", "fields": {}, "status_code": 403},
            status_code=403,
        )
