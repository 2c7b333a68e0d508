"""What the reader must act on: verdicts, failures, probable common causes, next steps.

:func:`findings` computes the ``findings`` section of ``results.json`` from
the live backends' records (golden columns ran elsewhere: they have no
findings here). Per backend:

``cases``
    every case that failed, crashed or timed out, grouped by op (the ops with
    the most such cases first), each with its whole message, its traceback
    when it raised, and its reproduction files (paths relative to the run
    directory);
``blocked``
    cases that could not run, grouped by what blocked them (an op the backend
    lacks, a lifecycle stage that failed before);
``causes``
    probable common causes: one dtype failing across most ops (its conversion
    in or out of the backend), one check failing across most ops (gradients,
    special values, error cases, promotion), the same message across ops;
``deviations``
    each declared entry with its reason, link and the cases it matched;
``missing``
    the contract ops the backend does not implement, required ones first.

The renderers (terminal, Markdown, HTML) put these first.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from ..contract import op_names

__all__ = [
    "FAILED",
    "findings",
    "next_steps",
    "selection_line",
    "suggest_deviations",
    "verdict_counts",
]

#: Outcomes listed as failures, with their messages.
FAILED = ("failed", "crashed", "timeout")

#: A check kind failing across most ops points at one piece of the backend.
_KIND_HINT = {
    "grad": "its autodiff (kconform_value_and_grad), or an op the gradient "
    "check uses (sum, multiply)",
    "special": "its handling of ±0, ±inf, NaN and values near overflow",
    "subnormal": "subnormals (flushed to zero where they must be kept?)",
    "range": "values far from the canonical few units: large or tiny magnitudes, "
    "overflow thresholds, tails, signed zeros, int64 beyond int32",
    "explore": "shapes, broadcasting or axes beyond the canonical ones",
    "errors": "what must raise: invalid calls must raise eagerly, before any "
    "result is returned (see `kconform contract`, conventions)",
    "promotion": "the contract's promotion table (`kconform contract`)",
}
_KIND_WORD = {
    "grad": "gradient",
    "special": "special-value",
    "subnormal": "subnormal",
    "range": "whole-range",
    "explore": "exploration",
    "errors": "error-case",
    "promotion": "promotion",
}
#: Messages about numbers (how far from the oracle) are not a common cause.
_NUMERIC = re.compile(
    r"^(max error|values differ|gradient of|tail rule|zero of the wrong sign)"
)
_NUMBER = re.compile(r"(?<![A-Za-z_\d])[-+]?\d+(\.\d+)?(e[-+]?\d+)?")


def _first_line(message: str | None) -> str:
    lines = [ln for ln in (message or "").splitlines() if ln.strip()]
    return lines[0].strip() if lines else ""


def _headline(case: dict[str, Any], keep_id: bool = False) -> str:
    """The message's first line without the repro path (and the case id)."""
    text = re.sub(r" — repro: .*$", "", _first_line(case.get("message")))
    return text if keep_id else text.removeprefix(case["id"]).strip()


def _signature(case: dict[str, Any], backend: str) -> str | None:
    """The message of a case with what varies per case taken out, or None."""
    text = _headline(case)
    if not text or _NUMERIC.match(text):
        return None
    text = re.sub(r"\([^()]*\)", "(…)", text)
    text = text.replace(f"{backend}=", "backend=")
    return _NUMBER.sub("#", text)


def _display(case: dict[str, Any]) -> str:
    """The message as a report shows it under the case's id and links: without
    the id it starts with and the repro path (both are beside it)."""
    text = (case.get("message") or "(no message recorded)").strip()
    text = text.removeprefix(case["id"]).lstrip()
    first, sep, rest = text.partition("\n")
    first = re.sub(r" — repro: \S+$", "", first)
    return first + sep + rest


def _case_summary(case: dict[str, Any]) -> dict[str, Any]:
    out = {
        "text": _display(case),
        "id": case["id"],
        "op": case.get("op"),
        "kind": case.get("kind"),
        "dtype": case.get("dtype"),
        "outcome": case.get("outcome"),
        "message": case.get("message") or "(no message recorded)",
        "repro": list(case.get("repro", [])),
    }
    if case.get("traceback"):
        out["traceback"] = case["traceback"]
    return out


def _by_op(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        groups.setdefault(case.get("op") or case["id"], []).append(case)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"op": op, "cases": [_case_summary(c) for c in cs]} for op, cs in ordered]


def _ops_word(ops: list[str], limit: int = 8) -> str:
    shown = ", ".join(ops[:limit])
    return shown + (f" and {len(ops) - limit} more" if len(ops) > limit else "")


def _causes(
    backend: str, cases: list[dict[str, Any]], bad: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Probable common causes among the failing cases ``bad`` of all ``cases``."""
    causes: list[dict[str, Any]] = []
    op_cases = [c for c in cases if c.get("kind") not in ("lifecycle", "crashed")]
    bad_ops = [c for c in bad if c.get("kind") not in ("lifecycle", "crashed")]

    def ops_with(pred: Any, among: list[dict[str, Any]]) -> list[str]:
        return sorted({c["op"] for c in among if pred(c)})

    # One dtype failing across most of the ops that have it.
    dtypes = sorted({c["dtype"] for c in op_cases if c.get("dtype")})
    for dtype in dtypes:
        have = ops_with(lambda c, d=dtype: c.get("dtype") == d, op_cases)
        fail = ops_with(lambda c, d=dtype: c.get("dtype") == d, bad_ops)
        other_have = ops_with(
            lambda c, d=dtype: c.get("dtype") not in (d, None), op_cases
        )
        other_fail = ops_with(
            lambda c, d=dtype: c.get("dtype") not in (d, None), bad_ops
        )
        share = len(fail) / len(have) if have else 0.0
        other_share = len(other_fail) / len(other_have) if other_have else 0.0
        if len(fail) >= 3 and share >= 0.5 and other_share < share / 2:
            n = sum(1 for c in bad_ops if c.get("dtype") == dtype)
            causes.append(
                {
                    "kind": "dtype",
                    "key": dtype,
                    "cases": n,
                    "ops": fail,
                    "text": f"{len(fail)} of the {len(have)} ops that have {dtype} "
                    f"cases fail in {dtype} ({n} cases; {len(other_fail)} ops fail "
                    f"in other dtypes): look first at how {dtype} goes into and out "
                    "of the backend (kconform_from_numpy, kconform_to_numpy, "
                    "kconform_cast) and at its result dtypes",
                }
            )
    # One check failing across most of the ops that have it.
    for kind, hint in _KIND_HINT.items():
        have = ops_with(lambda c, k=kind: c.get("kind") == k, op_cases)
        fail = ops_with(lambda c, k=kind: c.get("kind") == k, bad_ops)
        if len(fail) >= 3 and len(fail) >= 0.5 * len(have):
            n = sum(1 for c in bad_ops if c.get("kind") == kind)
            causes.append(
                {
                    "kind": "check",
                    "key": kind,
                    "cases": n,
                    "ops": fail,
                    "text": f"the {_KIND_WORD[kind]} check fails on {len(fail)} of "
                    f"{len(have)} ops ({n} cases): look first at {hint}",
                }
            )
    # The same message (numbers aside) across several ops.
    groups: dict[str, list[dict[str, Any]]] = {}
    for case in bad:
        sig = _signature(case, backend)
        if sig:
            groups.setdefault(sig, []).append(case)
    for sig, members in groups.items():
        ops = sorted({c.get("op") or c["id"] for c in members})
        if len(members) >= 3 and len(ops) >= 2:
            example = _headline(members[0], keep_id=True)
            causes.append(
                {
                    "kind": "message",
                    "key": sig,
                    "cases": len(members),
                    "ops": ops,
                    "text": f"{len(members)} cases across {len(ops)} ops fail the "
                    f"same way: {example}",
                }
            )
    causes.sort(key=lambda c: -c["cases"])
    for cause in causes:
        cause["text"] += f" (ops: {_ops_word(cause['ops'])})"
    return causes


def _blocked(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        if case.get("outcome") == "blocked":
            reason = _first_line(case.get("message")).removeprefix("blocked: ")
            reason = reason or "blocked"
            groups.setdefault(reason, []).append(case)
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    return [
        {"reason": reason, "cases": [c["id"] for c in members]}
        for reason, members in ordered
    ]


def _deviations(record: dict[str, Any], cases: list[dict[str, Any]]) -> list[dict]:
    entries = record.get("deviations")
    matched: dict[str, list[str]] = {}
    for case in cases:
        if case.get("outcome") == "deviation" and case.get("deviation"):
            matched.setdefault(case["deviation"], []).append(case["id"])
    if entries is None:  # records written before the entries were kept
        entries = [{"id": d, "reason": ""} for d in matched]
    out = []
    for entry in entries:
        ids = matched.get(entry.get("id", ""), [])
        out.append(
            {
                "id": entry.get("id"),
                "reason": entry.get("reason", ""),
                "link": entry.get("link") or entry.get("tracking"),
                "cases": ids,
            }
        )
    return [d for d in out if d["cases"]] + [d for d in out if not d["cases"]]


def _missing(record: dict[str, Any], required: list[str]) -> list[str]:
    """The ops the backend lacks: the overview's missing required ones first."""
    if record.get("load_error"):
        return []
    implemented = set(record.get("implemented", []))
    optional = [n for n in op_names() if n not in implemented and n not in required]
    return [*required, *optional]


def findings(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``findings`` section: per live backend, what to act on."""
    out: dict[str, Any] = {}
    for name in doc["overview"]["live"]:
        record = doc["backends"].get(name, {})
        cases = list(record.get("cases", {}).values())
        bad = [c for c in cases if c.get("outcome") in FAILED]
        required = doc["overview"]["backends"][name]["missing_required"]
        out[name] = {
            "failed": len(bad),
            "groups": _by_op(bad),
            "causes": _causes(name, cases, bad),
            "blocked": _blocked(cases),
            "not_run": sum(1 for c in cases if c.get("outcome") == "not-run"),
            "deviations": _deviations(record, cases),
            "missing": _missing(record, required),
            "missing_required": required,
        }
    return {"backends": out}


def verdict_counts(entry: dict[str, Any]) -> str:
    """``1247 passed, 58 deviations, 1 missing`` (the counts that are not zero)."""
    counts = entry["counts"]
    words = [
        ("passed", "passed"),
        ("failed", "failed"),
        ("crashed", "crashed"),
        ("timeout", "timed out"),
        ("blocked", "blocked"),
        ("not-run", "not run"),
        ("deviation", "deviations"),
        ("missing", "missing"),
        ("unsupported", "unsupported"),
        ("skipped", "skipped"),
    ]
    parts = [f"{counts[k]} {w}" for k, w in words if counts.get(k)]
    text = ", ".join(parts) or "no case"
    if entry.get("implemented") is not None and entry.get("contract_size"):
        if entry["implemented"] < entry["contract_size"]:
            text += f" · {entry['implemented']}/{entry['contract_size']} ops"
    return text


def selection_line(doc: dict[str, Any]) -> str | None:
    """Whether the run selected part of the suite, and how many cases it covers."""
    parts = []
    for name in doc["overview"]["live"]:
        record = doc["backends"].get(name, {})
        size = record.get("suite_size")
        planned = len(record.get("planned", []))
        if size and 0 < planned < size:
            filters = (record.get("selection") or {}).get("filters") or ""
            parts.append((name, planned, size, filters))
    if not parts:
        return None
    filters = sorted({f for *_, f in parts if f})
    each = "; ".join(f"{n}: {p} of {s}" for n, p, s, _ in parts)
    how = f" ({'; '.join(filters)})" if filters else ""
    return (
        f"Filtered run{how}: the verdict covers the selected cases only ({each}); "
        "golden columns are compared over the same cases."
    )


def next_steps(doc: dict[str, Any], directory_hint: str = "RUN_DIR") -> list[str]:
    """What to do next, from what the run found (plain text, one step a line)."""
    ov = doc["overview"]
    found = doc.get("findings", {}).get("backends", {})
    steps: list[str] = []
    for name in ov["live"]:
        f = found.get(name)
        b = ov["backends"][name]
        if b["load_error"]:
            steps.append(
                f"{name}: fix the load error above, then `kconform list` shows "
                "it loading."
            )
            continue
        if f is None:
            continue
        if f["groups"]:
            first = f["groups"][0]["cases"][0]
            repro = next((r for r in first["repro"] if r.endswith(".py")), None)
            ops = [g["op"] for g in f["groups"]]
            step = f"{name}: {f['failed']} failing case(s) in {len(ops)} op(s)"
            if f["causes"]:
                step += "; start with the probable common cause listed above"
            if repro:
                step += f"; reproduce the first with `python {repro}` (in the run "
                step += "directory)"
            k = " or ".join(ops[:3])
            step += (
                f"; rerun just those with `kconform run --backend={name} -- -k "
                f"{shlex.quote(k)}`"
            )
            steps.append(step + ".")
            steps.append(
                f"{name}: a failure you will not fix now can be declared with its "
                f"reason: `kconform deviations suggest {directory_hint} "
                f"--backend={name}` drafts the entries."
            )
        if f["missing_required"]:
            steps.append(
                f"{name}: implement the {len(f['missing_required'])} missing "
                f"required op(s), e.g. {_ops_word(f['missing_required'], 6)} "
                "(`kconform contract` specifies each)."
            )
        if b["stale_deviations"]:
            steps.append(f"{name}: remove the stale deviations listed under Warnings.")

    good = [
        n
        for n in ov["live"]
        if ov["backends"][n]["level"] in ("conformant", "conformant with deviations")
    ]
    if good:
        which = good[0] if len(good) == 1 else "NAME"
        steps.append(
            f"{', '.join(good)}: conformant. Keep it so in CI: `kconform run "
            f"--backend={which}` exits 0 only while it is (README, 'Writing a "
            "backend')."
        )
    if not doc.get("complete"):
        steps.insert(0, "The run did not finish: rerun it for a full verdict.")
    return steps


def suggest_deviations(doc: dict[str, Any], backend: str) -> str:
    """A draft deviations file for ``backend``'s failed cases, grouped by message.

    One entry per op and kind of failure (numbers and sample labels aside),
    listing the exact case ids, with the first message as a placeholder reason
    for the author to replace by the real one.
    """
    import json

    record = doc["backends"][backend]
    failed = [
        c for c in record.get("cases", {}).values() if c.get("outcome") == "failed"
    ]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for case in failed:
        text = re.sub(r"\([^()]*\)", "(…)", _headline(case))
        text = text.replace(f"{backend}=", "=")
        key = (case.get("op") or case["id"], _NUMBER.sub("#", text))
        groups.setdefault(key, []).append(case)
    lines = [
        f"# Draft deviations for {backend!r}, from {len(failed)} failed case(s) of "
        f"run {doc.get('run')!r}.",
        "# Edit each reason to say why the case fails (and link the issue that",
        "# tracks it); drop the entries you mean to fix instead. Copy the result",
        "# into the deviations.toml your plugin's kconform_deviations hook reads.",
        "",
    ]
    for _key, members in sorted(groups.items(), key=lambda kv: kv[0]):
        example = _headline(members[0], keep_id=True)
        lines += [
            "[[deviation]]",
            "ids = [" + ", ".join(json.dumps(c["id"]) for c in members) + "]",
            f"reason = {json.dumps('TODO: why. Failed with: ' + example[:300])}",
            '# link = "https://..."',
            "",
        ]
    if not failed:
        lines.append("# No failed case: nothing to declare.")
    return "\n".join(lines) + "\n"
