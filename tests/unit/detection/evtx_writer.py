"""A minimal EVTX writer, for fixtures only: one chunk of records built the way Windows builds them.

Each record is a BinXML fragment holding one template instance whose definition is inline (as the
first record of a template in a real chunk has it); the definition spells out the whole event
(``<Event><System>...</System><EventData><Data Name="...">...</Data>...</EventData></Event>``) with
literal values and no substitutions. Names are inline too (offset == their own position). Checksums
(file header, chunk header, records) are set as Windows sets them, so strict parsers accept the file.

Formats (public): the [MS-EVEN6] BinXml grammar and libyal's "Windows XML Event Log (EVTX)" notes.
The point is to test the EVTX path of the readers with events nobody can ship us as real files
(Windows Defender detections with spaced ``Data Name``s); the writer is not part of the product.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

FILE_HEADER_BYTES = 4096
CHUNK_BYTES = 65536
CHUNK_HEADER_BYTES = 512
EPOCH_1601 = datetime(1601, 1, 1, tzinfo=UTC)

# BinXml tokens
END_OF_STREAM = 0x00
OPEN_START_ELEMENT = 0x01
CLOSE_START_ELEMENT = 0x02
CLOSE_EMPTY_ELEMENT = 0x03
END_ELEMENT = 0x04
VALUE = 0x05
ATTRIBUTE = 0x06
TEMPLATE_INSTANCE = 0x0C
FRAGMENT_HEADER = 0x0F
MORE = 0x40  # on OPEN_START_ELEMENT: has attributes; on ATTRIBUTE: another attribute follows
STRING_TYPE = 0x01  # value types, with their payload formats (strings carry their length)
UINT16_TYPE, UINT64_TYPE, FILETIME_TYPE = 0x06, 0x0A, 0x11
TYPED = {UINT16_TYPE: "<H", UINT64_TYPE: "<Q", FILETIME_TYPE: "<Q"}
Value = str | tuple[int, int]  # text, or (value type, number)


@dataclass
class Record:
    """One event: System values and EventData items (``(name, value)``; a name may hold spaces)."""

    event_id: int
    channel: str
    provider: str
    time: datetime
    computer: str = "PC-01.school.local"
    data: Sequence[tuple[str, Value]] = ()
    system: dict[str, str] = field(default_factory=dict)  # more System elements (Level, Task, ...)


def filetime(when: datetime) -> int:
    delta = when.astimezone(UTC) - EPOCH_1601
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def name_hash(name: str) -> int:
    value = 0
    for unit in struct.unpack(f"<{len(name.encode('utf-16-le')) // 2}H", name.encode("utf-16-le")):
        value = (value * 65599 + unit) & 0xFFFFFFFF
    return value & 0xFFFF


class _Fragment:
    """BinXml bytes whose chunk offset is known (inline names point at themselves)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.out = bytearray()

    def here(self) -> int:
        return self.base + len(self.out)

    def name(self, text: str) -> None:
        units = text.encode("utf-16-le")
        self.out += struct.pack("<I", self.here() + 4)  # the name starts right after its offset
        self.out += struct.pack("<IHH", 0, name_hash(text), len(units) // 2) + units + b"\0\0"

    def value(self, value: Value) -> None:
        if isinstance(value, str):
            units = value.encode("utf-16-le")
            self.out += struct.pack("<BBH", VALUE, STRING_TYPE, len(units) // 2) + units
        else:
            kind, number = value
            self.out += struct.pack("<BB", VALUE, kind) + struct.pack(TYPED[kind], number)

    def element(self, tag: str, attributes: Sequence[tuple[str, Value]] = (), text: Value | None = None) -> _Element:
        return _Element(self, tag, attributes, text)

    def leaf(self, tag: str, text: Value | None = None, attributes: Sequence[tuple[str, Value]] = ()) -> None:
        """An element without child elements; one without text is closed empty (``<Provider .../>``)."""
        element = _Element(self, tag, attributes, text, empty=text is None)
        element.__enter__()
        element.__exit__()


class _Element:
    def __init__(
        self,
        fragment: _Fragment,
        tag: str,
        attributes: Sequence[tuple[str, Value]],
        text: Value | None,
        empty: bool = False,
    ) -> None:
        self.fragment, self.tag, self.attributes, self.text, self.empty = fragment, tag, attributes, text, empty

    def __enter__(self) -> _Fragment:
        f = self.fragment
        f.out.append(OPEN_START_ELEMENT | (MORE if self.attributes else 0))
        f.out += struct.pack("<H", 0xFFFF)  # dependency identifier: none
        self.size_at = len(f.out)
        f.out += b"\0\0\0\0"  # data size, set on exit
        f.name(self.tag)
        if self.attributes:
            list_at = len(f.out)
            f.out += b"\0\0\0\0"
            for index, (name, value) in enumerate(self.attributes):
                f.out.append(ATTRIBUTE | (MORE if index < len(self.attributes) - 1 else 0))
                f.name(name)
                f.value(value)
            struct.pack_into("<I", f.out, list_at, len(f.out) - list_at - 4)
        f.out.append(CLOSE_EMPTY_ELEMENT if self.empty else CLOSE_START_ELEMENT)
        if self.text is not None:
            f.value(self.text)
        return f

    def __exit__(self, *exc: object) -> None:
        f = self.fragment
        if not self.empty:
            f.out.append(END_ELEMENT)
        struct.pack_into("<I", f.out, self.size_at, len(f.out) - self.size_at - 4)


def _record_xml(record: Record, record_id: int, base: int) -> bytes:
    """The record's BinXml at chunk offset ``base``: a template instance with its definition inline."""
    f = _Fragment(base)
    f.out += bytes([FRAGMENT_HEADER, 1, 1, 0])
    f.out += struct.pack("<BBI", TEMPLATE_INSTANCE, 1, record_id)  # template id: any, unique per record here
    f.out += struct.pack("<I", f.here() + 4)  # the definition follows
    header_at = len(f.out)
    guid = uuid.uuid5(uuid.NAMESPACE_OID, f"secops-evtx-fixture-{record_id}")
    f.out += struct.pack("<I", 0) + guid.bytes_le + b"\0\0\0\0"
    body_at = len(f.out)
    f.out += bytes([FRAGMENT_HEADER, 1, 1, 0])
    event_ns = [("xmlns", "http://schemas.microsoft.com/win/2004/08/events/event")]
    with f.element("Event", event_ns):
        with f.element("System"):
            f.leaf("Provider", attributes=[("Name", record.provider)])
            f.leaf("EventID", (UINT16_TYPE, record.event_id))
            for tag, text in record.system.items():
                f.leaf(tag, text)
            f.leaf("TimeCreated", attributes=[("SystemTime", (FILETIME_TYPE, filetime(record.time)))])
            f.leaf("EventRecordID", (UINT64_TYPE, record_id))
            f.leaf("Channel", record.channel)
            f.leaf("Computer", record.computer)
        with f.element("EventData"):
            for name, value in record.data:
                f.leaf("Data", value, [("Name", name)])
    f.out.append(END_OF_STREAM)
    struct.pack_into("<I", f.out, header_at + 20, len(f.out) - body_at)
    f.out += struct.pack("<I", 0)  # no substitutions
    f.out.append(END_OF_STREAM)
    return bytes(f.out)


def evtx_bytes(records: Sequence[Record], first_record_id: int = 1) -> bytes:
    """A complete one-chunk EVTX file holding ``records`` (numbered from ``first_record_id``)."""
    chunk = bytearray(CHUNK_BYTES)
    offset = CHUNK_HEADER_BYTES
    last_offset = offset
    for number, record in enumerate(records):
        record_id = first_record_id + number
        xml = _record_xml(record, record_id, offset + 24)
        size = 24 + len(xml) + 4
        if offset + size > CHUNK_BYTES:
            raise ValueError("records do not fit in one chunk")
        struct.pack_into("<4sIQQ", chunk, offset, b"**\0\0", size, record_id, filetime(record.time))
        chunk[offset + 24 : offset + 24 + len(xml)] = xml
        struct.pack_into("<I", chunk, offset + size - 4, size)
        last_offset, offset = offset, offset + size
    last_id = first_record_id + len(records) - 1
    struct.pack_into(
        "<8sQQQQIII",
        chunk,
        0,
        b"ElfChnk\0",
        first_record_id,
        last_id,
        first_record_id,
        last_id,
        128,
        last_offset,
        offset,
    )
    struct.pack_into("<I", chunk, 52, zlib.crc32(chunk[CHUNK_HEADER_BYTES:offset]))
    struct.pack_into("<I", chunk, 124, zlib.crc32(bytes(chunk[:120]) + bytes(chunk[128:CHUNK_HEADER_BYTES])))
    header = bytearray(FILE_HEADER_BYTES)
    struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\0", 0, 0, last_id + 1, 128, 1, 3, FILE_HEADER_BYTES, 1)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    return bytes(header) + bytes(chunk)
