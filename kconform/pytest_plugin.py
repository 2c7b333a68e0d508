"""The pytest plugin (``pytest11`` entry point): options, backends, items, summary."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from .plugins import BackendRegistry, install_hint
from .suite.profiles import PROFILES
from .suite.state import STATE_KEY, Outcome, SessionState

CHECK_MARKERS = {
    "values": "canonical cases against the float64 oracle",
    "property": "an op checked by its properties (random, autodiff, tensors)",
    "grad": "gradients against the oracle's float64 gradients",
    "special": "special values: ±0, ±inf, NaN, near overflow",
    "subnormal": "special-value cases whose inputs or results are subnormal",
    "range": "the dtype's whole domain: magnitudes, thresholds, tails, signed zeros",
    "errors": "invalid inputs that must raise",
    "promotion": "mixed-dtype calls against the promotion table",
    "explore": "hypothesis exploration of shapes, broadcasting and values",
    "lifecycle": "a stage of a model-lifecycle scenario (create, compile, fit, ...)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kconform", "kconform backend conformance")
    group.addoption(
        "--backend",
        action="store",
        default=None,
        help="Backends to test: 'all' (every installed one) or a comma-separated "
        "list such as 'numpy,jax' (default: numpy and the --backend-plugin "
        "backends; without numpy, those, or the only installed backend)",
    )
    group.addoption(
        "--backend-plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="Load an unpackaged backend plugin module by import path (repeatable), "
        "like pytest's -p",
    )
    group.addoption(
        "--kconform-profile",
        action="store",
        default=os.environ.get("KCONFORM_PROFILE", "ci"),
        choices=sorted(PROFILES),
        help="Hypothesis exploration profile: ci (derandomized, small; smoke: 3 "
        "examples, the smoke tier's default), dev, thorough",
    )
    group.addoption(
        "--kconform-report-dir",
        action="store",
        default=None,
        metavar="DIR",
        help="The run directory: records, reports and reproduction scripts "
        "(default: <kconform_reports>/<time>-<backends>)",
    )
    parser.addini(
        "kconform_reports",
        "Where each session's run directory <time>-<backends> goes, relative to "
        "the ini file (default: reports/ in the current directory)",
        default="",
    )
    group.addoption(
        "--kconform-golden",
        action="store",
        default="auto",
        choices=("auto", "off"),
        help="auto: compare with the shipped golden records of the built-in "
        "backends that did not run; off: only the backends that ran",
    )
    group.addoption(
        "--kconform-heartbeat",
        action="store",
        default=None,
        metavar="PATH",
        help="Write the running case and its start time to PATH at each case "
        "(used by `kconform run` to tell a hung or crashed backend's case)",
    )
    group.addoption(
        "--kconform-terminal",
        action="store",
        default="full",
        choices=("full", "brief"),
        help="full: the report's summary at the end of the session; brief: only "
        "where the report is (and whether the run is incomplete)",
    )
    group.addoption(
        "--kconform-tier",
        action="store",
        default="default",
        choices=("smoke", "default"),
        help="smoke: a stratified sample: every check kind of every op in the "
        "cheapest dtype that exercises it, and the mlp scenario; default: every "
        "case",
    )


def _select(
    registry: BackendRegistry, option: str | None, added: list[str]
) -> list[str]:
    installed = registry.names()
    if option is None:
        if "numpy" in installed:
            return ["numpy"] + [n for n in added if n != "numpy"]
        if added:
            return list(added)
        if len(installed) == 1:  # a backend author's environment: their backend
            return installed
        if installed:
            raise pytest.UsageError(
                "no --backend given, and the default, numpy, is not installed; "
                f"installed backends: {', '.join(installed)}. Choose with "
                f"`--backend={installed[0]}` (or a comma-separated list), or "
                "`--backend=all`"
            )
        return []
    if option.strip() == "all":
        return installed
    wanted = [n.strip() for n in option.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in installed]
    if unknown:
        hints = "; ".join(f"{n}: {install_hint(n)}" for n in unknown)
        raise pytest.UsageError(
            f"--backend asks for {', '.join(map(repr, unknown))}, "
            "which is not installed. "
            f"Installed backends: {', '.join(installed) or 'none'}. "
            f"To install: {hints}; "
            f"or try `--backend={','.join(installed) or 'all'}`"
        )
    return wanted


def _check_checkout(config: pytest.Config) -> None:
    """Refuse, saying why, to collect a checkout's ``kconform/`` with another
    kconform imported (a non-editable install: pytest would import the same
    module names from two places and stop with "import file mismatch")."""
    import kconform

    imported = Path(kconform.__file__).resolve().parent
    checkout = (config.rootpath / "kconform").resolve()
    if not (checkout / "__init__.py").is_file() or checkout == imported:
        return
    base = config.invocation_params.dir
    targets = [(base / str(a).split("::")[0]).resolve() for a in config.args]
    if not any(
        t == checkout or checkout in t.parents or t in checkout.parents for t in targets
    ):
        return
    raise pytest.UsageError(
        f"this checkout's tests ({checkout}) need this checkout's kconform, but "
        f"kconform is imported from {imported} (installed without -e, as the "
        "README's first command does). Either install the checkout editable "
        '(the README\'s second command: pip install -e ".[dev]" and each '
        "backend with -e), or run the installed suite from anywhere: "
        "pytest --pyargs kconform.suite --backend=..."
    )


def pytest_configure(config: pytest.Config) -> None:
    from .suite import interrupts

    _check_checkout(config)
    interrupts.install()  # a KeyboardInterrupt an op raises is not a Ctrl-C
    for name, doc in CHECK_MARKERS.items():
        config.addinivalue_line("markers", f"{name}: kconform check: {doc}")
    config.addinivalue_line(
        "markers", "requires(*capabilities): skip unless the backend declares them"
    )
    registry = BackendRegistry()
    added = []
    failed = _probe_plugins(config)
    for module in config.getoption("backend_plugin"):
        if module in failed["modules"]:
            continue  # never imported here: it may exit, hang or crash
        try:
            added.append(registry.add_module(module))
        except Exception as exc:
            raise pytest.UsageError(f"--backend-plugin={module}: {exc}") from exc
    selected = _select_with_failed(
        registry, config.getoption("backend"), added, failed["errors"]
    )
    report_dir = config.getoption("kconform_report_dir")
    # A pytest-xdist worker writes its reproductions into the controller's run.
    report_dir = getattr(config, "workerinput", {}).get(_RUN_DIR_KEY, report_dir)
    state = SessionState(
        registry=registry,
        selected=selected,
        profile=_profile(config),
        report_dir=Path(report_dir)
        if report_dir
        else default_run_dir(selected, _reports_base(config)),
    )
    state.load(failed["errors"])
    state.extra["failed_plugins"] = failed
    from .suite.recording import filters_text

    state.extra["filters"] = filters_text(
        [str(a) for a in config.invocation_params.args]
    )
    config.stash[STATE_KEY] = state
    collect_only = bool(config.getoption("collectonly", False))
    # xdist workers report to the controller; --collect-only runs nothing, so it
    # writes no run directory and prints no verdict.
    if not hasattr(config, "workerinput") and not collect_only:
        state.writer = _writer(config, state)
    config.pluginmanager.register(
        SessionReporter(
            state,
            golden=config.getoption("kconform_golden") != "off",
            brief=config.getoption("kconform_terminal") == "brief",
            collect_only=collect_only,
        ),
        "kconform-reporter",
    )
    heartbeat = config.getoption("kconform_heartbeat")
    if heartbeat and not hasattr(config, "workerinput"):
        from .runner.heartbeat import Heartbeat

        config.pluginmanager.register(Heartbeat(Path(heartbeat), state), "kconform-hb")
    if config.getoption("kconform_tier") == "smoke":
        from .runner.tiers import SmokeTier

        config.pluginmanager.register(SmokeTier(), "kconform-smoke")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    """A case's record rides on its report as the attribute ``kconform``: pytest
    serialises a report's attributes for pytest-xdist's controller, and unlike
    ``user_properties`` they stay out of JUnit XML, which gets a few scalars of
    the case instead (outcome, worst error, declared deviation)."""
    report = yield
    props = getattr(item, "kconform_props", None)
    if props is None:
        return report
    report.kconform = props
    if call.when == "call":
        outcome = props.get("outcome") or report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "deviation"
        scalars = [("kconform_outcome", outcome)]
        errors = {
            unit: value
            for unit, value in (props.get("error") or {}).items()
            if isinstance(value, (int, float))
        }
        if errors:
            unit, worst = max(errors.items(), key=lambda kv: kv[1])
            scalars.append(("kconform_worst", f"{worst:.3g} {unit}"))
        if props.get("deviation"):
            scalars.append(("kconform_deviation", str(props["deviation"])))
        item.user_properties.extend(scalars)  # JUnit reads the teardown report's
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After any plugin that shuffles (pytest-randomly, which reorders first,
    before every plain implementation): each scenario's lifecycle stages go
    back in order, as pytest-django keeps its database tests grouped."""
    from .suite.lifecycle import keep_stages_in_order

    keep_stages_in_order(items)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """What this session checks, before it starts (as Hypothesis and
    pytest-randomly say what they do): backends with their framework versions,
    tier, exploration profile, golden records, and where the run is written."""
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        return []
    from . import CONTRACT_VERSION, __version__

    backends = []
    for name in state.selected:
        backend = state.backends.get(name)
        if backend is None:
            backends.append(f"{name} (load error)")
            continue
        info = backend.info
        backends.append(
            f"{name} ({info.get('framework', '?')} "
            f"{info.get('framework_version', '?')}, {info.get('device', 'cpu')})"
        )
    lines = [
        f"kconform {__version__}, contract {CONTRACT_VERSION}: tier "
        f"{config.getoption('kconform_tier')}, profile {state.profile}, golden "
        f"{config.getoption('kconform_golden')}",
        "kconform backends: " + (", ".join(backends) or "none"),
    ]
    if state.writer is not None:
        lines.append(f"kconform run: {state.report_dir}")
    elif config.getoption("collectonly", False):
        lines.append("kconform run: none (--collect-only runs nothing)")
    return lines


def _profile(config: pytest.Config) -> str:
    """The exploration profile: ``--kconform-profile`` (or ``KCONFORM_PROFILE``)
    if given; else a Hypothesis profile the session was given
    (``--hypothesis-profile``, ``HYPOTHESIS_PROFILE``), recorded as
    ``hypothesis:<name>``; else the smoke tier's few examples, or ``ci``."""
    from .suite.profiles import HYPOTHESIS_PREFIX, registered_name

    profile = config.getoption("kconform_profile")
    asked = "--kconform-profile" in " ".join(config.invocation_params.args) or (
        "KCONFORM_PROFILE" in os.environ
    )
    if asked:
        return profile
    hypothesis_profile = config.getoption("hypothesis_profile", None) or os.environ.get(
        "HYPOTHESIS_PROFILE"
    )
    if hypothesis_profile:
        for name in PROFILES:  # one of ours, by the name Hypothesis knows it by
            if hypothesis_profile == registered_name(name):
                return name
        return HYPOTHESIS_PREFIX + hypothesis_profile
    if config.getoption("kconform_tier") == "smoke":
        return "smoke"
    return profile


_RUN_DIR_KEY = "kconform_run_dir"
_FAILED_KEY = "kconform_failed_plugins"


def _select_with_failed(
    registry: BackendRegistry,
    option: str | None,
    added: list[str],
    errors: dict[str, str],
) -> list[str]:
    """:func:`_select`, where the plugins that failed to load (``errors``) are
    selected as load errors: by default, or when ``--backend`` names them."""
    if not errors:
        return _select(registry, option, added)
    if option is None:
        ok = (
            _select(registry, None, added)
            if added or "numpy" in registry.names()
            else []
        )
    elif option.strip() == "all":
        ok = _select(registry, option, added)
    else:
        rest = [n.strip() for n in option.split(",") if n.strip() not in errors]
        ok = _select(registry, ",".join(rest), added) if rest else []
    return [*ok, *(n for n in errors if n not in ok)]


def _probe_plugins(config: pytest.Config) -> dict[str, Any]:
    """The ``--backend-plugin`` modules that fail to import and bind in a watched
    child process (runner/probe.py): ``{"errors": {backend or module: what
    happened}, "modules": [the modules]}``. A pytest-xdist worker takes the
    controller's answer."""
    inherited = getattr(config, "workerinput", {}).get(_FAILED_KEY)
    if inherited is not None:
        return inherited
    from .runner.probe import probe_plugin

    failed: dict[str, Any] = {"errors": {}, "modules": []}
    for module in config.getoption("backend_plugin"):
        probe = probe_plugin(module)
        if probe.error is not None and not probe.missing:
            failed["errors"][probe.backend or module] = probe.error
            failed["modules"].append(module)
    return failed


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Under pytest-xdist: tell each worker the controller's run directory, and
    which plugin modules failed to load (they are not imported again)."""
    state = node.config.stash.get(STATE_KEY, None)
    if state is not None:
        node.workerinput[_RUN_DIR_KEY] = str(state.report_dir)
        node.workerinput[_FAILED_KEY] = state.extra.get(
            "failed_plugins", {"errors": {}, "modules": []}
        )


def _reports_base(config: pytest.Config) -> Path:
    """The ini option ``kconform_reports`` (relative to the ini file), else
    ``reports`` in the current directory."""
    base = str(config.getini("kconform_reports") or "").strip()
    if not base:
        return Path("reports")
    anchor = config.inipath.parent if config.inipath else config.rootpath
    return anchor / base


def default_run_dir(selected: list[str], base: Path = Path("reports")) -> Path:
    """``<base>/<UTC time>-<backends>``: a new directory per run."""
    import datetime as dt

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    names = "-".join(selected)[:60] or "none"
    return base / f"{stamp}-{names}"


def _writer(config: pytest.Config, state: SessionState) -> Any:
    import sys

    from .records import RunWriter
    from .suite.recording import backend_record

    writer = RunWriter(
        state.report_dir,
        run=state.report_dir.name,
        profile=state.profile,
        argv=[Path(sys.argv[0]).name, *config.invocation_params.args],
    )
    for name in state.selected:
        writer.add_backend(backend_record(state, name))
    return writer


def pytest_pycollect_makeitem(
    collector: pytest.Collector, name: str, obj: object
) -> Any:
    from .suite.items import SpecSuite
    from .suite.lifecycle import LifecycleSuite

    if isinstance(obj, (SpecSuite, LifecycleSuite)):
        return obj.collect(collector)
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``pytest -n``: every case alone, but a scenario's stages on one worker.

    Lifecycle stages share a context per scenario and backend, so they must run
    in order in one process. (xdist's own ``loadgroup`` renames node ids, which
    pytest 9.2 no longer lets it do, so kconform schedules by scope itself.)
    """
    if config.getvalue("dist") != "load":
        return None  # the user chose a distribution mode: keep it
    from xdist.scheduler import LoadScopeScheduling

    from .suite.lifecycle import lifecycle_scope

    class KconformScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return lifecycle_scope(nodeid) or nodeid

    return KconformScheduling(config, log)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        names = metafunc.config.stash[STATE_KEY].selected
        metafunc.parametrize("backend", names, indirect=True, ids=names)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Any:
    """The :class:`kconform.Backend` under test (parametrized by ``--backend``)."""
    state = request.config.stash[STATE_KEY]
    name = request.param
    if name in state.load_errors:
        pytest.fail(str(state.load_errors[name]), pytrace=False)
    b = state.backends[name]
    for marker in request.node.iter_markers("requires"):
        lacking = [c for c in marker.args if not b.supports(c)]
        if lacking:
            pytest.skip(f"unsupported: backend {name!r} does not declare {lacking}")
    return b


#: The backend in a case id: ``softmax[torch-float32]``, ``matmul-errors[jax]``.
_BACKEND_IN_ID = re.compile(r"\[([^\]\-]+)(?:-[^\]]*)?\]$")


#: Seconds between renders of the reports at checkpoints, at least (a run killed
#: outright still leaves summary.md and report.html of what had finished).
RENDER_EVERY = 30.0
#: A checkpoint render may take at most this share of the session's time.
RENDER_SHARE = 0.05


class SessionReporter:
    """Collects kconform outcomes of a session, writes records and reports."""

    def __init__(
        self,
        state: SessionState,
        golden: bool = True,
        brief: bool = False,
        collect_only: bool = False,
    ) -> None:
        self.state = state
        self.golden = golden
        self.brief = brief
        self.collect_only = collect_only
        self.terminal_lines: list[str] | None = None
        self._next_render: float | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        from .suite.recording import planned_ids

        if self.state.writer is None:
            return
        for name, ids in planned_ids(session.items).items():
            self.state.writer.plan(name, ids)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any) -> Any:
        result = yield
        from .suite import interrupts

        if interrupts.received():  # even if the code under test swallowed it
            item.session.shouldstop = "interrupted by a signal (SIGINT or SIGTERM)"
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = getattr(report, "kconform", None)
        if props is None:
            self._maybe_crashed(report)
            return
        if report.when != "call":
            return
        from .suite import interrupts

        if report.failed and interrupts.received():
            return  # cut short by the interrupt: not run, not failed
        outcome = props.get("outcome")
        if hasattr(report, "wasxfail"):
            outcome = "deviation"
        elif outcome is None:
            outcome = (
                "passed" if report.passed else "failed" if report.failed else "skipped"
            )
        self.state.outcomes.append(
            Outcome(
                case_id=report.nodeid.rsplit("::", 1)[-1],
                backend=props["backend"],
                op=props["op"],
                kind=props["kind"],
                dtype=props.get("dtype"),
                outcome=outcome,
                worst_ulp=props.get("worst_ulp"),
                deviation=props.get("deviation"),
            )
        )
        writer = self.state.writer
        if writer is not None:
            from .suite.recording import case_record

            backend, case, arrays = case_record(report, props, outcome)
            writer.add_case(backend, case, arrays)
            writer.checkpoint()
            self._maybe_render()

    def _maybe_render(self) -> None:
        """Render the reports of the run so far, at most every RENDER_EVERY s."""
        now = time.monotonic()
        if self._next_render is None:
            self._next_render = now + RENDER_EVERY
        if now < self._next_render:
            return
        self.state.writer.checkpoint(force=True)
        from .report import render

        try:
            render(self.state.report_dir, golden=self.golden)
        except Exception:  # noqa: BLE001 - the final render reports failures
            self._next_render = float("inf")
            return
        took = time.monotonic() - now
        self._next_render = time.monotonic() + max(RENDER_EVERY, took / RENDER_SHARE)

    def _maybe_crashed(self, report: pytest.TestReport) -> None:
        """A pytest-xdist worker that died mid-case reports it failed, without props."""
        writer = self.state.writer
        if writer is None or not report.failed:
            return
        name = report.nodeid.rsplit("::", 1)[-1]
        for backend in self.state.selected:
            rec = writer.backend_record(backend)
            if name in rec["planned"] and name not in rec["cases"]:
                from .suite.recording import crashed_record

                writer.add_case(backend, crashed_record(report, backend, name), {})
                writer.checkpoint(force=True)
                return

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """Under pytest-xdist the controller does not collect: learn case ids here."""
        case_ids = self.state.extra.setdefault("case_ids", {})
        for nodeid in ids:
            name = nodeid.rsplit("::", 1)[-1]
            if name.startswith("test"):
                continue  # an ordinary test using the backend fixture, not a case
            match = _BACKEND_IN_ID.search(name)
            if match and match.group(1) in self.state.selected:
                backend = match.group(1)
                self.state.collected_backends.add(backend)
                ids_of = case_ids.setdefault(backend, [])
                if name not in ids_of:
                    ids_of.append(name)
                if self.state.writer is not None and not name.startswith(
                    "backend-load["
                ):
                    self.state.writer.plan(backend, [name])

    def _active(self) -> bool:
        if self.collect_only:
            return False
        return bool(self.state.collected_backends or self.state.outcomes)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self._active():
            return
        lines = self.terminal_lines or []
        if lines and self.brief:  # where the report is, and the banners
            lines = [ln for ln in lines if ln.startswith(("report: ", "!!"))]
        for line in lines:
            terminalreporter.write_line(str(line), **getattr(line, "markup", {}))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self._active():
            return
        self._finish_records(exitstatus)
        if exitstatus != 0:
            return
        ran = [
            o
            for o in self.state.outcomes
            if o.outcome in ("passed", "failed", "deviation")
        ]
        if self.state.outcomes and not ran:
            # Everything was skipped: a conformance run that checked nothing is no pass.
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _finish_records(self, exitstatus: int) -> None:
        from .summary import stale_deviations

        writer = self.state.writer
        if writer is None:
            return
        for line in stale_deviations(self.state):
            name = line.split(":", 1)[0]
            writer.backend_record(name)["stale_deviations"].append(line)
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        writer.finish(
            complete=not interrupted,
            detail="interrupted (Ctrl-C or SIGTERM)" if interrupted else None,
        )
        self.terminal_lines = self._render_final()

    def _render_final(self) -> list[str]:
        """The reports of the finished records; a failure is a warning, not a crash."""
        from .report import render

        directory = self.state.report_dir
        try:
            return render(directory, golden=self.golden, step_summary=True)
        except Exception as exc:  # noqa: BLE001 - the records are written already
            return [
                "",
                f"kconform: warning: the report could not be rendered "
                f"({type(exc).__name__}: {exc})",
                f"kconform: the records are intact in {directory / 'results.json'}; "
                f"render them again with `kconform report {directory}`",
            ]
