"""A strict PNG decoder (standard library only) for the tests' plots."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    rows: list[bytes]  # filtered scanlines, as stored


def decode_png(data: bytes) -> Image:
    """Parse every chunk (CRCs checked), inflate the image data and check that it holds
    exactly `height` scanlines of the header's size; raises ValueError otherwise."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG signature")
    position, idat, header = len(SIGNATURE), bytearray(), None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    if interlace:
        raise ValueError("interlaced PNGs are not expected here")
    row = 1 + (width * _CHANNELS[colour] * depth + 7) // 8
    raw = zlib.decompress(bytes(idat))
    if len(raw) != row * height:
        raise ValueError(f"image data holds {len(raw)} bytes, not {row * height}")
    rows = [raw[i * row : (i + 1) * row] for i in range(height)]
    if any(r[0] > 4 for r in rows):
        raise ValueError("unknown scanline filter")
    return Image(width, height, rows)
