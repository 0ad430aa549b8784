"""The evaluation as files: xlsx (openpyxl; one sheet per kind of unit, real numbers, a frozen
bold header, a totals row, an 说明 sheet with the period, times and weights) and CSV (UTF-8 with
a BOM, so that Excel reads the Chinese), with the same figures as GET /api/evaluation.

A rate is a percentage in the API (93.72). In the xlsx its cell holds the fraction, 0.9372,
formatted `0.00%`, so Excel shows 93.72% and sums or charts it as a number; in the CSV it is
the API's percentage, 93.72. Counts and ranks are integers, the score has two decimals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.evaluation_periods import Period
from core.indicators import COUNTS, HOTLINE_RATES, RATES
from core.workcal import TZ
from models.evaluation_public import Evaluation, EvaluationRow
from web.evaluation.definitions import COUNT_WORDS, RATE_WORDS
from web.kit.i18n import translate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# Excel's formats of each kind of figure (a rate cell holds the fraction, see above).
FORMATS = {
    "count": "0",
    "rank": "0",
    "rate": "0.00%",
    "score": "0.00",
    "points": "+0.00;-0.00;0.00",
}
WHEN = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8F0FA")
HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")


@dataclass(frozen=True)
class Column:
    """One column of the evaluation's files: which figure of a row, under what label."""

    figure: str  # key, name, rank, score, counts.<c>, rates.<r>, hotline.<r>, mom.<x>, yoy.<x>
    label: str
    kind: str  # text | count | rate | score | points | rank


def _rate_name(lang: str, rate: str) -> str:
    zh, en = RATE_WORDS[rate]
    return en if lang == "en" else zh


def columns(lang: str) -> list[Column]:
    """Returns the columns of a unit's line, in the files' order."""
    t = lambda key, **kw: translate(lang, key, **kw)  # noqa: E731
    out = [
        Column("key", t("export.col.key"), "text"),
        Column("name", t("export.col.name"), "text"),
        Column("rank", t("export.col.rank"), "rank"),
        Column("score", t("export.col.score"), "score"),
    ]
    for count in COUNTS:
        zh, en = COUNT_WORDS[count][:2]
        out.append(Column(f"counts.{count}", en if lang == "en" else zh, "count"))
    out += [Column(f"rates.{r}", _rate_name(lang, r), "rate") for r in RATES]
    out += [
        Column(f"hotline.{r}", t("export.col.hotline", rate=_rate_name(lang, r)), "rate")
        for r in HOTLINE_RATES
    ]
    for when in ("mom", "yoy"):
        out += [
            Column(f"{when}.score", t(f"export.col.{when}_score"), "score"),
            Column(f"{when}.score_change", t(f"export.col.{when}_change"), "points"),
            Column(f"{when}.rank", t(f"export.col.{when}_rank"), "rank"),
        ]
    return out


def value(row: EvaluationRow, figure: str) -> Any:
    """Returns one figure of a row as the API gives it (None when the row has none)."""
    head, _, tail = figure.partition(".")
    found: Any = getattr(row, head)
    if tail and found is not None:
        found = getattr(found, tail)
    return found


def lines(evaluation: Evaluation, lang: str) -> list[EvaluationRow]:
    """Returns the units' rows and, when the reader may see them, the totals as a last row."""
    rows = list(evaluation.rows)
    totals = evaluation.totals
    if totals is not None:
        rows.append(
            EvaluationRow(
                key="",
                name=translate(lang, "report.total"),
                counts=totals.counts,
                rates=totals.rates,
                hotline=totals.hotline,
                score=totals.score,
                mom=totals.mom,
                yoy=totals.yoy,
            )
        )
    return rows


def fraction(percent: float) -> float:
    """Returns a percentage as the fraction an xlsx rate cell holds: 93.72 -> 0.9372."""
    return float(Decimal(str(percent)) / 100)


def naive_local(moment: datetime) -> datetime:
    """Returns an instant as the Beijing wall-clock time Excel stores (it has no time zones)."""
    return moment.astimezone(TZ).replace(tzinfo=None, microsecond=0)


def period_words(period: Period, lang: str) -> str:
    """Returns a period in words: 2026年11月, 2026年第4季度, 2026年, or a date range."""
    first = period.first
    if period.kind == "month":
        return translate(lang, "report.period.month", year=first.year, month=first.month)
    if period.kind == "quarter":
        quarter = (first.month - 1) // 3 + 1
        return translate(lang, "report.period.quarter", year=first.year, quarter=quarter)
    if period.kind == "year":
        return translate(lang, "report.period.year", year=first.year)
    return translate(lang, "report.period.range", first=first, last=period.last)


def weights_words(weights: dict[str, int], lang: str) -> str:
    """Returns the weights in words: 处置率 30、按期处置率 20 ..."""
    joiner = ", " if lang == "en" else "、"
    return joiner.join(f"{_rate_name(lang, rate)} {weight}" for rate, weight in weights.items())


# -- xlsx -------------------------------------------------------------------------------------


def _widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def display_width(text: str) -> float:
    """Returns roughly how many Excel character widths a text takes (a CJK character two)."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def header_row(sheet: Worksheet, labels: Iterable[str]) -> None:
    """Writes row 1: bold, shaded, wrapped, frozen, repeated on every printed page."""
    sheet.append(list(labels))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = BOLD, HEAD_FILL, HEAD_ALIGN
    sheet.row_dimensions[1].height = 45
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


def _meta_sheet(
    book: Workbook,
    evaluations: Sequence[Evaluation],
    period: Period,
    lang: str,
    *,
    restricted: bool,
) -> None:
    t = lambda key, **kw: translate(lang, key, **kw)  # noqa: E731
    first = evaluations[0]
    sheet = book.active
    assert sheet is not None
    sheet.title = t("export.meta.sheet")
    district = t("report.district")
    sheet.append([t("export.meta.title", district=district, period=period_words(period, lang))])
    sheet["A1"].font = Font(bold=True, size=14)
    rows: list[tuple[str, Any]] = [
        (t("export.meta.period"), first.period),
        (t("export.meta.start"), naive_local(first.start)),
        (t("export.meta.end"), naive_local(first.end)),
        (t("export.meta.as_of"), naive_local(first.as_of)),
        (t("export.meta.generated"), naive_local(first.generated_at)),
        (t("export.meta.previous"), first.previous_period),
        (t("export.meta.last_year"), first.last_year_period),
    ]
    rows += [
        (f"{t('export.meta.weights')}：{_rate_name(lang, rate)}", weight)
        for rate, weight in first.weights.items()
    ]
    sheet.append([])
    for label, held in rows:
        sheet.append([label, held])
        if isinstance(held, datetime):
            sheet.cell(sheet.max_row, 2).number_format = WHEN
    sheet.append([])
    notes = ["export.meta.rates", "export.meta.basis"]
    notes += ["export.meta.liaison"] if restricted else []
    for note in notes:
        sheet.append([t(note)])
    _widths(sheet, (34, 24))


def _unit_sheet(book: Workbook, evaluation: Evaluation, lang: str) -> None:
    sheet = book.create_sheet(translate(lang, f"export.by.{evaluation.by}"))
    cols = columns(lang)
    header_row(sheet, (c.label for c in cols))
    rows = lines(evaluation, lang)
    for row in rows:
        sheet.append([_cell(value(row, c.figure), c.kind) for c in cols])
        for index, column in enumerate(cols, start=1):
            if column.kind in FORMATS:
                sheet.cell(sheet.max_row, index).number_format = FORMATS[column.kind]
    if evaluation.totals is not None and rows:
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    sheet.freeze_panes = "C2"  # the header row and the unit's code and name stay in view
    last = sheet.max_row - (1 if evaluation.totals is not None else 0)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(last, 1)}"
    longest = max((display_width(r.name) for r in rows), default=8)
    widths = [12.0, min(max(longest + 2, 10), 40)]
    widths += [min(max(display_width(c.label) / 2 + 2, 9), 16) for c in cols[2:]]
    _widths(sheet, widths)


def _cell(found: Any, kind: str) -> Any:
    if found is None:
        return None
    if kind == "rate":
        return fraction(found)
    if kind in ("count", "rank"):
        return int(found)
    return found


def workbook(
    evaluations: Sequence[Evaluation], period: Period, lang: str, *, restricted: bool
) -> bytes:
    """Returns the xlsx of one or more evaluations of a period: 说明 first, then a sheet each."""
    book = Workbook()
    _meta_sheet(book, evaluations, period, lang, restricted=restricted)
    for evaluation in evaluations:
        _unit_sheet(book, evaluation, lang)
    book.properties.creator = "联动 Liandong"
    book.properties.title = translate(
        lang,
        "export.meta.title",
        district=translate(lang, "report.district"),
        period=period_words(period, lang),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- CSV ----------------------------------------------------------------------------------------


def _text(found: Any) -> str:
    return "" if found is None else str(found)


def csv_text(evaluations: Sequence[Evaluation], lang: str) -> bytes:
    """Returns the CSV of one or more evaluations: a header row, then every unit's line and the
    totals; with several kinds of unit, a first column names the kind."""
    cols = columns(lang)
    several = len(evaluations) > 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ([translate(lang, "export.col.by")] if several else []) + [c.label for c in cols]
    )
    for evaluation in evaluations:
        kind = [translate(lang, f"export.by.{evaluation.by}")] if several else []
        for row in lines(evaluation, lang):
            writer.writerow(kind + [_text(value(row, c.figure)) for c in cols])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- downloads ----------------------------------------------------------------------------------


def disposition(name: str, fallback: str) -> str:
    """Returns a Content-Disposition naming the file: `name` (RFC 5987, UTF-8) and an ASCII
    `fallback` for clients that read only `filename`."""
    plain = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in fallback
    )
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_names(period: Period, by: str | None, lang: str, suffix: str) -> tuple[str, str]:
    """Returns the evaluation file's name and its ASCII fallback, e.g.
    金湾区综合评价-2026-11-部门.xlsx and liandong-evaluation-2026-11-department.xlsx."""
    label = period.label.replace("/", "_")
    district = translate(lang, "report.district")
    word = translate(lang, "export.file.evaluation")
    kind = f"-{translate(lang, f'export.by.{by}')}" if by else ""
    name = f"{district}{word}-{label}{kind}.{suffix}"
    fallback = f"liandong-evaluation-{label}{f'-{by}' if by else ''}.{suffix}"
    return name, fallback
