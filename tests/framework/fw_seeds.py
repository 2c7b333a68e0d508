"""Running seed snippets with only their imports changed."""

from __future__ import annotations

import re
from typing import Any


def port(code: str) -> str:
    """Change only the imports (and the article's typographic quotes)."""
    code = code.replace("\u201d", '"').replace("\u201c", '"')
    code = re.sub(
        r"\bimport keras_core as keras\b", "import kconform.framework as keras", code
    )
    code = re.sub(
        r"^import keras$", "import kconform.framework as keras", code, flags=re.M
    )
    code = re.sub(
        r"\bfrom (?:tensorflow\.)?keras(?:_core)?(\.[\w.]+)? import",
        lambda m: f"from kconform.framework{m.group(1) or ''} import",
        code,
    )
    return code


def run(code: str, ns: dict[str, Any] | None = None) -> dict[str, Any]:
    ns = {} if ns is None else ns
    exec(compile(port(code), "<seed snippet>", "exec"), ns)  # noqa: S102 - fixed test code
    return ns
