"""The display channel's frames: decoded across any split, refused when malformed."""

from __future__ import annotations

import pytest

from service.domain.display import (
    DisplayData,
    DisplayFrameError,
    DisplayFrames,
    decode_data,
    encode_data,
    frame,
)

ITEMS = [
    DisplayData("image/png", b"\x89PNG\r\n\x1a\n\x00\n"),
    DisplayData("text/html", "<p>é</p>".encode()),
    DisplayData("application/json", b"{}"),
    DisplayData("text/plain", b""),
]


def test_frames_split_anywhere_decode_to_the_same_items() -> None:
    stream = b"".join(frame(item) for item in ITEMS)
    for size in (1, 2, 7, len(stream)):
        frames = DisplayFrames()
        got: list[DisplayData] = []
        for start in range(0, len(stream), size):
            got += frames.feed(stream[start : start + size])
        assert got == ITEMS
        assert frames.pending_bytes == 0


def test_the_announced_length_is_known_before_the_data_arrives() -> None:
    frames = DisplayFrames()
    assert frames.feed(b"image/png 1000\nabc") == []
    assert frames.pending_bytes == 997


@pytest.mark.parametrize(
    "garbage",
    [b"hello world\n", b"IMAGE/PNG 3\n", b"image/png -3\n", b"image/png\n", b"x" * 200],
)
def test_anything_but_a_frame_is_refused(garbage: bytes) -> None:
    with pytest.raises(DisplayFrameError):
        DisplayFrames().feed(garbage)


def test_text_stays_text_and_bytes_travel_as_base64() -> None:
    png, html, json, _ = ITEMS
    assert encode_data(html) == "<p>é</p>"
    assert encode_data(json) == "{}"
    assert encode_data(png) == "iVBORw0KGgoACg=="
    assert decode_data("image/png", encode_data(png)) == png.data
    assert encode_data(DisplayData("image/svg+xml", b"<svg/>")) == "<svg/>"
