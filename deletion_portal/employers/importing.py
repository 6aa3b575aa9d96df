"""Reading employer import files (CSV or JSON) into rows for ``services.employer_import``.

CSV: UTF-8 (a byte-order mark is fine), a header row with the columns of
``services.IMPORT_COLUMNS`` (``quality`` may be left out), ``other_names`` separated by ``|``,
``demands_id`` as yes/no/true/false/1/0 or empty. Rows are numbered as a spreadsheet shows them:
the header is row 1, the first employer row 2.

JSON: a list of objects with the same keys (``other_names`` a list of strings, ``demands_id`` true,
false or null; missing keys count as empty). Rows are numbered from 1 in list order.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deletion_portal.employers.services import IMPORT_COLUMNS

MAX_FILE_BYTES = 20 * 1024 * 1024
OPTIONAL_CSV_COLUMNS = ("quality",)
FORMATS = ("csv", "json")

_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}


class ImportFileError(Exception):
    """The file cannot be read as an employer import file; the message says why."""


@dataclass(frozen=True)
class ImportFile:
    rows: list[Any]
    row_numbers: list[int]


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError(f"Cannot tell the format of {path.name!r} from its extension: pass --format csv or json.")
    return suffix


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a directory, not a file.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8.") from None


def _csv_bool(value: str) -> Any:
    text = value.strip().lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value  # left for the service to report as an error on this row


def parse_csv(text: str, *, name: str = "the file") -> ImportFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(f"{name} is not valid CSV near line {reader.line_num}: {exc}") from None
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError(f"{name} is empty: expected a header row with {','.join(IMPORT_COLUMNS)}.")
    header = [column.strip() for column in header]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c not in OPTIONAL_CSV_COLUMNS]
    unknown = [c for c in header if c not in IMPORT_COLUMNS]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(c or '(empty)' for c in unknown)}")
    if duplicated:
        problems.append(f"repeated column(s): {', '.join(duplicated)}")
    if problems:
        raise ImportFileError(f"{name} has a bad header ({'; '.join(problems)}). Expected: {','.join(IMPORT_COLUMNS)}.")

    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    # Numbered as a spreadsheet shows them: the header is row 1. Blank rows are skipped, not errors.
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row: dict[str, Any] = dict(zip(header, cells, strict=False))
        for column in header:
            row.setdefault(column, "")
        extra = cells[len(header) :]
        if any(cell.strip() for cell in extra):
            row["(cells beyond the header)"] = extra
        row["other_names"] = [n.strip() for n in row["other_names"].split("|") if n.strip()]
        row["demands_id"] = _csv_bool(row["demands_id"])
        rows.append(row)
        numbers.append(number)
    return ImportFile(rows=rows, row_numbers=numbers)


def parse_json(text: str, *, name: str = "the file") -> ImportFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    if not isinstance(data, list):
        raise ImportFileError(f"{name} must hold a JSON list of employer objects, not a {type(data).__name__}.")
    return ImportFile(rows=data, row_numbers=list(range(1, len(data) + 1)))


def read_import_file(path: str | Path, *, file_format: str | None = None) -> ImportFile:
    """Parse ``path`` as CSV or JSON (by extension unless ``file_format`` is given)."""
    path = Path(path)
    file_format = (file_format or guess_format(path)).lower()
    if file_format not in FORMATS:
        raise ImportFileError(f"Unknown format {file_format!r}: use csv or json.")
    text = _read_text(path)
    parse = parse_csv if file_format == "csv" else parse_json
    return parse(text, name=str(path))
