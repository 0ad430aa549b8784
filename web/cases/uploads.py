"""Photos of completion reports: checked by size and magic bytes, stored under the data directory.

Files live in <data_dir>/uploads/<case number>/<random hex>.<ext>; the report's timeline line
names them, and the pages serve them back only to users who may see the case.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from web.kit.upload_limit import CASE_NUMBER, MAX_BYTES, MAX_PHOTOS

CHUNK = 64 * 1024
NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class PhotoRefused(Exception):
    """A photo that is too large, not an image, or one too many; `reason` is an i18n key."""

    def __init__(self, reason: str, **fields: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fields = fields


@dataclass
class StoredPhoto:
    """A photo written to disk."""

    name: str
    path: Path


def sniff(head: bytes) -> str | None:
    """Returns the extension of a JPEG, PNG or WebP image by its first bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def case_dir(data_dir: Path, number: str) -> Path:
    """Returns the upload folder of a case (the number is checked to be a plain name)."""
    if not CASE_NUMBER.match(number):
        raise ValueError(f"not a case number: {number!r}")
    return data_dir / "uploads" / number


async def save_photos(
    data_dir: Path, number: str, files: Sequence[UploadFile]
) -> list[StoredPhoto]:
    """Checks and stores the photos; stores none if any is refused."""
    files = [f for f in files if f.filename]
    if len(files) > MAX_PHOTOS:
        raise PhotoRefused("refuse.photo_count", n=MAX_PHOTOS)
    return await run_in_threadpool(_store_all, case_dir(data_dir, number), files)


def _store_all(folder: Path, files: list[UploadFile]) -> list[StoredPhoto]:
    stored: list[StoredPhoto] = []
    try:
        for upload in files:
            stored.append(_store(folder, upload))
    except BaseException:
        discard(stored)
        raise
    return stored


def _store(folder: Path, upload: UploadFile) -> StoredPhoto:
    shown = (upload.filename or "")[:80]
    upload.file.seek(0)
    head = upload.file.read(CHUNK)
    ext = sniff(head)
    if ext is None:
        raise PhotoRefused("refuse.photo_type", name=shown)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.{ext}"
    size = 0
    try:
        with path.open("xb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > MAX_BYTES:
                    raise PhotoRefused("refuse.photo_size", name=shown)
                out.write(chunk)
                chunk = upload.file.read(CHUNK)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredPhoto(name=path.name, path=path)


def discard(photos: list[StoredPhoto]) -> None:
    """Deletes stored photos (when the report they belong to was refused)."""
    for photo in photos:
        photo.path.unlink(missing_ok=True)


def photo_path(data_dir: Path, number: str, name: str) -> Path | None:
    """Returns the file of a stored photo, or None for a bad name or a missing file."""
    if not NAME.match(name):
        return None
    try:
        path = case_dir(data_dir, number) / name
    except ValueError:
        return None
    return path if path.is_file() else None


def media_type(name: str) -> str:
    """Returns the content type of a stored photo by its extension."""
    return MEDIA_TYPES[name.rsplit(".", 1)[1]]
