"""Zip-based inputs (XLSX) bounded by what they expand to, before a reader loads them.

A 1.5 MB XLSX can hold a sheet of 1.5 GB of XML, which calamine would load whole. Before a
workbook is opened, its XML members are checked: their declared uncompressed sizes (the cheap
test), their compression ratio, then their real size, measured by inflating them without keeping
the output (a crafted zip can declare sizes its data does not have). Past the limit the file is
refused with one SecopsError saying how to raise the limit.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from secops.errors import SecopsError
from secops.i18n import _

DEFAULT_MAX_XLSX_MB = 200.0  # uncompressed XML of a workbook: a 20-30 MB XLSX, far beyond a school roster
LIMIT_ENV = "SECOPS_MAX_XLSX_MB"
# Deflate can reach about 1030:1; real sheets stay under 100:1. A big member past this ratio is a bomb.
MAX_RATIO = 200
RATIO_FLOOR = 16 << 20  # small members may be as repetitive as they like
_STEP = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name's and the extra field's lengths


def xlsx_limit_bytes(max_mb: float | None = None) -> int | None:
    """The limit in bytes: ``max_mb``, else $SECOPS_MAX_XLSX_MB, else the default; 0 means none."""
    if max_mb is None:
        text = os.environ.get(LIMIT_ENV, "").strip()
        try:
            max_mb = float(text) if text else DEFAULT_MAX_XLSX_MB
        except ValueError:
            raise SecopsError(
                _("{env}={value!r} is not a number of MB").format(env=LIMIT_ENV, value=text),
                hint=_("e.g. 500, or 0 for no limit"),
            ) from None
    if max_mb < 0:
        raise SecopsError(_("the XLSX limit must be 0 (none) or a number of MB, not {value:g}").format(value=max_mb))
    return int(max_mb * (1 << 20)) if max_mb else None


def _mb(size: int) -> str:
    value = size / (1 << 20)
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")


def _raise_hint(needed: int) -> str:
    mb = (needed >> 20) + 1
    return _(
        "if the file is genuine, raise the limit: --max-xlsx-mb {mb} (or {env}={mb}), or export the sheet as CSV"
    ).format(mb=mb, env=LIMIT_ENV)


def _off_hint() -> str:
    return _(
        "if the file is genuine, turn the check off with --max-xlsx-mb 0 (or {env}=0), or export the sheet as CSV"
    ).format(env=LIMIT_ENV)


def check_xlsx(path: Path, max_mb: float | None = None) -> None:
    """Refuse ``path`` when its XML would expand past the limit (see the module docstring).

    A file that is not a zip (an old .xls) is left to the reader: its size is its size."""
    limit = xlsx_limit_bytes(max_mb)
    if limit is None:
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip: the reader gives its own clear error, or reads an .xls
    with archive:
        members = [info for info in archive.infolist() if info.filename.lower().endswith((".xml", ".rels"))]
        declared = sum(info.file_size for info in members)
        # a member past the ratio is refused at any limit: a hint to raise the limit would not help
        bombs = [
            (info, ratio)
            for info in members
            if info.file_size > RATIO_FLOOR and (ratio := info.file_size / max(info.compress_size, 1)) > MAX_RATIO
        ]
        if declared > limit:
            raise SecopsError(
                _("{path}: the workbook's sheets expand to {size} MB, past the {limit} MB limit").format(
                    path=path, size=_mb(declared), limit=_mb(limit)
                )
                + (
                    _(", and {member} is compressed {ratio}:1 (a zip bomb?)").format(
                        member=bombs[0][0].filename, ratio=f"{bombs[0][1]:,.0f}"
                    )
                    if bombs
                    else ""
                ),
                hint=_off_hint() if bombs else _raise_hint(declared),
            )
        for info, ratio in bombs:
            raise SecopsError(
                _("{path}: {member} is compressed {ratio}:1, beyond any real spreadsheet (a zip bomb?)").format(
                    path=path, member=info.filename, ratio=f"{ratio:,.0f}"
                ),
                hint=_off_hint(),
            )
    with path.open("rb") as handle:
        total = 0
        for info in members:
            total += _inflated_size(handle, path, info, limit - total)
            if total > limit:
                raise SecopsError(
                    _(
                        "{path}: the workbook's sheets expand past the {limit} MB limit "
                        "(more than the sizes the file declares: damaged or crafted)"
                    ).format(path=path, limit=_mb(limit)),
                    hint=_off_hint(),
                )


def _inflated_size(stream: BinaryIO, path: Path, info: zipfile.ZipInfo, budget: int) -> int:
    """What ``info`` really inflates to, stopping once past ``budget`` (the output is never kept)."""
    damaged = SecopsError(f"{path}: not a readable XLSX file (damaged zip entry {info.filename})")
    if info.header_offset < 0:
        raise damaged
    stream.seek(info.header_offset)
    header = stream.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise damaged
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise damaged
    stream.seek(name_length + extra_length, os.SEEK_CUR)
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size  # stored data is as long as it is in the file
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise SecopsError(
            _("{path}: {member} uses zip compression method {method}, which Excel never writes").format(
                path=path, member=info.filename, method=info.compress_type
            ),
            hint=_("open the file in Excel or WPS and save it again as .xlsx"),
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size, left = 0, info.compress_size
    try:
        while left > 0 and not inflater.eof:
            data = stream.read(min(_STEP, left))
            if not data:
                break
            left -= len(data)
            size += len(inflater.decompress(data, _STEP))
            while inflater.unconsumed_tail and size <= budget:  # a bomb's 1 MB inflates to 1 GB: step by step
                size += len(inflater.decompress(inflater.unconsumed_tail, _STEP))
            if size > budget:
                return size
    except zlib.error:
        raise damaged from None
    return size
