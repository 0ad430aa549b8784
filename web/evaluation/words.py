"""UI strings of the evaluation (words), zh-CN first; merged into web/kit/i18n.CATALOGUE."""

from __future__ import annotations

EVALUATION_STRINGS: dict[str, tuple[str, str]] = {}
