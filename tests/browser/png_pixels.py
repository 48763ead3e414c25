"""Read a PNG's pixels with zlib and struct only, to tell a real screenshot from a
blank one (no image library needed).

Handles what Chromium writes: 8-bit greyscale, RGB or RGBA, not interlaced.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 6: 4}  # colour type -> samples per pixel


@dataclass(frozen=True)
class Pixels:
    width: int
    height: int
    luma: list[int]  # one 0-255 brightness value per pixel, row by row

    @property
    def spread(self) -> float:
        """The standard deviation of brightness: near 0 for a blank image."""
        mean = sum(self.luma) / len(self.luma)
        return (sum((v - mean) ** 2 for v in self.luma) / len(self.luma)) ** 0.5

    @property
    def most_common_share(self) -> float:
        """How much of the image the commonest brightness covers (1.0: one colour)."""
        counts = [0] * 256
        for value in self.luma:
            counts[value] += 1
        return max(counts) / len(self.luma)


def read_png(data: bytes, *, max_rows: int | None = None) -> Pixels:
    """The pixels of the first ``max_rows`` rows (all by default): rows decode top
    down, so a tall page's check can stop at what a screen shows."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG file")
    offset = len(_SIGNATURE)
    header: tuple[int, ...] = ()
    compressed = bytearray()
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
    channels = _CHANNELS[colour]
    height = height if max_rows is None else min(height, max_rows)
    rows = _unfilter(zlib.decompress(bytes(compressed)), width * channels, height, channels)
    luma: list[int] = []
    for row in rows:
        if channels == 1:
            luma.extend(row)
            continue
        for x in range(0, len(row), channels):
            red, green, blue = row[x], row[x + 1], row[x + 2]
            luma.append((299 * red + 587 * green + 114 * blue) // 1000)
    return Pixels(width, height, luma)


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytearray]:
    rows: list[bytearray] = []
    previous = bytearray(stride)
    position = 0
    low, high = int.from_bytes(b"\x7f" * stride, "big"), int.from_bytes(b"\x80" * stride, "big")
    for _ in range(height):
        kind = raw[position]
        line = bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        if kind == 2:
            # "Up": add the row above byte by byte, modulo 256, for the whole row at
            # once (the high bits are added without carry by XOR).
            a, b = int.from_bytes(line, "big"), int.from_bytes(previous, "big")
            summed = ((a & low) + (b & low)) ^ ((a ^ b) & high)
            line = bytearray(summed.to_bytes(stride, "big"))
            kind = 0
        for i in range(stride if kind else 0):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, up_left)) & 0xFF
        rows.append(line)
        previous = line
    return rows


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c
