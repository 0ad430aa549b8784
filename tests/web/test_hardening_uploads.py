"""A completion report may not send more than 6 × 5 MB of photos + 1 MB: 413, shown in the form."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pages_helpers import Browser, case_row, file_by_phone, pages_app, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.config import load_settings
from web.kit.upload_limit import MAX_REQUEST_BYTES, BodyTooLarge, UploadLimit

MB = 1024 * 1024
PNG_HEAD = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def live(engine, time_env, worker_queue, monkeypatch):
    monkeypatch.setenv("LIANDONG_TASK_QUEUE", worker_queue)
    async with pages_app(time_env.client, worker_queue) as app:
        yield app


@pytest.fixture
async def accepted(live):
    """A case the liaison of 水务集团 has accepted: yields (liaison, number)."""
    coordinator, liaison = Browser(live), Browser(live)
    await coordinator.login("coordinator")
    await liaison.login("liaison-sw")
    number = await file_by_phone(coordinator)
    await coordinator.act(number, "register-dispatch", {"department": "sw"})
    assert (await liaison.act(number, "accept")).status_code == 200
    assert case_row(number).status == "in_progress"
    yield liaison, number
    for browser in (coordinator, liaison):
        await browser.close()


def photos(count: int, size: int = 5 * MB) -> list[tuple[str, tuple[str, bytes, str]]]:
    """`count` PNG-looking files of `size` bytes each (each within the per-photo limit)."""
    body = PNG_HEAD + b"\0" * (size - len(PNG_HEAD))
    return [("photos", (f"p{i}.png", body, "image/png")) for i in range(count)]


def stored_photos(number: str) -> list[str]:
    folder = load_settings().data_dir / "uploads" / number
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def test_an_oversized_report_is_refused_before_it_is_read(accepted) -> None:
    liaison, number = accepted
    form = await liaison.get(f"/cases/{number}/act/report", htmx=True)
    slot = f"f-report-{number}-refusal"
    assert f'id="{slot}"' in form.text, "the form has a slot for the refusal"

    note = "已更换井盖，照片见附件"
    refused = await liaison.act(number, "report", {"note": note}, files=photos(7))
    assert int(refused.request.headers["Content-Length"]) > MAX_REQUEST_BYTES
    assert refused.status_code == 413
    # htmx puts the message in the slot and leaves the form, with what was typed, as it is.
    assert refused.headers["HX-Retarget"] == f"#{slot}"
    assert refused.headers["HX-Reswap"] == "innerHTML"
    assert "超过 31 MB 上限" in text(refused.text) and "<form" not in refused.text
    assert case_row(number).status == "in_progress" and stored_photos(number) == []

    page = await liaison.post(
        f"/cases/{number}/act/report", {"note": note}, htmx=False, files=photos(7)
    )
    assert page.status_code == 413 and "<html" in page.text and "请返回上一页" in page.text
    assert case_row(number).status == "in_progress" and stored_photos(number) == []

    # Within the limit the report goes through, photos and all.
    done = await liaison.act(number, "report", {"note": note}, files=photos(2, size=64 * 1024))
    assert done.status_code == 200 and "HX-Trigger" in done.headers, done.text
    assert case_row(number).status == "reported" and len(stored_photos(number)) == 2


async def test_a_streamed_report_is_cut_off_at_the_limit(accepted) -> None:
    liaison, number = accepted
    boundary = "liandongboundary"
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n已处理\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
            f'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
        ).encode()
        sent += len(head)
        yield head + PNG_HEAD
        for _ in range(40):  # 40 MB with no Content-Length (chunked)
            sent += MB
            yield b"\0" * MB
        yield f"\r\n--{boundary}--\r\n".encode()

    resp = await liaison.http.post(
        f"/cases/{number}/act/report",
        content=body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "HX-Request": "true",
            "X-CSRF-Token": liaison.csrf,
        },
    )
    assert "Content-Length" not in resp.request.headers
    assert resp.status_code == 413 and "超过 31 MB 上限" in text(resp.text)
    assert sent <= MAX_REQUEST_BYTES + 2 * MB, f"read on past the limit: {sent} bytes"
    assert case_row(number).status == "in_progress" and stored_photos(number) == []


# -- the guard on its own ---------------------------------------------------------------------


async def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


async def _too_large(_request: Request, _exc: Exception) -> PlainTextResponse:
    return PlainTextResponse("too large", status_code=413)


def guarded_app() -> Starlette:
    app = Starlette(
        routes=[
            Route("/cases/{number}/act/{action}", _echo, methods=["POST"]),
            Route("/other", _echo, methods=["POST"]),
        ],
        exception_handlers={BodyTooLarge: _too_large},
    )
    app.add_middleware(UploadLimit, limit=100)
    return app


async def test_the_guard_allows_exactly_the_limit_and_only_guards_action_posts() -> None:
    transport = httpx.ASGITransport(app=guarded_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.post("/cases/1/act/report", content=b"x" * 100)).text == "100"
        assert (await client.post("/cases/1/act/report", content=b"x" * 101)).status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(5):
                yield b"x" * 30

        streamed = await client.post("/cases/1/act/report", content=chunks())
        assert streamed.status_code == 413
        assert (await client.post("/other", content=b"x" * 500)).text == "500"
        assert MAX_REQUEST_BYTES == 31 * MB
