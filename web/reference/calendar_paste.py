"""A year's holiday days as an admin pastes them from the State Council's notice (国务院办公厅
关于某年部分节假日安排的通知), and back: one line per holiday, its dates and its name.

A line holds dates and day ranges, in ISO (2027-02-06), with slashes (2027/2/6) or as the notice
writes them (2月6日, 2027年2月6日); a range joins two dates with 至, ~ or .. (2月6日至12日: the
month carries over). What is left on the line, less the notice's own words (放假, 调休, 共N天,
weekday brackets), is the holiday's name: "春节：2月6日至12日放假调休，共7天" is 春节 for
seven days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MAX_RANGE_DAYS = 31
NAME_MAX = 64

_SEP = r"\s*(?:至|到|~|～|\.\.|—|－)\s*"
_ISO = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
_CN = r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_DATE = rf"(?:{_ISO}|{_CN})"
# A date, then optionally a range's end: a full date or, as the notice writes it, a day alone.
_ITEM = re.compile(rf"{_DATE}(?:{_SEP}(?:{_DATE}|(\d{{1,2}})\s*日))?")
# A weekday in brackets goes first: "1月1日（周五）至3日（周日）" is one range.
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
_NOISE = re.compile(
    r"放假调休|放假|调休上班|调休|上班|休息|共\s*\d+\s*天|^\s*[一二三四五六七八九十]+\s*、"
)
_PUNCT = " \t:：,，、;；。.·-—"


class PasteError(ValueError):
    """A pasted line the parser cannot read: `line` counts from 1."""

    def __init__(self, line: int, problem: str, text: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem  # a message key of web/reference/calendar_words.py
        self.text = text


@dataclass(frozen=True)
class PastedDay:
    """One day of a pasted list, with the name its line gave it."""

    day: date
    name: str


def _date(year: int, groups: tuple[str | None, ...]) -> date:
    iso_y, iso_m, iso_d, cn_y, cn_m, cn_d = groups
    if iso_y is not None:
        return date(int(iso_y), int(iso_m or 0), int(iso_d or 0))
    return date(int(cn_y) if cn_y else year, int(cn_m or 0), int(cn_d or 0))


def _days(year: int, match: re.Match[str]) -> list[date]:
    groups = match.groups()
    start = _date(year, groups[0:6])
    if groups[6] is not None or groups[10] is not None:  # a full second date (its month)
        end = _date(start.year, groups[6:12])
    elif groups[12] is not None:  # 至12日: the same month
        end = start.replace(day=int(groups[12]))
    else:
        return [start]
    if end < start:
        raise ValueError("paste.error.reversed")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError("paste.error.long")
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _name(text: str) -> str:
    rest = _NOISE.sub(" ", _ITEM.sub(" ", text))
    words = [w.strip(_PUNCT) for w in re.split(r"[\s,，、;；。]+", rest)]
    return " ".join(w for w in words if w)[:NAME_MAX]


def parse_days(text: str, *, year: int) -> list[PastedDay]:
    """Returns the days of a pasted list in date order (a later line's name wins for a day named
    twice); PasteError for a line without a date or with an impossible one."""
    found: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _BRACKETS.sub("", raw)
        if not line.strip():
            continue
        matches = list(_ITEM.finditer(line))
        if not matches:
            raise PasteError(number, "paste.error.no_date", line.strip()[:80])
        name = _name(line)
        for match in matches:
            try:
                days = _days(year, match)
            except ValueError as err:
                key = str(err) if str(err).startswith("paste.") else "paste.error.bad_date"
                raise PasteError(number, key, match.group(0)) from None
            for day in days:
                found[day] = name or found.get(day, "")
    return [PastedDay(day, found[day]) for day in sorted(found)]


def as_lines(days: list[date], names: dict[date, str]) -> str:
    """Returns days as pasteable lines, consecutive days of one name joined into a range."""
    lines: list[str] = []
    run: list[date] = []

    def flush() -> None:
        if not run:
            return
        span = run[0].isoformat() if len(run) == 1 else f"{run[0]}~{run[-1]}"
        name = names.get(run[0], "")
        lines.append(f"{span} {name}".strip())
        run.clear()

    for day in sorted(days):
        if run and (day - run[-1]).days == 1 and names.get(day, "") == names.get(run[-1], ""):
            run.append(day)
            continue
        flush()
        run.append(day)
    flush()
    return "\n".join(lines)
