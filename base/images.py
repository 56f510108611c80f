"""Image sanitising: no photo on the portal carries where, when or with what it was taken.

EXIF (camera serial numbers, GPS), XMP and IPTC (photographer, location,
keywords) and free-text comments can identify a factory as surely as a name;
so can an ICC colour profile, whose description is free text ("Acme Foods
print proof"). Originals are re-encoded without them, colours converted to
sRGB first so the picture looks the same; renditions are checked and
re-encoded only if metadata slipped through (Willow copies EXIF from the source).
"""

from __future__ import annotations

import io
import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Image.info keys that describe pixels rather than people, places or devices.
HARMLESS_INFO = frozenset(
    {
        "dpi",
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "progressive",
        "progression",
        "adobe",
        "adobe_transform",
        "transparency",
        "duration",
        "loop",
        "background",
        "version",
        "gamma",
        "srgb",
        "chromaticity",
        "interlace",
        "aspect",
        "lossless",
        "compression",
        "bbox",
        "extension",
        "blend",
        "disposal",
    }
)
# JPEG APP segments Pillow keeps in `applist`: APP1 is EXIF/XMP, APP2 the ICC
# profile, APP13 IPTC.
HARMLESS_JPEG_APPS = frozenset({"APP0", "APP14"})
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _max_pixels() -> int:
    return getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", None) or Image.MAX_IMAGE_PIXELS


def open_checked(data: bytes, name: str = "") -> Image.Image:
    """Open and fully decode an image, or raise a ValidationError saying why not.

    The pixel count is checked from the header before decoding, so a
    decompression bomb is refused without being expanded.
    """
    extension = os.path.splitext(name)[1].lower() or "this file"
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ValidationError(
            f"This file is not a picture we can read, although its name ends in {extension}. "
            "Upload a JPEG, PNG, GIF or WebP image.",
            code="not_an_image",
        ) from None
    except Image.DecompressionBombError:
        raise _too_many_pixels(None) from None
    except OSError:
        raise damaged_image_error() from None
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(
            f"{image.format} pictures are not accepted. Upload a JPEG, PNG, GIF or WebP image.",
            code="unsupported_format",
        )
    width, height = image.size
    pixels = width * height * getattr(image, "n_frames", 1)
    if pixels > _max_pixels():
        raise _too_many_pixels((width, height))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            for frame in range(1, getattr(image, "n_frames", 1)):
                image.seek(frame)
                image.load()
            image.seek(0)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels((width, height)) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise damaged_image_error() from None
    return image


def _too_many_pixels(size) -> ValidationError:
    dimensions = f" ({size[0]:,} × {size[1]:,} pixels)" if size else ""
    return ValidationError(
        f"This picture is too large to process safely{dimensions}; the limit is "
        f"{_max_pixels():,} pixels. Resize it and upload it again.",
        code="too_many_pixels",
    )


def damaged_image_error() -> ValidationError:
    return ValidationError(
        "This picture is damaged or incomplete and cannot be read. Export or download it "
        "again and upload the new copy.",
        code="damaged_image",
    )


def identifying_metadata(image: Image.Image) -> list[str]:
    """Names of the metadata blocks an opened image carries (empty when clean)."""
    found = [key for key in image.info if key not in HARMLESS_INFO]
    if image.getexif():
        found.append("exif")
    for marker, _content in getattr(image, "applist", []):
        if marker not in HARMLESS_JPEG_APPS:
            found.append(marker)
    return sorted(set(found))


def _without_profile(image: Image.Image) -> Image.Image:
    """The picture in sRGB, without its ICC profile (browsers assume sRGB without one).

    Animations and palette pictures keep their pixels as they are: converting
    each frame is not worth a slight colour shift in a GIF.
    """
    icc = image.info.get("icc_profile")
    if not icc or getattr(image, "n_frames", 1) > 1 or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            _SRGB,
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: dropped below all the same
    converted.info = {k: v for k, v in image.info.items() if k != "icc_profile"}
    return converted


def _encode(image: Image.Image) -> bytes:
    """Re-encode pixels only: Pillow writes no metadata it is not handed."""
    fmt = image.format
    image = _without_profile(image)
    options: dict = {"format": fmt}
    for key in ("transparency", "duration", "loop"):
        if key in image.info and not (fmt == "JPEG" and key == "transparency"):
            options[key] = image.info[key]
    if fmt == "JPEG":
        options["quality"] = 92
    elif fmt == "WEBP":
        options.update(lossless=bool(image.info.get("lossless")), quality=90)
    if getattr(image, "n_frames", 1) > 1:
        options["save_all"] = True
    else:
        # Apply the camera's orientation before dropping the EXIF that holds it.
        image = ImageOps.exif_transpose(image)
    image.info = {}
    out = io.BytesIO()
    image.save(out, **options)
    return out.getvalue()


def sanitise_original(data: bytes, name: str) -> bytes:
    """The bytes to store for an uploaded original: checked, without metadata."""
    image = open_checked(data, name)
    return _encode(image)


def sanitise_rendition(data: bytes, name: str) -> bytes:
    """A rendition's bytes, re-encoded only if it carries metadata."""
    image = open_checked(data, name)
    return _encode(image) if identifying_metadata(image) else data
