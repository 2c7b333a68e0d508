"""Finding, validating and binding backend plugins (entry points and plain modules)."""

from __future__ import annotations

import difflib
import importlib
import inspect
import traceback
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from .backend import Backend
from .contract import ESSENTIAL, GROUP_MODULES, OPS, PREFIX, PROJECT, op_names
from .deviations import expand_entries
from .errors import BackendLoadError, KconformError, UnknownBackendError

__all__ = ["ENTRY_POINT_GROUP", "BackendRegistry", "bind_plugin", "install_hint"]

ENTRY_POINT_GROUP = "kconform.backends"
_INFO_KEYS = ("name", "version", "framework", "framework_version", "device")


class _Manager(pluggy.PluginManager):
    """A PluginManager that, like pytest's, also takes unmarked ``kconform_*`` hooks."""

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(PREFIX):
            if callable(getattr(plugin, name, None)):
                opts = {
                    "wrapper": False,
                    "hookwrapper": False,
                    "optionalhook": False,
                    "tryfirst": False,
                    "trylast": False,
                    "specname": None,
                }
        return opts


def _new_manager() -> _Manager:
    pm = _Manager(PROJECT)
    for module in GROUP_MODULES:
        pm.add_hookspecs(module)
    return pm


def install_hint(name: str) -> str:
    """How to install the built-in backend ``name`` (or a third-party one)."""
    builtin = {"numpy", "jax", "torch", "tensorflow"}
    if name in builtin:
        extra = "pip install torch==2.13.0 && " if name == "torch" else ""
        return f"{extra}pip install ./backends/{name} (from a kconform checkout)"
    return (
        f"install the package that provides the {ENTRY_POINT_GROUP!r} entry point "
        f"{name!r}"
    )


def _signature_problem(plugin: str, hook: str, func: Any) -> str | None:
    spec_args = OPS[hook[len(PREFIX) :]].argnames
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return None
    impl_args = tuple(params)
    if impl_args == spec_args:
        return None
    with_defaults = [n for n, p in params.items() if p.default is not p.empty]
    fix = "declare exactly the hookspec's arguments, in order, without defaults"
    detail = ""
    if with_defaults:
        detail = (
            f"; argument(s) {with_defaults} have defaults, which pluggy never passes"
        )
    return (
        f"Plugin {plugin!r} for hook {hook!r}: hookimpl definition "
        f"{hook}({', '.join(impl_args)}) does not match the hookspec "
        f"{hook}({', '.join(spec_args)}){detail}. Fix: {fix}."
    )


def _validate(plugin_name: str, plugin: Any) -> list[str]:
    problems: list[str] = []
    defined = [
        n for n in dir(plugin) if n.startswith(PREFIX) and callable(getattr(plugin, n))
    ]
    known_hooks = [info.hook for info in OPS.values()]
    for hook in defined:
        if hook not in known_hooks:
            close = difflib.get_close_matches(hook, known_hooks, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "see `kconform contract`"
            problems.append(
                f"Plugin {plugin_name!r} defines {hook!r}, which is not a hook of the "
                f"kconform contract; {hint} Fix: rename it, or drop the "
                f"{PREFIX!r} prefix if it is a helper."
            )
            continue
        problem = _signature_problem(plugin_name, hook, getattr(plugin, hook))
        if problem:
            problems.append(problem)
    # Only the essential hooks are needed to load: the rest of the contract
    # may be brought up op by op (each absent op is reported as missing).
    missing = [OPS[n].hook for n in ESSENTIAL if OPS[n].hook not in defined]
    if missing:
        problems.append(
            f"Plugin {plugin_name!r} lacks {', '.join(missing)}: a backend needs "
            f"at least {', '.join(OPS[n].hook for n in ESSENTIAL)} to load (every "
            "other op may be missing while you bring it up). Fix: implement "
            "them (`kconform contract` specifies each hook; `kconform "
            "new-backend NAME` writes a package that has them)."
        )
    return problems


def _call_meta(plugin_name: str, plugin: Any, hook: str) -> Any:
    try:
        return getattr(plugin, hook)()
    except Exception as exc:  # a plugin bug: report it as a load error
        raise BackendLoadError(
            plugin_name, [f"Hook {hook!r} raised {type(exc).__name__}: {exc}"]
        ) from exc


def _check_info(plugin_name: str, info: Any) -> list[str]:
    if not isinstance(info, dict):
        return [
            f"Hook 'kconform_backend_info' returned {type(info).__name__}; "
            f"expected a dict with keys {list(_INFO_KEYS)}"
        ]
    lacking = [k for k in _INFO_KEYS if k not in info]
    if lacking:
        return [
            f"Hook 'kconform_backend_info' returned a dict without {lacking}; "
            f"expected the keys {list(_INFO_KEYS)}"
        ]
    return []


def bind_plugin(plugin: Any, plugin_name: str, source: str = "") -> Backend:
    """Validate a plugin object (usually a module) and bind it into a :class:`Backend`.

    Raises :class:`BackendLoadError` listing every problem found.
    """
    problems = _validate(plugin_name, plugin)
    if problems:
        raise BackendLoadError(plugin_name, problems)
    pm = _new_manager()
    try:
        pm.register(plugin, name=plugin_name)
    except pluggy.PluginValidationError as exc:
        raise BackendLoadError(plugin_name, [f"{exc}"]) from exc
    impls = {}
    for op in op_names():
        hookimpls = getattr(pm.hook, OPS[op].hook).get_hookimpls()
        if hookimpls:
            impls[op] = hookimpls[-1].function
    info = _call_meta(plugin_name, plugin, "kconform_backend_info")
    problems = _check_info(plugin_name, info)
    caps = _call_meta(plugin_name, plugin, "kconform_capabilities")
    if not isinstance(caps, (list, tuple, set, frozenset)):
        problems.append(
            f"Hook 'kconform_capabilities' returned {type(caps).__name__}; "
            "expected a list of capability names"
        )
    deviations: list[dict[str, str]] = []
    if hasattr(plugin, "kconform_deviations"):
        declared = _call_meta(plugin_name, plugin, "kconform_deviations") or []
        try:
            deviations = expand_entries(declared, "Hook 'kconform_deviations'")
        except KconformError as exc:
            problems.append(str(exc))
    if problems:
        raise BackendLoadError(plugin_name, problems)
    return Backend(
        name=plugin_name,
        plugin=plugin,
        info=info,
        capabilities=frozenset(caps),
        impls=impls,
        deviations=deviations,
        source=source,
    )


def _import_failure(
    plugin_name: str, what: str, exc: BaseException, module: bool = False
) -> BackendLoadError:
    tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
    fix = (
        f"check that it imports on its own: python -c 'import {plugin_name}'"
        if module
        else f"{install_hint(plugin_name)}, and check that its framework imports "
        "on its own"
    )
    return BackendLoadError(
        plugin_name, [f"Importing {what} failed: {tb}. Fix: {fix}."]
    )


class BackendRegistry:
    """Every backend this process can use: entry points plus modules added by path.

    Loading is lazy and cached; a failed load is cached too, as its error.
    """

    def __init__(self, entry_point_group: str = ENTRY_POINT_GROUP) -> None:
        self._eps: dict[str, EntryPoint] = {
            ep.name: ep for ep in entry_points(group=entry_point_group)
        }
        self._modules: dict[str, str] = {}
        self._loaded: dict[str, Backend | BackendLoadError] = {}

    def add_module(self, module_path: str) -> str:
        """Add an unpackaged plugin module by import path; return its backend name."""
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as exc:
            top = module_path.split(".")[0]
            if exc.name not in (module_path, top):
                raise _import_failure(
                    module_path, f"module {module_path!r}", exc, module=True
                ) from exc
            raise BackendLoadError(
                module_path,
                [
                    f"Module {module_path!r} is not importable from here: no "
                    f"{exc.name!r} on sys.path. A plugin module given by path is "
                    "imported like any module: plain `pytest` does not put the "
                    "working directory on sys.path (`python -m pytest` and "
                    "`kconform run` do). Fix: run `python -m pytest ...`, or set "
                    "PYTHONPATH to the directory that holds it, or package it "
                    "with an entry point (`kconform new-backend NAME`)."
                ],
            ) from exc
        except Exception as exc:
            raise _import_failure(
                module_path, f"module {module_path!r}", exc, module=True
            ) from exc
        name = module_path
        info = getattr(module, "kconform_backend_info", None)
        if callable(info):
            try:
                name = str(info()["name"])
            except Exception:  # reported properly by bind_plugin on load
                name = module_path
        self._modules[name] = module_path
        self._loaded.pop(name, None)
        return name

    def names(self) -> list[str]:
        """Installed backend names: entry points first (sorted), then added modules."""
        return sorted(self._eps) + [n for n in self._modules if n not in self._eps]

    def load(self, name: str) -> Backend:
        """Load and bind backend ``name``, raising its load error if it has one."""
        if name not in self._loaded:
            self._loaded[name] = self._load(name)
        result = self._loaded[name]
        if isinstance(result, BackendLoadError):
            raise result
        return result

    def _load(self, name: str) -> Backend | BackendLoadError:
        if name in self._modules:
            what, load = (
                f"module {self._modules[name]!r}",
                lambda: importlib.import_module(self._modules[name]),
            )
            source = f"module {self._modules[name]}"
        elif name in self._eps:
            ep = self._eps[name]
            what, load, source = (
                f"entry point {ep.value!r}",
                ep.load,
                f"entry point {ep.value}",
            )
        else:
            installed = ", ".join(self.names()) or "none"
            raise UnknownBackendError(
                f"No backend named {name!r}; installed: {installed}. "
                f"To install it: {install_hint(name)}"
            )
        try:
            plugin = load()
        except Exception as exc:
            return _import_failure(name, what, exc)
        try:
            return bind_plugin(plugin, name, source=source)
        except BackendLoadError as exc:
            return exc
