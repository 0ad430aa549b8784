"""A mail subject is in one language: Chinese, like the first part; English stays in its part."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "activities" / "templates" / "mail"
SUBJECT = re.compile(r"\{% set subject %\}(.*?)\{% endset %\}", re.S)


def test_every_subject_is_chinese_only():
    subjects = {path.name: SUBJECT.search(path.read_text()) for path in TEMPLATES.glob("*.j2")}
    found = {name: m.group(1) for name, m in subjects.items() if m}
    assert len(found) >= 15
    for name, subject in found.items():
        words = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", subject)  # the facts filled in
        assert not re.search(r"[A-Za-z]{2,}", words), f"{name}: {subject}"
