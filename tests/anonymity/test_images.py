"""Photos are stored without metadata; unreadable or dangerous files are refused cleanly."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from base.images import identifying_metadata
from base.models import StoryImage

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def jpeg_with_gps(size=(80, 60)) -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0131] = "Camera firmware 1.0"
    exif[0x013B] = "Dr Ilse Marrow"  # artist
    exif[0x0112] = 6  # orientation: rotate 90° to display
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (23.0, 48.0, 10.0), 3: "E", 4: (90.0, 24.0, 5.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description city="Dhaka"/></x:xmpmeta>'
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 30, 30)).save(
        buffer, "JPEG", exif=exif, xmp=xmp, comment=b"Quenvik site visit"
    )
    return buffer.getvalue()


def _stored(field_file) -> PILImage.Image:
    field_file.open("rb")
    try:
        return PILImage.open(io.BytesIO(field_file.read()))
    finally:
        field_file.close()


def test_the_sample_really_carries_gps_and_xmp():
    image = PILImage.open(io.BytesIO(jpeg_with_gps()))
    assert image.getexif().get_ifd(GPS_IFD)
    assert {"exif", "xmp", "comment"} <= set(identifying_metadata(image))


def test_original_and_renditions_are_stored_without_metadata():
    image = StoryImage(title="Line", file=ContentFile(jpeg_with_gps(), name="line.jpg"))
    image.save()

    stored = _stored(image.file)
    assert identifying_metadata(stored) == []
    assert not stored.getexif()
    assert b"Dhaka" not in image.file.open("rb").read()
    assert (image.width, image.height) == (60, 80), "turned upright before EXIF was dropped"
    assert image.file_size == image.file.size

    for spec in ("fill-40x40", "width-30", "original"):
        rendition = image.get_rendition(spec)
        assert identifying_metadata(_stored(rendition.file)) == [], spec


def test_renditions_of_an_older_original_with_metadata_are_clean(settings):
    """An original stored before sanitising existed still yields clean renditions."""
    path = Path(settings.MEDIA_ROOT) / "original_images" / "legacy.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_with_gps())
    image = StoryImage.objects.create(
        title="Legacy", file="original_images/legacy.jpg", width=80, height=60
    )
    assert identifying_metadata(_stored(image.file)), "the legacy original keeps its EXIF"

    rendition = image.get_rendition("width-40|format-jpeg")
    assert identifying_metadata(_stored(rendition.file)) == []


def test_png_text_chunks_are_removed():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Dr Ilse Marrow")
    info.add_text("Location", "Quenvik Harbour")
    buffer = io.BytesIO()
    PILImage.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buffer, "PNG", pnginfo=info)
    image = StoryImage(title="Logo", file=ContentFile(buffer.getvalue(), name="logo.png"))
    image.save()
    assert identifying_metadata(_stored(image.file)) == []
    assert b"Quenvik" not in image.file.open("rb").read()


def _admin_upload(client, name: str, data: bytes):
    return client.post(
        "/admin/images/add/",
        {"title": "Upload", "file": SimpleUploadedFile(name, data), "collection": 1},
    )


def _files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_admin_upload_strips_gps(admin_client):
    response = _admin_upload(admin_client, "photo.jpg", jpeg_with_gps())
    assert response.status_code == 302
    image = StoryImage.objects.get()
    assert not _stored(image.file).getexif().get_ifd(GPS_IFD)


def _bomb() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 megapixels in a few kB
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.jpg", b"Minutes of the Quenvik meeting\n" * 50, "either not an image"),
        ("cut.jpg", jpeg_with_gps((400, 300))[:700], "damaged or incomplete"),
        ("huge.png", _bomb(), "too many pixels"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_saved(
    admin_client, settings, name, data, message
):
    response = _admin_upload(admin_client, name, data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert StoryImage.objects.count() == 0
    assert _files(settings) == []


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("cut.jpg", jpeg_with_gps((400, 300))[:700], "damaged or incomplete"),
        ("huge.png", _bomb(), "too large to process safely"),
    ],
)
def test_saving_from_code_refuses_the_same_files(settings, name, data, message):
    with pytest.raises(ValidationError) as refused:
        StoryImage(title="Direct", file=ContentFile(data, name=name)).save()
    assert message in " ".join(refused.value.messages)
    assert StoryImage.objects.count() == 0
    assert _files(settings) == []
