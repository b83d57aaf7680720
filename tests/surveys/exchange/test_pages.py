"""Keyset cursors: what one encodes decodes back, and nothing else gets through."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.exchange.pages import BadCursor, decode_cursor, encode_cursor

KEYS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(alphabet=st.characters(blacklist_characters="\x00")),
)


@given(st.lists(KEYS, min_size=1, max_size=3))
def test_a_cursor_reads_back_the_values_it_was_made_of(values: list[int | str]) -> None:
    kinds = [type(value) for value in values]
    assert decode_cursor(encode_cursor(values), kinds) == values


@pytest.mark.parametrize(
    ("cursor", "kinds"),
    [
        ("not a cursor", [int]),
        ("", [int]),
        ("é", [int]),
        (encode_cursor(["7"]), [int]),  # a text where the id belongs
        (encode_cursor([True]), [int]),  # JSON's true is no id either
        (encode_cursor([1, 2]), [int]),  # another list's width
        (encode_cursor([2**63]), [int]),  # past what a column holds
        (encode_cursor(["a\x00"]), [str]),  # PostgreSQL compares no NUL
        (base64.urlsafe_b64encode(b'{"id":1}').decode(), [int]),  # not a list
    ],
)
def test_anything_else_is_refused(cursor: str, kinds: list[type]) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(cursor, kinds)
