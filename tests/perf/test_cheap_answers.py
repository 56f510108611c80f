"""What every request pays outside the page itself, made cheap without changing what it says.

A 304 is answered from the cache's validators; it still carries the cache and security
headers its 200 carries (RFC 9110 §15.4.5: a browser or CDN updates its stored copy from
them), and no Content-Security-Policy nonce is made for an answer with no body to use it.
Every page that uses a nonce still gets a fresh one. Sessions are read from Redis
(``perf.sessions``): a signed-in member is recognised without a database query, a
sign-out ends the session for every app server at once, and a cookie that names no
session is known as such without asking the database again. On production's cache.
"""

from __future__ import annotations

import re
import secrets

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anonymity.members import make_members_only
from tests.factories import CaseStudyPageFactory, member_of
from tests.search.helpers import story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index", "shared_cache")]

SECURE = {"HTTP_X_FORWARDED_PROTO": "https"}
NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")
# What a 304 repeats of its 200 (besides Date, which the server adds).
REPEATED = (
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Vary",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Access-Control-Allow-Origin",
)


@pytest.fixture(autouse=True)
def production_sessions_and_https(settings):
    """Production's session engine on its shared cache, and its HTTPS headers."""
    settings.SESSION_ENGINE = "perf.sessions"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"


@pytest.fixture
def public_story(published):
    return published(story("Recruitment fees repaid at a spinning mill"))


@pytest.fixture
def member():
    return member_of("Zorblatt Textiles")


@pytest.fixture
def members_only_story(published, member):
    page = published(CaseStudyPageFactory(title="Cooperative audits of Xylophone mills"))
    make_members_only(page)
    return page


def directives(response) -> set[str]:
    return {d.strip() for d in response["Cache-Control"].split(",")}


def session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_304_carries_the_cache_and_security_headers_of_its_200(client, public_story):
    for url in (
        public_story.url,
        "/api/stories/",
        "/feeds/rss/",
        f"/embed/{public_story.pk}/",
        "/search/suggest/?q=recruit",
    ):
        client.get(url, **SECURE)
        hit = client.get(url, **SECURE)
        assert hit["X-Cache"] == "HIT", url
        assert "max-age=31536000" in hit["Strict-Transport-Security"], url
        revalidated = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"], **SECURE)
        assert (revalidated.status_code, revalidated.content) == (304, b""), url
        for name in REPEATED:
            assert revalidated.get(name) == hit.get(name), (url, name)
        # The browser keeps the policy (and its nonce) of the body it already has.
        for name in ("Content-Security-Policy", "Content-Type", "Content-Length"):
            assert name not in revalidated, (url, name)


def test_every_page_gets_a_nonce_of_its_own_that_its_body_uses(client, public_story):
    stale = Client(HTTP_COOKIE=f"sessionid={secrets.token_hex(16)}")
    answers = [
        client.get(public_story.url, **SECURE),  # rendered and stored
        client.get(public_story.url, **SECURE),  # from the cache
        stale.get(public_story.url, **SECURE),  # rendered: a cookie skips the cache
        stale.get(public_story.url, **SECURE),
    ]
    assert [a["X-Cache"] for a in answers] == ["MISS", "HIT", "BYPASS", "BYPASS"]
    nonces = []
    for answer in answers:
        (nonce,) = set(NONCE.findall(answer["Content-Security-Policy"]))
        assert f'nonce="{nonce}"'.encode() in answer.content
        nonces.append(nonce)
    assert len(set(nonces)) == 4


def test_answers_without_a_page_carry_no_nonce(client, public_story):
    for url in ("/api/stories/", "/search/suggest/?q=recruit", "/feeds/rss/"):
        for answer in (client.get(url, **SECURE), client.get(url, **SECURE)):
            assert "nonce-" not in answer.get("Content-Security-Policy", ""), url


def test_a_signed_in_member_is_recognised_without_a_session_query(members_only_story, member):
    reader = Client()
    reader.force_login(member)
    reader.get("/", **SECURE)
    with CaptureQueriesContext(connection) as queries:
        page = reader.get(members_only_story.url, **SECURE)
    assert page.status_code == 200
    assert b"Cooperative audits of Xylophone mills" in page.content
    assert {"private", "no-store"} <= directives(page)
    assert session_queries(queries) == []


def test_a_signed_in_readers_revalidation_is_never_answered_from_the_shared_cache(
    client, members_only_story, member, public_story
):
    url = "/search/suggest/?q=cooperative"
    outsiders = client.get(url, **SECURE)
    assert "Xylophone" not in outsiders.content.decode()
    reader = Client()
    reader.force_login(member)
    for etag in (outsiders["ETag"], "*"):
        answer = reader.get(url, HTTP_IF_NONE_MATCH=etag, **SECURE)
        assert answer.status_code == 200
        assert "Xylophone" in answer.content.decode()
        assert {"private", "no-store"} <= directives(answer)
        assert "ETag" not in answer and answer["X-Cache"] == "BYPASS"
        page = reader.get(public_story.url, HTTP_IF_NONE_MATCH=etag, **SECURE)
        assert page.status_code == 200 and {"private", "no-store"} <= directives(page)
    assert "Xylophone" not in client.get(url, **SECURE).content.decode()


def test_signing_out_ends_the_session_on_every_app_server(members_only_story, member):
    reader = Client()
    reader.force_login(member)
    cookie = reader.cookies["sessionid"].value
    other_server = Client(HTTP_COOKIE=f"sessionid={cookie}")  # same cookie, same Redis
    assert other_server.get(members_only_story.url, **SECURE).status_code == 200

    reader.post("/accounts/logout/", **SECURE)

    again = other_server.get(members_only_story.url, **SECURE)
    assert again.status_code == 404
    assert b"Xylophone" not in again.content


def test_a_session_outlives_a_cache_flush(members_only_story, member):
    from django.core.cache import cache

    reader = Client()
    reader.force_login(member)
    cache.clear()  # a Redis restart: the database still holds the session
    assert reader.get(members_only_story.url, **SECURE).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert reader.get(members_only_story.url, **SECURE).status_code == 200
    assert session_queries(queries) == []  # read back into the cache once


def test_a_cache_connection_redis_dropped_signs_nobody_out(members_only_story, member):
    from django.core.cache import cache

    reader = Client()
    reader.force_login(member)
    assert reader.get(members_only_story.url, **SECURE).status_code == 200
    # What a Redis restart or its idle timeout does to every open connection.
    cache._cache.get_client(write=True).client_kill_filter(_type="normal", skipme=True)
    for _ in range(2):
        page = reader.get(members_only_story.url, **SECURE)
        assert page.status_code == 200 and b"Xylophone" in page.content


def test_a_cookie_naming_no_session_is_anonymous_and_asks_the_database_once(
    members_only_story, public_story
):
    stale = Client(HTTP_COOKIE=f"sessionid={secrets.token_hex(16)}")
    assert stale.get(members_only_story.url, **SECURE).status_code == 404
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            answer = stale.get("/search/suggest/?q=cooperative", **SECURE)
        assert answer["X-Cache"] == "BYPASS"
        assert "Xylophone" not in answer.content.decode()
        assert session_queries(queries) == []


def test_signing_in_with_a_stale_cookie_starts_a_working_session(members_only_story, member):
    stale_key = secrets.token_hex(16)
    reader = Client(HTTP_COOKIE=f"sessionid={stale_key}")
    assert reader.get(members_only_story.url, **SECURE).status_code == 404

    signed_in = reader.post(
        "/_util/login/", {"username": member.username, "password": "pw"}, **SECURE
    )
    assert signed_in.status_code == 302
    new_key = signed_in.cookies["sessionid"].value
    assert new_key and new_key != stale_key
    fresh = Client()
    fresh.cookies["sessionid"] = new_key
    page = fresh.get(members_only_story.url, **SECURE)
    assert page.status_code == 200 and b"Xylophone" in page.content
    assert fresh.session[SESSION_KEY] == str(member.pk)


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("redis://127.0.0.1:6379/0", "perf.sessions"),
        # A cache per process cannot hold sessions: a sign-out would not reach the others.
        ("locmem://", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_live_in_the_cache_only_when_every_app_server_shares_it(cache_url, engine):
    from tests.casestudies.test_settings import GOOD, run_manage

    env = {**GOOD, "CACHE_URL": cache_url, "BENCHMARK_RUN": "1"}
    shown = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)", **env
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == engine  # after the shell's own notice
