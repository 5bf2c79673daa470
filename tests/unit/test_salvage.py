"""A cut-off JSON answer is kept up to its last complete list item, never beyond."""

from __future__ import annotations

import json

from assistant.llm.salvage import complete_prefix


def test_keeps_whole_items_and_closes_the_json() -> None:
    text = '{"findings": [{"a": "x]}"}, {"a": "y\\"}"}, {"a": "z'
    assert complete_prefix(text) == {"findings": [{"a": "x]}"}, {"a": 'y"}'}]}


def test_a_half_written_item_is_dropped_whatever_it_nests() -> None:
    text = '{"points": [{"ids": [1, 2]}, {"ids": [3'
    assert complete_prefix(text) == {"points": [{"ids": [1, 2]}]}


def test_nothing_complete_is_nothing_kept() -> None:
    assert complete_prefix('{"findings": [{"target": "O1.KR1", ') is None
    assert complete_prefix("not json at all") is None
    assert complete_prefix('{"a": ]') is None  # brackets that do not pair


def test_every_prefix_of_a_real_answer_keeps_a_prefix_of_its_items() -> None:
    full = [{"t": i, "q": ["a", {"b": "]"}]} for i in range(4)]
    answer = json.dumps({"findings": full})
    kept_counts = set()
    for cut in range(len(answer)):
        kept = complete_prefix(answer[:cut])
        if kept is not None:
            assert kept["findings"] == full[: len(kept["findings"])]
            kept_counts.add(len(kept["findings"]))
    assert kept_counts == {1, 2, 3, 4}


def test_only_a_cut_after_a_list_item_counts() -> None:
    # "ids" closed inside an item that was still being written: that item is dropped
    assert complete_prefix('{"p": [{"ids": [1]}, {"ids": [1, 2], "x": [3') == {"p": [{"ids": [1]}]}
    # a number at the cut may be missing digits: its item is not kept
    assert complete_prefix('{"f": [{"t": 1}, {"t": 12') == {"f": [{"t": 1}]}
    # a bracket in a key is no cut either
    assert complete_prefix('{"f": [{"t": 1}, {"a]') == {"f": [{"t": 1}]}
    assert complete_prefix('[{"t": 1}, [2], {"t') == [{"t": 1}, [2]]
