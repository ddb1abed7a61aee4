"""Rich output from a Podrun sandbox: ``podrun.display(obj)``.

Standard library only, any Python 3.9+. Each displayed item leaves the sandbox as one frame
on the display channel, the file descriptor named by ``SANDBOX_DISPLAY_FD`` (never stdout)::

    <mime type> SP <length> LF <length bytes>

(the service's decoder is ``service/domain/display.py``), and waits for the one-byte
acknowledgement, so displays keep their place among stdout and stderr. Displays count against the
execution's output limit. Outside Podrun (no channel), ``display`` prints a placeholder.

What ``display(obj)`` sends, first that applies:

- ``display(data, mime_type="image/png")``: ``data`` (bytes or str) as that type;
- a matplotlib figure: PNG (``savefig``); a PIL image: PNG;
- ``obj._repr_png_()``, ``_repr_svg_()``, ``_repr_html_()``, ``_repr_json_()`` (as IPython
  defines them; the first that returns something);
- ``str`` as ``text/plain``, anything else as its ``repr``.

matplotlib needs no code change: ``MPLBACKEND=module://podrun.matplotlib_backend`` (set in
the sandbox) makes ``plt.show()``, and figures still open at exit, PNG displays.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading

__all__ = ["display", "publish"]

_FD_VARIABLE = "SANDBOX_DISPLAY_FD"
_lock = threading.Lock()
_REPRS = (
    ("_repr_png_", "image/png"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_html_", "text/html"),
    ("_repr_json_", "application/json"),
)


def publish(mime_type: str, data: bytes | str) -> None:
    """Send `data` as one display of type `mime_type`."""
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    header = f"{mime_type} {len(payload)}\n".encode("ascii")
    # What the script printed before shows before the display.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.flush()
    fd = _channel()
    if fd is None:
        print(f"<{mime_type} display, {len(payload)} bytes>")
        return
    view = memoryview(header + payload)
    with _lock:
        while view:
            written = os.write(fd, view)
            view = view[written:]
        # The worker acknowledges once it has numbered the display after the output
        # written before it: output written after it cannot overtake it.
        if not os.read(fd, 1):
            raise BrokenPipeError("the display channel is closed")


def display(obj: object, mime_type: str | None = None) -> None:
    """Display `obj` in the execution's output (see the module's docstring for how)."""
    if mime_type is not None:
        publish(mime_type, obj if isinstance(obj, (bytes, str)) else str(obj))
        return
    figure = _png_of_figure(obj)
    if figure is not None:
        publish("image/png", figure)
        return
    for method, kind in _REPRS:
        represent = getattr(obj, method, None)
        if not callable(represent) or isinstance(obj, type):
            continue
        value = represent()
        if isinstance(value, tuple):  # (data, metadata), as IPython allows
            value = value[0]
        if value is None:
            continue
        if kind == "application/json" and not isinstance(value, (str, bytes)):
            value = json.dumps(value)
        publish(kind, value)
        return
    publish("text/plain", obj if isinstance(obj, str) else repr(obj))


def _png_of_figure(obj: object) -> bytes | None:
    """PNG bytes of a matplotlib figure or a PIL image, else None."""
    kind = type(obj)
    module = getattr(kind, "__module__", "") or ""
    buffer = io.BytesIO()
    if module.startswith("matplotlib.") and hasattr(obj, "savefig"):
        obj.savefig(buffer, format="png", bbox_inches="tight")  # type: ignore[attr-defined]
        return buffer.getvalue()
    if module.startswith("PIL.") and hasattr(obj, "save") and hasattr(obj, "mode"):
        obj.save(buffer, format="PNG")  # type: ignore[attr-defined]
        return buffer.getvalue()
    return None


def _channel() -> int | None:
    value = os.environ.get(_FD_VARIABLE, "")
    return int(value) if value.isdigit() else None
