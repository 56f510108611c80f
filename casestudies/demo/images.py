"""Abstract hero images drawn with Pillow, one palette per industry.

No photographs: demo stories are fictional, and abstract shapes cannot
identify a real site or person.
"""

from __future__ import annotations

import io
import random

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFilter

SIZE = (1200, 675)


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def hero_image(palette: tuple, rng: random.Random) -> Image.Image:
    """A diagonal gradient with translucent circles and bands in the palette."""
    start, end, accent = palette
    width, height = SIZE
    # A 2x2 image resized with bicubic filtering is a fast, smooth diagonal gradient.
    corners = Image.new("RGB", (2, 2))
    corners.putdata([start, _mix(start, end, 0.5), _mix(start, end, 0.5), end])
    image = corners.resize(SIZE, Image.Resampling.BICUBIC).convert("RGBA")

    overlay = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randint(3, 6)):
        radius = rng.randint(80, 320)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = rng.choice([accent, end, (255, 255, 255)])
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill=(*colour, rng.randint(40, 110))
        )
    for _ in range(rng.randint(1, 3)):
        y = rng.randint(0, height)
        thickness = rng.randint(20, 90)
        slope = rng.randint(-250, 250)
        draw.polygon(
            [(0, y), (width, y + slope), (width, y + slope + thickness), (0, y + thickness)],
            fill=(*accent, rng.randint(50, 120)),
        )
    overlay = overlay.filter(ImageFilter.GaussianBlur(2))
    return Image.alpha_composite(image, overlay).convert("RGB")


def hero_image_file(palette: tuple, seed: str, name: str) -> ImageFile:
    buffer = io.BytesIO()
    hero_image(palette, random.Random(seed)).save(buffer, "JPEG", quality=82, optimize=True)
    return ImageFile(io.BytesIO(buffer.getvalue()), name=name)
