"""Invalid calls generated from an op's shape rules, each invalid for one reason.

A hand-picked invalid call often breaks several rules at once, so a backend
that wrongly accepts one of them (broadcasting a contracted dimension of 1
against n) still raises on the other. Here each valid shape pair of the spec
is changed in exactly one dimension, so that the call breaks exactly one rule:

- **broadcasting** (binary elementwise ops, ``where``): one aligned pair of
  dimensions becomes ``n`` against ``m``, both other than 1 (``1`` against
  ``n`` broadcasts and stays valid);
- **contraction** (``matmul``): the contracted dimension of the second operand
  becomes 1, then ``k + 1``, the batch dimensions left as they were;
- **joining** (``concatenate``, ``stack``): one dimension of the last tensor
  that must match the others (every dimension but the axis for
  ``concatenate``, all of them for ``stack``) becomes 1, then ``d + 1``:
  joins never broadcast.
"""

from __future__ import annotations

__all__ = ["broadcast_mismatches", "contraction_mismatches", "join_mismatches"]

Shape = tuple[int, ...]


def broadcast_mismatches(s1: Shape, s2: Shape) -> list[tuple[Shape, Shape, str]]:
    """Shape pairs that differ from ``(s1, s2)`` in one dimension and do not
    broadcast for that reason only: one per aligned pair of dimensions."""
    out = []
    n = min(len(s1), len(s2))
    for j in range(1, n + 1):
        a, b = s1[-j], s2[-j]
        if a == 0 or b == 0:
            continue
        if a == b and a != 1:
            new = b + 1
            t2 = s2[:-j] + (new,) + s2[len(s2) - j + 1 :]
            out.append((s1, t2, f"{s1} with {t2}: dim -{j} is {a} against {new}"))
        elif a == 1 and b != 1:
            new = b + 1
            t1 = s1[:-j] + (new,) + s1[len(s1) - j + 1 :]
            out.append((t1, s2, f"{t1} with {s2}: dim -{j} is {new} against {b}"))
        elif b == 1 and a != 1:
            new = a + 1
            t2 = s2[:-j] + (new,) + s2[len(s2) - j + 1 :]
            out.append((s1, t2, f"{s1} with {t2}: dim -{j} is {a} against {new}"))
    return out


def contraction_mismatches(s1: Shape, s2: Shape) -> list[tuple[Shape, Shape, str]]:
    """``matmul`` shape pairs whose contracted dimensions differ, and nothing else:
    the second operand's contracted dimension set to 1 (which must not
    broadcast) and to ``k + 1``."""
    if not s1 or not s2:
        return []
    k = s1[-1]
    axis = len(s2) - 2 if len(s2) >= 2 else 0
    out = []
    for new in {1, k + 1} - {k}:
        t2 = s2[:axis] + (new,) + s2[axis + 1 :]
        out.append((s1, t2, f"{s1}@{t2}: contracted dim {k} against {new}"))
    return out


def join_mismatches(
    shapes: list[Shape], axis: int, stacked: bool
) -> list[tuple[list[Shape], str]]:
    """Shape lists for ``concatenate`` (``stacked=False``) or ``stack`` that differ
    from ``shapes`` in one dimension of the last tensor, which must match."""
    if len(shapes) < 2 or not shapes[-1]:
        return []
    last = shapes[-1]
    rank = len(last)
    skip = None if stacked else axis % rank
    out = []
    for j, d in enumerate(last):
        if j == skip:
            continue
        for new in sorted({1, d + 1} - {d}):
            changed = last[:j] + (new,) + last[j + 1 :]
            out.append(
                (
                    [*shapes[:-1], changed],
                    f"{list(shapes[:-1])} with {changed}: dim {j} is {new}, "
                    f"the others {d}",
                )
            )
    return out
