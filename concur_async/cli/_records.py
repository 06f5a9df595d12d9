"""Records in files: JSONL and CSV read and written through the SDK's structs.

Column and key names are Concur's wire names (``VendorCode``, ``AddressCode``, ...), taken from
the msgspec structs so that they are spelled in one place. Reading is checked up front: an
unknown field, a value of the wrong type or a record without its key stops the command before
anything is sent, with the line number, instead of failing half-way through a sync.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Generic, Literal, TypeVar

import msgspec
import msgspec.inspect as mi

from .._files import replacing
from .._model import sent_form
from ..invoice.purchase_order_receipts import PurchaseOrderReceipt
from ..invoice.purchase_orders import PurchaseOrder
from ..invoice.vendor_models import Vendor
from ._console import CliError
from ._vendor_values import vendor_value_problem

__all__ = [
    "FileFormat",
    "RecordFile",
    "VENDOR_COLUMNS",
    "atomic_output",
    "format_of",
    "output_format",
    "purchase_order_file",
    "scalar_columns",
    "vendor_file",
    "vendor_row",
    "without_server_fields",
]

FileFormat = Literal["jsonl", "csv"]
S = TypeVar("S", bound=msgspec.Struct)

#: Fields Concur owns: left out of exports so that an export is a valid sync input.
SERVER_FIELDS = frozenset({"ID", "URI", "StatusList"})
_KEY_COLUMNS = ("VendorCode", "AddressCode", "VendorName")
_EXTENSIONS: dict[str, FileFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
# Numbers decode as Decimal: amounts keep every digit the file gave them.
_JSON = msgspec.json.Decoder(float_hook=Decimal)


@functools.cache
def scalar_columns(struct: type[msgspec.Struct], *, with_ids: bool = False) -> tuple[str, ...]:
    """The wire names of the fields a CSV cell can hold (lists and nested structs cannot),
    vendors' keys first; Concur's own fields (ID, URI) only ``with_ids``."""
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)
    names = []
    for field in info.fields:
        kinds = field.type.types if isinstance(field.type, mi.UnionType) else (field.type,)
        if (field.encode_name in SERVER_FIELDS and not with_ids) or any(
            isinstance(k, mi.ListType | mi.StructType) for k in kinds
        ):
            continue
        names.append(field.encode_name)
    first = [k for k in _KEY_COLUMNS if k in names]
    return (*first, *(n for n in names if n not in first))


VENDOR_COLUMNS = scalar_columns(Vendor)


def format_of(path: Path, given: FileFormat | None) -> FileFormat:
    """The format named by ``--format``, else by the file's extension."""
    if given is not None:
        return given
    found = _EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise CliError(
            f"cannot tell the format of {path.name!r} from its extension; "
            "name it .csv or .jsonl, or pass --format"
        )
    return found


def output_format(path: Path | None, given: FileFormat | None) -> FileFormat:
    """The format named by ``--format``, else by the output's extension, else JSONL."""
    if given is not None:
        return given
    return _EXTENSIONS.get(path.suffix.lower(), "jsonl") if path is not None else "jsonl"


def without_server_fields(vendor: Vendor) -> Vendor:
    return msgspec.structs.replace(vendor, id=None, uri=None, status_list=None)


def vendor_row(vendor: Vendor) -> list[str]:
    """One CSV row in ``VENDOR_COLUMNS`` order; a missing value is an empty cell."""
    wire = msgspec.to_builtins(vendor)
    return ["" if (v := wire.get(c)) is None else str(v) for c in VENDOR_COLUMNS]


def unknown_fields(value: Any, kind: mi.Type, path: str = "") -> list[str]:
    """Paths of the keys in decoded JSON that ``kind`` has no field for, nested ones too.

    msgspec ignores unknown keys; in a sync file a misspelt column would silently be dropped.
    """
    if isinstance(kind, mi.UnionType):
        for option in kind.types:
            if isinstance(option, mi.StructType | mi.ListType):
                return unknown_fields(value, option, path)
        return []
    if isinstance(kind, mi.ListType) and isinstance(value, list):
        return [p for i, item in enumerate(value)
                for p in unknown_fields(item, kind.item_type, f"{path}[{i}]")]
    if isinstance(kind, mi.StructType) and isinstance(value, dict):
        fields = {f.encode_name: f.type for f in kind.fields}
        found: list[str] = []
        for name, item in value.items():
            where = f"{path}.{name}" if path else str(name)
            if name not in fields:
                found.append(where)
            else:
                found.extend(unknown_fields(item, fields[name], where))
        return found
    return []


@dataclass(frozen=True, slots=True)
class RecordFile(Generic[S]):
    """A checked input file: ``count`` records of ``struct``, streamed again by ``records()``."""

    path: Path
    format: FileFormat
    struct: type[S]
    count: int

    def records(self) -> Iterator[S]:
        for _, record in _read(self.path, self.format, self.struct, None):
            yield record


KeyCheck = Callable[[Any], str | None]


def _read(
    path: Path, fmt: FileFormat, struct: type[S], check: KeyCheck | None
) -> Iterator[tuple[int, S]]:
    """(line number, record) pairs; a record that cannot be read raises CliError."""
    info = mi.type_info(struct)
    with path.open("r", encoding="utf-8-sig", newline="") as stream:
        rows = _csv_rows(stream, path, struct) if fmt == "csv" else _jsonl_rows(stream, path)
        for line, data in rows:
            if check is not None:
                problems = unknown_fields(data, info)
                if problems:
                    raise CliError(f"{path.name} line {line}: unknown field(s) "
                                   f"{', '.join(problems[:5])}")
                missing = check(data)
                if missing:
                    raise CliError(f"{path.name} line {line}: {missing}")
            try:
                msgspec.convert(data, sent_form(struct))  # held to what a request must carry
                yield line, msgspec.convert(data, struct)
            except msgspec.ValidationError as exc:
                raise CliError(f"{path.name} line {line}: {exc}") from None


def _jsonl_rows(stream: IO[str], path: Path) -> Iterator[tuple[int, Any]]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = _JSON.decode(text)
        except msgspec.DecodeError as exc:
            raise CliError(f"{path.name} line {number}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise CliError(f"{path.name} line {number}: expected a JSON object")
        yield number, data


def _csv_rows(
    stream: IO[str], path: Path, struct: type[msgspec.Struct]
) -> Iterator[tuple[int, Any]]:
    # strict: a quote never closed is an error at the end, not a cell swallowing the file.
    reader = csv.reader(stream, strict=True)
    header = next(reader, None)
    if not header:
        return
    columns = scalar_columns(struct)
    unknown = [name for name in header if name not in columns]
    if unknown:
        raise CliError(f"{path.name}: unknown column(s) {', '.join(unknown[:5])}; "
                       f"columns are Concur's field names, e.g. {', '.join(columns[:3])}")
    while True:
        # A record may span lines (a quoted newline): it is reported where it starts.
        start = reader.line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problem = "a quoted value is never closed" if "end of data" in str(exc) else exc
            raise CliError(f"{path.name} line {start}: {problem}") from None
        if row is None:
            return
        if not any(row):
            continue
        if len(row) != len(header):
            raise CliError(f"{path.name} line {start}: {len(row)} cells, "
                           f"the header has {len(header)}")
        # An empty cell means "no value": CSV cannot tell an empty string from a missing one.
        yield start, {name: cell for name, cell in zip(header, row, strict=True) if cell != ""}


def _check_file(path: Path, fmt: FileFormat, struct: type[S], check: KeyCheck) -> RecordFile[S]:
    try:
        count = sum(1 for _ in _read(path, fmt, struct, check))
    except UnicodeDecodeError:
        raise CliError(f"{path.name}: not UTF-8 text") from None
    except (OSError, csv.Error) as exc:
        raise CliError(f"cannot read {path.name}: {exc}") from None
    return RecordFile(path, fmt, struct, count)


def _vendor_key(data: Any) -> str | None:
    missing = [k for k in ("VendorCode", "AddressCode") if not data.get(k)]
    if missing:
        return f"missing {' and '.join(missing)}"
    return vendor_value_problem(data)


def _po_key(data: Any) -> str | None:
    return None if data.get("PurchaseOrderNumber") else "missing PurchaseOrderNumber"


def _receipt_key(data: Any) -> str | None:
    missing = [k for k in ("PurchaseOrderNumber", "LineItemExternalID") if not data.get(k)]
    return f"missing {' and '.join(missing)}" if missing else None


def receipt_file(path: Path, fmt: FileFormat | None) -> RecordFile[PurchaseOrderReceipt]:
    return _check_file(path, format_of(path, fmt), PurchaseOrderReceipt, _receipt_key)


def vendor_file(path: Path, fmt: FileFormat | None) -> RecordFile[Vendor]:
    return _check_file(path, format_of(path, fmt), Vendor, _vendor_key)


def purchase_order_file(path: Path) -> RecordFile[PurchaseOrder]:
    if path.suffix.lower() == ".csv":
        raise CliError("purchase orders are nested (line items, allocations): give a .jsonl file")
    return _check_file(path, "jsonl", PurchaseOrder, _po_key)


@contextlib.contextmanager
def atomic_output(target: Path | None, *, text: bool) -> Iterator[IO[Any]]:
    """Standard output, or a temporary file renamed onto ``target`` only once complete."""
    if target is None:
        if not text:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
            return
        # csv wants newline="": a text layer of its own over the same descriptor.
        stream = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
        try:
            yield stream
        finally:
            stream.flush()
        return
    with replacing(target) as temp:
        out: IO[Any] = (temp.open("w", encoding="utf-8", newline="") if text
                        else temp.open("wb"))
        with out:
            yield out
