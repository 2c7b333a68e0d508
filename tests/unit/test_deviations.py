"""Declared deviation files and id matching."""

from __future__ import annotations

import pytest

from kconform.deviations import match_deviation, read_deviations
from kconform.errors import KconformError

DEVS = [
    {"id": "erf[torch-bfloat16]", "reason": "exact"},
    {"id": "relu-special[jax-*]", "reason": "pattern"},
]


def test_exact_ids_and_whole_id_patterns_match():
    assert match_deviation("erf[torch-bfloat16]", DEVS)["reason"] == "exact"
    assert match_deviation("relu-special[jax-float16]", DEVS)["reason"] == "pattern"


def test_never_by_substring_and_brackets_are_literal():
    assert match_deviation("erf[torch-bfloat16]-x", DEVS) is None
    assert match_deviation("xrelu-special[jax-float16]", DEVS) is None
    assert (
        match_deviation("relu-special[t]", [{"id": "relu-special[jt]", "reason": ""}])
        is None
    )


def test_reading_a_file(tmp_path):
    path = tmp_path / "deviations.toml"
    path.write_text('[[deviation]]\nid = "a[b-c]"\nreason = "why"\nlink = "http://x"\n')
    assert read_deviations(path) == [
        {"id": "a[b-c]", "reason": "why", "link": "http://x"}
    ]
    assert read_deviations(tmp_path / "absent.toml") == []


def test_entries_without_a_reason_are_rejected(tmp_path):
    path = tmp_path / "deviations.toml"
    path.write_text('[[deviation]]\nid = "a[b-c]"\n')
    with pytest.raises(KconformError, match="has no 'reason'"):
        read_deviations(path)


def test_one_entry_lists_many_ids_under_one_reason(tmp_path):
    path = tmp_path / "deviations.toml"
    path.write_text(
        '[[deviation]]\nids = ["a[b-c]", "d-grad[b-*]"]\nreason = "why"\n'
        'link = "http://x"\n'
    )
    entries = read_deviations(path)
    assert entries == [
        {"id": "a[b-c]", "reason": "why", "link": "http://x"},
        {"id": "d-grad[b-*]", "reason": "why", "link": "http://x"},
    ]
    assert match_deviation("d-grad[b-float32]", entries)["id"] == "d-grad[b-*]"


@pytest.mark.parametrize(
    "body, problem",
    [
        ('id = "a[b]"\nids = ["c[b]"]\nreason = "r"', "exactly one of 'id'"),
        ('ids = []\nreason = "r"', "non-empty list"),
        ('ids = "a[b]"\nreason = "r"', "non-empty list"),
        ('reason = "r"', "exactly one of 'id'"),
    ],
)
def test_malformed_entries_say_what_is_wrong(tmp_path, body, problem):
    path = tmp_path / "deviations.toml"
    path.write_text("[[deviation]]\n" + body + "\n")
    with pytest.raises(KconformError, match=problem) as info:
        read_deviations(path)
    assert str(path) in str(info.value) and "entry 1" in str(info.value)
