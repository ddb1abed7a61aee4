"""Mapping between raw MongoDB documents and domain records, at the storage boundary.

The domain dataclasses are the one source of a record's shape: a document holds one column
per field, named as the field, with the value as BSON takes it (an enum by its value, a
nested record as a sub-document, a tuple as an array). The conversions are derived from the
fields and their types (`dataclasses.fields`, `typing.get_type_hints`), so a field added to a
record is stored and read back without touching this module. What is not simply "the
field, by its name" is listed once, in the tables below.

Reading is lenient the way stored documents need: a column that is absent or null takes the
field's default (documents written before a field existed stay readable); a field without a
default must be present.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from service.domain.accounts import User
from service.domain.events import DisplayEvent, ExecutionEvent, FileEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.sandboxes import ResourceUsage

# --- The exceptions to "one column per field, named as the field" ---------------------------

# A record's `id` is its document's `_id`.
ID_FIELD, ID_COLUMN = "id", "_id"
# Columns left out of a written document while empty (most records carry no events).
ABSENT_WHEN_EMPTY: Mapping[type, frozenset[str]] = {
    Execution: frozenset(
        {"carried_events", "input_files", "output_files", "skipped_files", "argv", "env"}
    )
}
# Nested records whose columns sit in their parent's document, not in a sub-document.
FLATTENED: Mapping[type, frozenset[str]] = {User: frozenset({"quotas"})}
# Records of one union stored side by side: the `kind` column says which one a document is.
KINDS: Mapping[type, str] = {
    StatusEvent: "status",
    OutputEvent: "output",
    DisplayEvent: "display",
    FileEvent: "file",
}
KIND_COLUMN = "kind"

# ---------------------------------------------------------------------------------------------

R = TypeVar("R")
_Convert = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class _Column:
    field: str
    column: str
    encode: _Convert
    decode: _Convert
    default: Callable[[], Any] | None  # None: the column is required
    absent_when_empty: bool
    flattened: bool


def record_to_dict(record: Any) -> dict[str, Any]:
    """`record` (a domain dataclass) as a document."""
    document: dict[str, Any] = {}
    kind = KINDS.get(type(record))
    if kind is not None:
        document[KIND_COLUMN] = kind
    for column in _columns(type(record)):
        value = getattr(record, column.field)
        if not (column.absent_when_empty and not value):
            _write(document, column, value)
    return document


def fields_to_dict(record_type: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """Some fields of a `record_type` (by field name, as domain values) as the columns that
    hold them, e.g. for a `$set`."""
    document: dict[str, Any] = {}
    for column in _columns(record_type):
        if column.field not in values:
            continue
        _write(document, column, values[column.field])
    unknown = set(values) - {column.field for column in _columns(record_type)}
    if unknown:
        raise KeyError(f"{record_type.__name__} has no fields {sorted(unknown)}")
    return document


def _write(document: dict[str, Any], column: _Column, value: Any) -> None:
    if value is None:
        document[column.column] = None
    elif column.flattened:
        document.update(column.encode(value))
    else:
        document[column.column] = column.encode(value)


def record_from_dict(record_type: type[R], raw: Mapping[str, Any]) -> R:
    """The `record_type` a document holds; columns it does not know are ignored."""
    values: dict[str, Any] = {}
    for column in _columns(record_type):
        value = raw if column.flattened else raw.get(column.column)
        if value is not None:
            values[column.field] = column.decode(value)
        elif column.default is not None:
            values[column.field] = column.default()
        else:
            raise KeyError(column.column)
    return record_type(**values)


def _columns(record_type: type) -> tuple[_Column, ...]:
    known = _COLUMNS.get(record_type)
    if known is None:
        known = _COLUMNS[record_type] = _derive_columns(record_type)
    return known


_COLUMNS: dict[type, tuple[_Column, ...]] = {}


def _derive_columns(record_type: type) -> tuple[_Column, ...]:
    hints = get_type_hints(record_type)
    sparse = ABSENT_WHEN_EMPTY.get(record_type, frozenset())
    flattened = FLATTENED.get(record_type, frozenset())
    columns = []
    for f in dataclasses.fields(record_type):
        encode, decode = _converters(hints[f.name])
        columns.append(
            _Column(
                field=f.name,
                column=ID_COLUMN if f.name == ID_FIELD else f.name,
                encode=encode,
                decode=decode,
                default=_default_of(f),
                absent_when_empty=f.name in sparse,
                flattened=f.name in flattened,
            )
        )
    return tuple(columns)


def _default_of(f: dataclasses.Field[Any]) -> Callable[[], Any] | None:
    if f.default is not dataclasses.MISSING:
        default = f.default
        return lambda: default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory
    return None


def _converters(hint: Any) -> tuple[_Convert, _Convert]:
    """How a value of type `hint` is written to BSON and read back."""
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        members = tuple(a for a in get_args(hint) if a is not type(None))
        if len(members) == 1:  # `X | None`: None is handled by the callers
            return _converters(members[0])
        return _union_converters(members)
    if origin is tuple:
        encode_item, decode_item = _converters(get_args(hint)[0])
        return (
            lambda value: [encode_item(item) for item in value],
            lambda value: tuple(decode_item(item) for item in value),
        )
    if origin is dict:
        return dict, dict
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return (lambda value: value.value), hint
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        record_type = hint
        return record_to_dict, lambda value: record_from_dict(record_type, value)
    return _same, _same


def _union_converters(members: tuple[type, ...]) -> tuple[_Convert, _Convert]:
    """A union of records (the events): each document names its record in `kind`."""
    by_kind = {KINDS[member]: member for member in members}
    return record_to_dict, lambda value: record_from_dict(by_kind[value[KIND_COLUMN]], value)


def _same(value: Any) -> Any:
    return value


# --- The records the store keeps --------------------------------------------------------------


def limits_to_dict(limits: Limits) -> dict[str, Any]:
    return record_to_dict(limits)


def usage_to_dict(usage: ResourceUsage) -> dict[str, Any]:
    return record_to_dict(usage)


def execution_to_dict(execution: Execution) -> dict[str, Any]:
    return record_to_dict(execution)


def execution_from_dict(raw: Mapping[str, Any]) -> Execution:
    return record_from_dict(Execution, raw)


def carried_to_dict(events: Sequence[ExecutionEvent]) -> dict[str, Any]:
    """The `carried_events` column (absent when there are none, as in most records)."""
    return fields_to_dict(Execution, {"carried_events": tuple(events)}) if events else {}


def event_to_dict(event: ExecutionEvent) -> dict[str, Any]:
    return record_to_dict(event)


def event_from_dict(raw: Mapping[str, Any]) -> ExecutionEvent:
    event: ExecutionEvent = record_from_dict(_KIND_TYPES[raw[KIND_COLUMN]], raw)
    return event


_KIND_TYPES: Mapping[str, type] = {kind: record_type for record_type, kind in KINDS.items()}
