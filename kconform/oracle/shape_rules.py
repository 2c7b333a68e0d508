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
- **channels** (``conv1d``, ``conv2d``): the kernel's input channels become
  ``c + 1`` (1 is left out: some frameworks read it as a grouped convolution,
  which the contract does not define);
- **labels** (``einsum``): one operand's size of a label another operand
  shares becomes ``d + 1`` (both sizes other than 1: NumPy broadcasts a 1),
  or the operand gets one axis fewer or more than its subscripts;
- **pad widths** (``pad``): one ``(before, after)`` pair more than the rank
  (one fewer too from rank 3 on: NumPy broadcasts a single pair).
"""

from __future__ import annotations

__all__ = [
    "broadcast_mismatches",
    "channel_mismatches",
    "contraction_mismatches",
    "einsum_mismatches",
    "join_mismatches",
    "pad_width_mismatches",
]

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


def channel_mismatches(x: Shape, kernel: Shape) -> list[tuple[Shape, Shape, str]]:
    """A convolution's kernel with ``c + 1`` input channels for ``c`` in ``x``."""
    if not x or len(kernel) < 2:
        return []
    c = x[-1]
    changed = kernel[:-2] + (c + 1,) + kernel[-1:]
    return [(x, changed, f"input channels {c}, kernel {changed}: {c + 1} in-channels")]


def einsum_mismatches(
    subscripts: str, shapes: list[Shape]
) -> list[tuple[list[Shape], str]]:
    """Operand shape lists for ``subscripts`` wrong in one place each: a shared
    label's size ``d + 1`` (``d > 1``) in one operand, or one operand with an
    axis fewer or more than its subscripts."""
    inputs = subscripts.split("->")[0].split(",")
    if len(inputs) != len(shapes):
        return []
    out: list[tuple[list[Shape], str]] = []
    seen: set[str] = set()
    for i, (labels, shape) in enumerate(zip(inputs, shapes)):
        for j, label in enumerate(labels):
            d = shape[j]
            if label in seen or d <= 1:
                continue
            if sum(label in other for other in inputs) < 2:
                continue
            seen.add(label)
            changed = shape[:j] + (d + 1,) + shape[j + 1 :]
            new = [*shapes[:i], changed, *shapes[i + 1 :]]
            out.append(
                (new, f"{subscripts} with {new}: label {label!r} {d} vs {d + 1}")
            )
    first = shapes[0]
    for changed, what in (
        (first[:-1], "one axis fewer"),
        (first + (2,), "one axis more"),
    ):
        if changed != first and (changed or what.endswith("more")):
            new = [changed, *shapes[1:]]
            out.append((new, f"{subscripts} with {new}: operand 0 has {what}"))
    return out


def pad_width_mismatches(
    rank: int, pad_width: tuple[tuple[int, int], ...]
) -> list[tuple[tuple[tuple[int, int], ...], str]]:
    """``pad_width`` with one pair more than ``rank`` (and one fewer if rank >= 3)."""
    out = [(tuple(pad_width) + ((1, 1),), f"{rank + 1} pairs for rank {rank}")]
    if rank >= 3:
        out.append((tuple(pad_width)[:-1], f"{rank - 1} pairs for rank {rank}"))
    return out
