"""A matplotlib backend for Podrun sandboxes: figures become PNG displays.

Selected by ``MPLBACKEND=module://podrun.matplotlib_backend`` (set in every sandbox), so
scripts need no change: ``plt.show()`` displays each open figure (then closes them, as
notebooks do), and figures still open when the script ends are displayed at exit.
Drawing is Agg's; ``savefig`` works as usual.
"""

from __future__ import annotations

import atexit

from matplotlib import _pylab_helpers
from matplotlib.backend_bases import FigureManagerBase, _Backend
from matplotlib.backends.backend_agg import FigureCanvasAgg

import podrun


def _show_all() -> None:
    managers = _pylab_helpers.Gcf.get_all_fig_managers()
    for manager in managers:
        podrun.display(manager.canvas.figure)
    _pylab_helpers.Gcf.destroy_all()


class FigureManagerPodrun(FigureManagerBase):
    """Shows one figure as a PNG display."""

    def show(self) -> None:  # type: ignore[override]
        podrun.display(self.canvas.figure)


class FigureCanvasPodrun(FigureCanvasAgg):
    manager_class = FigureManagerPodrun  # type: ignore[assignment]


@_Backend.export
class _BackendPodrun(_Backend):
    FigureCanvas = FigureCanvasPodrun
    FigureManager = FigureManagerPodrun

    @staticmethod
    def show(*_args: object, **_kwargs: object) -> None:  # type: ignore[override]
        _show_all()


atexit.register(_show_all)
