"""Put the environment's pre-built matplotlib font cache where matplotlib looks for it.

Copied into every environment tree that has matplotlib (at its root, which is on the
sandbox's ``PYTHONPATH``, so Python's ``site`` imports it at start). The build scanned the
fonts once (``podrun-cache/matplotlib/fontlist-v*.json``); matplotlib only accepts a cache
directory it can write to, and the tree is read-only, so this copies the file into the
sandbox's own cache directory (``$MPLCONFIGDIR``, else ``$XDG_CACHE_HOME/matplotlib``, else
``~/.cache/matplotlib``) unless it is there already. Without it, every run that imports
matplotlib spends about a second rebuilding the list. Standard library only; it never
raises (a failure only costs that second), and it imports nothing beyond ``os``: a run
that never imports matplotlib pays a directory listing and a 35 KB copy.
"""

import os

_PREBUILT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "podrun-cache", "matplotlib")


def _install_font_cache():
    try:
        names = [n for n in os.listdir(_PREBUILT) if n.startswith("fontlist-")]
    except OSError:
        return
    target = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "matplotlib",
    )
    try:
        os.makedirs(target, exist_ok=True)
        for name in names:
            if not os.path.exists(os.path.join(target, name)):
                with open(os.path.join(_PREBUILT, name), "rb") as source:
                    data = source.read()
                with open(os.path.join(target, name), "xb") as copy:
                    copy.write(data)
    except OSError:
        pass


_install_font_cache()
del _install_font_cache
