"""Import TensorFlow once, quietly, with the environment this plugin relies on."""

from __future__ import annotations

import os

# TF reads these when it is first imported; setdefault leaves a user's choice alone.
# C++ INFO and WARNING lines (oneDNN banner, CPU feature guard) drown the report.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# NOTE: oneDNN stays on (TF's default on x86): its float32 matmul and conv keep
# full float32 precision unless TF_SET_ONEDNN_FPMATH_MODE=BF16 was exported
# before TF was imported; configure_numerics refuses that mode when asked for
# exact float32 matmul, since it cannot be switched off after import.
ONEDNN_BF16_FPMATH = os.environ.get("TF_SET_ONEDNN_FPMATH_MODE", "").upper() == "BF16"

import tensorflow as tf  # noqa: E402

__all__ = ["ONEDNN_BF16_FPMATH", "tf"]
