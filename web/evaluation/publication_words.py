"""UI strings of the evaluation (publication_words), zh-CN first; merged into web/kit/i18n.CATALOGUE."""

from __future__ import annotations

PUBLICATION_STRINGS: dict[str, tuple[str, str]] = {}
