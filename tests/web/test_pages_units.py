"""Pure parts of the pages: photo checks, the catalogue's coverage, the actions offered."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from starlette.datastructures import Headers, UploadFile

from core import payloads as p
from models.case import Case
from models.user import ROLES, User
from web.cases.forms import UI_ORDER, allowed_actions
from web.cases.uploads import MAX_BYTES, PhotoRefused, photo_path, save_photos, sniff
from web.kit.i18n import CATALOGUE, label, translate
from workflows.case_actions import CASE_ACTIONS
from workflows.catalogue import CASE_DEPARTMENT

# The actions only the liaison of the case's department takes, and the states each starts from.
DEPARTMENT_ACTIONS = [a for a, e in CASE_ACTIONS.items() if e.department == CASE_DEPARTMENT]
ALLOWED_FROM = {a: e.start_from for a, e in CASE_ACTIONS.items()}
ACTION_ROLES = {a: e.roles for a, e in CASE_ACTIONS.items()}

ROOT = Path(__file__).resolve().parents[2]
TIMELINE_ACTIONS = (
    "created",
    "registered",
    "voided",
    "dispatched",
    "accepted",
    "bounced",
    "disputed",
    "arbitrated",
    "interim_assigned",
    "extension_requested",
    "extension_approved",
    "extension_denied",
    "reported",
    "verified",
    "rework",
    "callback",
    "closed",
    "urged",
    "reminded",
    "overdue",
    "escalated",
    "parked",
    "unparked",
    "override",
)


def upload(name: str, data: bytes) -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name, headers=Headers({}))


@pytest.mark.parametrize(
    ("head", "ext"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
        (b"\x89PNG\r\n\x1a\n\x00", "png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (b"GIF89a", None),
        (b"<svg>", None),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_photos_are_recognised_by_their_bytes(head, ext):
    assert sniff(head) == ext


async def test_a_refused_photo_leaves_nothing_on_disk(tmp_path):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 100
    stored = await save_photos(tmp_path, "2026-11-000001", [upload("a.jpg", jpeg)])
    assert [s.path.read_bytes() for s in stored] == [jpeg]
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", stored[0].name)

    too_big = b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES
    with pytest.raises(PhotoRefused) as refused:
        await save_photos(
            tmp_path, "2026-11-000002", [upload("ok.jpg", jpeg), upload("big.png", too_big)]
        )
    assert refused.value.reason == "refuse.photo_size"
    assert not any((tmp_path / "uploads" / "2026-11-000002").glob("*"))
    with pytest.raises(PhotoRefused):
        await save_photos(tmp_path, "2026-11-000003", [upload("x.jpg", b"not an image")])
    with pytest.raises(PhotoRefused):
        await save_photos(tmp_path, "2026-11-000003", [upload(f"{i}.jpg", jpeg) for i in range(7)])


def test_only_stored_names_are_served(tmp_path):
    folder = tmp_path / "uploads" / "2026-11-000001"
    folder.mkdir(parents=True)
    (folder / ("a" * 32 + ".png")).write_bytes(b"x")
    assert photo_path(tmp_path, "2026-11-000001", "a" * 32 + ".png") is not None
    for name in ("../secret.key", "a" * 32 + ".svg", "b" * 32 + ".png", ".."):
        assert photo_path(tmp_path, "2026-11-000001", name) is None
    assert photo_path(tmp_path, "../..", "a" * 32 + ".png") is None


def test_every_key_the_pages_use_is_in_both_languages():
    used = set()
    for path in (ROOT / "web").glob("*/templates/**/*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.-]+)["']""", path.read_text()))
    for path in (ROOT / "web").glob("*/*.py"):
        used |= set(
            re.findall(
                r"""["']((?:refuse|error|what|track|common|field)\.[a-z0-9_.-]+)["']""",
                path.read_text(),
            )
        )
    missing = sorted(k for k in used if k not in CATALOGUE and not k.endswith((".", ".html")))
    assert not missing, missing
    assert all(zh and en for zh, en in CATALOGUE.values())


@pytest.mark.parametrize(
    ("prefix", "codes"),
    [
        ("status", p.STATUSES),
        ("role", ROLES),
        ("satisfaction", p.SATISFACTIONS),
        ("event", TIMELINE_ACTIONS),
        ("action", UI_ORDER),
        ("override", p.OVERRIDE_ACTIONS),
        ("unit", p.LIMIT_UNITS),
    ],
)
def test_codes_have_names_in_both_languages(prefix, codes):
    for code in codes:
        assert f"{prefix}.{code}" in CATALOGUE, code
        assert label("zh", prefix, code) != label("en", prefix, code) or prefix == "channel"
    assert translate("en", "status.closed") == "Closed" and label("zh", "status", "x") == "x"


def _case(status: str, department: str | None = "sw", **kw) -> Case:
    return Case(
        number="2026-11-000009",
        status=status,
        category="manhole-cover",
        description="d",
        grid="hongqi-01",
        street="hongqi",
        address="a",
        channel="hotline",
        department=department,
        **kw,
    )


@pytest.mark.parametrize("status", p.STATUSES)
def test_the_actions_offered_follow_the_workflow_rules(status):
    row = _case(status, yellow_at=None)
    for role in ("coordinator", "supervisor", "inspector", "admin"):
        offered = set(
            allowed_actions(
                User(username=role, display_name=role, role=role, password_hash=""), row
            )
        )
        for action in offered - {"register-dispatch", "override"}:
            assert role in ACTION_ROLES[action] and status in ALLOWED_FROM[action], action
    own = User(username="l", display_name="l", role="liaison", department="sw", password_hash="")
    other = User(username="o", display_name="o", role="liaison", department="gd", password_hash="")
    assert not set(allowed_actions(other, row)) & set(DEPARTMENT_ACTIONS)
    expected = {a for a in DEPARTMENT_ACTIONS if status in ALLOWED_FROM[a]}
    assert set(allowed_actions(own, row)) == expected


def test_extension_actions_depend_on_a_pending_request():
    liaison = User(
        username="l", display_name="l", role="liaison", department="sw", password_hash=""
    )
    supervisor = User(username="s", display_name="s", role="supervisor", password_hash="")
    quiet = _case(p.IN_PROGRESS)
    asked = _case(
        p.IN_PROGRESS, extension_pending={"amount": 2, "unit": "working_hours", "reason": "r"}
    )
    assert "request-extension" in allowed_actions(liaison, quiet)
    assert "request-extension" not in allowed_actions(liaison, asked)
    assert "decide-extension" in allowed_actions(supervisor, asked)
    assert "decide-extension" not in allowed_actions(supervisor, quiet)
