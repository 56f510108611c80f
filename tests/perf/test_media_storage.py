"""Several app servers share media: with MEDIA_BUCKET set, uploads and renditions go to
S3-compatible object storage (here a local moto server, a real HTTP S3 endpoint)."""

import runpy
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from perf.renditions import STORY_RENDITIONS, generate_renditions
from tests.factories import StoryImageFactory

pytestmark = pytest.mark.django_db

BASE_SETTINGS = Path(__file__).resolve().parents[2] / "portal" / "settings" / "base.py"
BUCKET = "heres-how-media"


@pytest.fixture
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket_storage(s3_endpoint, settings, monkeypatch):
    """The portal's settings as an operator's environment makes them, applied to this process."""
    environment = {
        "MEDIA_BUCKET": BUCKET,
        "MEDIA_ENDPOINT_URL": s3_endpoint,
        "MEDIA_REGION": "eu-west-1",
        "MEDIA_ACCESS_KEY_ID": "testing",
        "MEDIA_SECRET_ACCESS_KEY": "testing",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    configured = runpy.run_path(str(BASE_SETTINGS))
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = configured["STORAGES"]
    return s3


def test_uploads_and_renditions_live_in_the_bucket_with_public_urls(bucket_storage):
    image = StoryImageFactory()
    generate_renditions([image])

    keys = {o["Key"] for o in bucket_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert image.file.name in keys
    renditions = [image.get_rendition(spec) for spec in STORY_RENDITIONS]
    assert {r.file.name for r in renditions} <= keys
    webp = renditions[0]
    assert webp.file.name.endswith(".webp")
    # Plain public addresses (no expiring signature), so caches, embeds and feeds keep working.
    assert webp.url.startswith(bucket_storage.meta.endpoint_url)
    assert "Signature" not in webp.url and "X-Amz" not in webp.url
    stored = bucket_storage.get_object(Bucket=BUCKET, Key=webp.file.name)["Body"].read()
    assert stored[:4] == b"RIFF" and stored[8:12] == b"WEBP"
