"""HTML error pages for the site (JSON/XML kept for /api and /open311), and security headers."""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from fastapi import HTTPException
from pages_helpers import Browser, pages_app

from core.config import load_settings
from web.kit import error_pages

WEB = Path(__file__).resolve().parents[2] / "web"
SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


@pytest.fixture
async def app(engine):
    async with pages_app() as made:

        @made.get("/test-forbidden")
        async def _forbidden() -> None:
            raise HTTPException(403)

        @made.get("/api/test-forbidden")
        async def _api_forbidden() -> None:
            raise HTTPException(403)

        @made.get("/test-crash")
        async def _crash() -> None:
            raise RuntimeError("boom")

        @made.get("/api/test-crash")
        async def _api_crash() -> None:
            raise RuntimeError("boom")

        yield made


@pytest.fixture
async def browser(app):
    made = Browser(app)
    await made.http.aclose()
    # Starlette re-raises a crash after answering it; the test wants the answer.
    made.http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
        follow_redirects=False,
    )
    yield made
    await made.close()


def assert_secured(resp: httpx.Response) -> None:
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["X-Frame-Options"] == "DENY"
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "style-src 'self'" in csp and "unsafe" not in csp


# -- error pages --------------------------------------------------------------------------------


async def test_an_unknown_page_is_an_html_404_in_the_sites_style(browser) -> None:
    resp = await browser.get("/no/such/page")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "没有找到该页面或案件" in resp.text and 'class="topbar"' in resp.text
    assert "/static/app.css" in resp.text
    english = await browser.get("/no/such/page?lang=en")
    assert english.status_code == 404 and "No such page or case" in english.text
    fragment = await browser.get("/no/such/page", htmx=True)
    assert fragment.status_code == 404 and "<html" not in fragment.text
    assert "No such page or case" in fragment.text, "the language chosen is remembered"
    wrong_method = await browser.http.delete("/login?lang=zh")
    assert wrong_method.status_code == 405 and "无法处理该请求（405）" in wrong_method.text


async def test_api_and_open311_keep_their_machine_errors(browser) -> None:
    api = await browser.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    open311 = await browser.get("/open311/v2/no-such-thing")
    assert open311.status_code == 404 and open311.json() == {"detail": "Not Found"}
    forbidden = await browser.get("/api/test-forbidden")
    assert forbidden.status_code == 403 and forbidden.json() == {"detail": "Forbidden"}
    crash = await browser.get("/api/test-crash")
    assert crash.status_code == 500 and crash.text == "Internal Server Error"
    assert_secured(crash)


async def test_forbidden_and_crashes_are_html_pages(browser) -> None:
    forbidden = await browser.get("/test-forbidden")
    assert forbidden.status_code == 403 and "您无权访问该页面" in forbidden.text
    assert "<html" in forbidden.text
    crash = await browser.get("/test-crash?lang=en")
    assert crash.status_code == 500 and "<html" in crash.text
    assert "Something went wrong on the server" in crash.text and "boom" not in crash.text
    assert_secured(crash)  # answered past the middleware, so the handler adds them


async def test_a_crash_page_survives_a_broken_template(browser, monkeypatch) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(error_pages, "render", broken)
    crash = await browser.get("/test-crash")
    assert crash.status_code == 500 and "服务器出错了" in crash.text
    assert_secured(crash)


# -- security headers ---------------------------------------------------------------------------


async def test_every_response_carries_the_security_headers(browser) -> None:
    await browser.login("coordinator")
    for path in ("/login", "/track", "/coordinator", "/static/app.css", "/healthz", "/nope"):
        resp = await browser.get(path)
        assert resp.status_code in (200, 303, 404), path
        assert_secured(resp)
    assert_secured(await browser.get("/api/me"))
    assert_secured(await browser.post("/track", {"number": "x", "phone": "1"}))
    docs = await browser.get("/docs")
    assert docs.status_code == 200 and "https:" not in docs.headers["Content-Security-Policy"]
    assert docs.headers["X-Frame-Options"] == "DENY"
    # Swagger UI comes from our own static copy (npm), never from a CDN.
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text
    bundle = await browser.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000


async def test_htmx_does_not_inject_its_inline_indicator_styles(browser) -> None:
    page = await browser.get("/login")
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page.text)
    assert config is not None and '"includeIndicatorStyles":false' in config.group(1)


def test_templates_need_no_inline_script_or_style() -> None:
    offenders = []
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\shx-on|\son[a-z]+=|javascript:", re.I
    )
    for path in WEB.glob("*/templates/**/*.html"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if inline.search(line):
                offenders.append(f"{path.relative_to(WEB)}:{n}: {line.strip()[:80]}")
    assert not offenders, "inline code breaks the CSP:\n" + "\n".join(offenders)


async def test_the_mail_preview_is_framed_under_its_own_policy(app, browser) -> None:
    folder = load_settings().data_dir / "mailbox"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"test-{uuid.uuid4().hex[:8]}.eml"
    mail = EmailMessage()
    mail["Subject"] = "预览"
    mail["From"] = "noreply@liandong.test"
    mail["To"] = "liaison-sw@liandong.example"
    mail.set_content("纯文本")
    mail.add_alternative('<p style="color: #b42318">时限</p>', subtype="html")
    (folder / name).write_bytes(bytes(mail))
    try:
        await _show_the_preview(app, browser, name)
    finally:
        (folder / name).unlink()


async def _show_the_preview(app, browser: Browser, name: str) -> None:  # noqa: ANN001
    await browser.login("admin")  # the mailbox is the admin's
    page = await browser.get(f"/admin/mailbox/{name}")
    assert page.status_code == 200 and f'src="/admin/mailbox/{name}/html"' in page.text
    assert "srcdoc" not in page.text
    assert_secured(page)
    framed = await browser.get(f"/admin/mailbox/{name}/html")
    assert framed.status_code == 200 and 'style="color: #b42318"' in framed.text
    csp = framed.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert (await browser.get("/admin/mailbox/..%2Fsecret.key/html")).status_code == 404
    signed_out = Browser(app)
    assert (await signed_out.get(f"/admin/mailbox/{name}/html")).status_code == 303
    await signed_out.close()
