"""Compare a rendered page with its reference image, with a tolerance.

Reports, letters and charts are checked by eye once, then kept as PNGs under
``tests/references``; a later change that moves, cuts or overlaps something
changes many pixels and fails here, while anti-aliasing noise does not. Set
``HAILONG_UPDATE_REFERENCES=1`` to write the references anew after a deliberate
change (and look at them before committing). A failing comparison leaves the
new image and a difference image beside the reference, named ``*.actual.png``
and ``*.diff.png`` (ignored by git), so the change can be seen.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

REFERENCES = Path(__file__).parent / "references"
#: A pixel differs when a channel moves by more than this (0-255): below it,
#: anti-aliasing and hinting noise.
CHANNEL_TOLERANCE = 48
#: The share of pixels that may differ before the images count as different.
PIXEL_SHARE = 0.004
#: Both images are blurred by this radius (pixels) first: a chart placed a
#: fraction of a pixel lower, because a line of text above it changed, is
#: rasterised with other anti-aliasing along every thin line (0.5-0.6% of the
#: pixels), which is not a change anyone sees; a moved or cut label still is.
BLUR = 1.0


def pdf_page_images(pdf: bytes, *, dpi: int = 60) -> list[Image.Image]:
    """Render every page of a PDF with poppler's ``pdftoppm``, as RGB images."""
    executable = shutil.which("pdftoppm")
    if executable is None:
        raise RuntimeError("pdftoppm is missing: make pdf-tools installs poppler-utils")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [executable, "-r", str(dpi), "-png", str(source), str(Path(folder) / "p")],
            check=True,
        )
        pages = sorted(Path(folder).glob("p-*.png"))
        return [Image.open(page).convert("RGB") for page in pages]


def assert_matches_reference(image: Image.Image | bytes, name: str) -> None:
    """Fail when ``image`` differs visibly from ``tests/references/<name>.png``."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    image = image.convert("RGB")
    reference_path = REFERENCES / f"{name}.png"
    if (
        os.environ.get("HAILONG_UPDATE_REFERENCES") == "1"
        or not reference_path.exists()
    ):
        if os.environ.get("CI") == "true" and not reference_path.exists():
            raise AssertionError(
                f"no reference image {reference_path} (see tests/visual.py)"
            )
        reference_path.parent.mkdir(parents=True, exist_ok=True)
        image.save(reference_path, optimize=True)
        return
    reference = Image.open(reference_path).convert("RGB")
    share = differing_share(image, reference)
    if share > PIXEL_SHARE:
        image.save(reference_path.with_suffix(".actual.png"))
        if image.size == reference.size:
            ImageChops.difference(image, reference).save(
                reference_path.with_suffix(".diff.png")
            )
        raise AssertionError(
            f"{name}: {share:.2%} of pixels differ from {reference_path} "
            f"(tolerance {PIXEL_SHARE:.2%}); see {reference_path.stem}.actual.png"
        )


#: How far (pixels) the image may lie from the reference, either way on each
#: axis: a cut-out placed from text boxes measured in fractions of a point can
#: fall a pixel off its reference, which moves every edge by a pixel (CI saw
#: 0.45% of a chart differ, identical to the eye). A label moved further is
#: still a difference.
SHIFT = 1


def differing_share(image: Image.Image, reference: Image.Image) -> float:
    """Return the share of pixels that differ beyond the channel tolerance, at
    the best alignment within ``SHIFT`` pixels.

    The sizes may differ by ``SHIFT`` too: a chart whose top falls at a
    fraction of a pixel (a line of the page above it changed) is cut out a
    pixel taller or shorter. Sizes further apart count as all different (1.0).
    """
    (width, height), (ref_width, ref_height) = image.size, reference.size
    if abs(width - ref_width) > SHIFT or abs(height - ref_height) > SHIFT:
        return 1.0
    image, reference = (
        picture.filter(ImageFilter.GaussianBlur(BLUR)) for picture in (image, reference)
    )

    def overlap(dx: int, dy: int) -> float:
        """Compare the image moved by (dx, dy) with the reference, where they meet."""
        left, top, ref_left, ref_top = max(dx, 0), max(dy, 0), max(-dx, 0), max(-dy, 0)
        across = min(width - left, ref_width - ref_left)
        down = min(height - top, ref_height - ref_top)
        return _share(
            image.crop((left, top, left + across, top + down)),
            reference.crop((ref_left, ref_top, ref_left + across, ref_top + down)),
        )

    return min(
        overlap(dx, dy)
        for dx in range(-SHIFT, SHIFT + 1)
        for dy in range(-SHIFT, SHIFT + 1)
    )


def _share(image: Image.Image, reference: Image.Image) -> float:
    """Return the share of pixels of two same-sized images that differ."""
    red, green, blue = ImageChops.difference(image, reference).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    histogram = largest.point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0).histogram()
    width, height = image.size
    return histogram[255] / (width * height)
