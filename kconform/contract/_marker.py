"""The hookspec/hookimpl markers and the `op` decorator recording contract metadata."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pluggy

PROJECT = "kconform"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

F = TypeVar("F", bound=Callable[..., Any])


def op(group: str, *, required: bool = True, **defaults: Any) -> Callable[[F], F]:
    """Mark a contract hookspec: its group, whether it is required, its defaults.

    Pluggy hookspecs cannot carry default values (arguments with defaults are
    not passed to implementations), so the defaults a caller may omit are kept
    here as metadata; :class:`kconform.Backend` builds its bound ops with them.
    """

    def decorate(func: F) -> F:
        func.kconform_group = group  # type: ignore[attr-defined]
        func.kconform_required = required  # type: ignore[attr-defined]
        func.kconform_defaults = dict(defaults)  # type: ignore[attr-defined]
        return hookspec(firstresult=True)(func)

    return decorate
