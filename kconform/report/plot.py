"""Loss trajectories as an inline SVG (matplotlib, the optional ``plot`` extra).

Rendered without pyplot (no global backend is switched) to a self-contained
SVG: glyphs as paths, no fonts, no links, no metadata, stable ids.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

__all__ = ["PLOT_HINT", "trajectories_figure", "trajectories_svg"]

PLOT_HINT = "install kconform[plot] for plots"


def _available() -> bool:
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        return False
    return True


def trajectories_svg(
    trajectories: dict[str, dict[str, Any]],
    columns: list[str],
    labels: dict[str, str],
    golden: set[str],
) -> str | None:
    """One SVG, a panel per scenario, a line per backend; None without matplotlib.

    Golden backends are dashed. Colours follow ``columns`` so a backend has
    the same colour in every panel.
    """
    if not trajectories or not _available():
        return None
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = trajectories_figure(trajectories, columns, labels, golden)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _inline(buf.getvalue())


_MARKERS = ("o", "s", "^", "D", "v", "x", "+", "*")
_RC = {"svg.hashsalt": "kconform", "svg.fonttype": "path", "font.size": 8}


def trajectories_figure(
    trajectories: dict[str, dict[str, Any]],
    columns: list[str],
    labels: dict[str, str],
    golden: set[str],
) -> Any:
    """The matplotlib Figure of :func:`trajectories_svg` (no pyplot)."""
    from matplotlib.figure import Figure

    scenarios = list(trajectories)
    ncols = min(3, len(scenarios))
    nrows = math.ceil(len(scenarios) / ncols)
    colours = [f"C{i % 10}" for i in range(len(columns))]
    height = 2.6 * nrows + 0.6
    fig = Figure(figsize=(3.6 * ncols, height))
    # A fixed layout: constrained layout costs more than the whole plot otherwise.
    fig.subplots_adjust(
        left=0.35 / ncols * 1.0,
        right=0.98,
        top=1 - 0.3 / height,
        bottom=0.95 / height,
        hspace=0.55,
        wspace=0.3,
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    handles: dict[str, Any] = {}
    for ax, scenario in zip(axes.flat, scenarios):
        series = trajectories[scenario]["backends"]
        for i, name in enumerate(columns):
            if name not in series:
                continue
            ys = [float(v) for v in series[name]]
            (line,) = ax.plot(
                range(1, len(ys) + 1),
                ys,
                marker=_MARKERS[i % len(_MARKERS)],
                markersize=max(7 - i, 3),  # lines that coincide stay visible
                fillstyle="none",
                color=colours[i],
                linestyle="--" if name in golden else "-",
                label=labels.get(name, name),
            )
            handles.setdefault(name, line)
        ax.set_title(scenario)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(scenarios) :]:
        ax.set_visible(False)
    fig.legend(
        [handles[n] for n in columns if n in handles],
        [labels.get(n, n) for n in columns if n in handles],
        loc="lower center",
        ncols=min(4, len(handles)) or 1,
    )
    return fig


def _inline(svg: str) -> str:
    """The ``<svg>`` element alone, for inline HTML: no prolog, metadata, comments
    (matplotlib writes each text there), or namespace declarations."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg.strip()
