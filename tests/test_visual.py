"""The reference-image comparison tells noise from a real change."""

from __future__ import annotations

from PIL import Image, ImageDraw

from tests.visual import differing_share


def _page(offset: int = 0, shade: int = 0) -> Image.Image:
    image = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(image).rectangle(
        (20 + offset, 20, 80 + offset, 60), fill=(shade, shade, shade)
    )
    return image


def test_noise_below_the_channel_tolerance_is_not_a_difference() -> None:
    assert differing_share(_page(shade=30), _page()) == 0.0


def test_a_moved_block_is_a_difference() -> None:
    assert differing_share(_page(offset=10), _page()) > 0.04


def test_another_size_differs_entirely() -> None:
    assert differing_share(_page().resize((100, 50)), _page()) == 1.0


def test_a_subpixel_shift_of_thin_lines_is_not_a_difference() -> None:
    def lines(offset: float) -> Image.Image:
        big = Image.new("RGB", (800, 400), "white")
        draw = ImageDraw.Draw(big)
        for x in range(40, 760, 40):
            left = x + int(offset * 4)
            draw.rectangle((left, 40, left + 3, 340), fill="black")
        return big.resize((200, 100), Image.Resampling.LANCZOS)

    assert differing_share(lines(0.5), lines(0.0)) <= 0.004


def test_a_cut_out_a_pixel_off_its_reference_is_not_a_difference() -> None:
    """A cut-out placed from text boxes can fall a whole pixel off: every edge
    moves, nothing a reader sees; two pixels is a moved label."""
    assert differing_share(_page(offset=1), _page()) == 0.0
    assert differing_share(_page(offset=2), _page()) > 0.004


def test_a_cut_out_a_pixel_taller_or_shorter_is_compared_where_they_meet() -> None:
    """A chart whose top falls at a fraction of a pixel is cut out a pixel
    taller (CI: 251 px against 250): the same picture; two pixels, or a
    difference inside, still count."""
    taller = Image.new("RGB", (200, 101), "white")
    taller.paste(_page(), (0, 1))
    assert differing_share(taller, _page()) == 0.0
    assert differing_share(_page(), taller) == 0.0
    moved = Image.new("RGB", (200, 101), "white")
    moved.paste(_page(offset=10), (0, 1))
    assert differing_share(moved, _page()) > 0.04
    assert differing_share(_page().crop((0, 0, 200, 98)), _page()) == 1.0
