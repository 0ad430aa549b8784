"""UI strings of the evaluation (report_words), zh-CN first; merged into web/kit/i18n.CATALOGUE."""

from __future__ import annotations

REPORT_STRINGS: dict[str, tuple[str, str]] = {}
