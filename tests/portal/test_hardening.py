"""Web hardening (issue 11, part 9): what an attacker meets before any content is read.

Production settings unless development is asked for, a strict Content-Security-Policy,
sign-in and API throttles that a forged header cannot dodge, a republication counter
that only counts partners it can verify, and a page cache that junk URLs cannot fill.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from base.throttle import RateLimit
from embeds import views as embed_views
from embeds.models import PartnerActivity
from search.facets import FACETS
from tests.factories import CaseStudyPageFactory, publish

ROOT = Path(__file__).resolve().parents[2]
NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-+/=]+)'")
INLINE = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)

pytestmark = pytest.mark.django_db


# --- Production unless development is asked for -------------------------------------


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DJANGO_ENV",
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "ELASTICSEARCH_URL",
            "CACHE_URL",
            "MEDIA_BUCKET",
            "MEDIA_CUSTOM_DOMAIN",
            "MEDIA_ENDPOINT_URL",
        )
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_wsgi_without_django_env_gets_production_settings_and_refuses_to_start():
    result = run_python("-c", "import portal.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "DJANGO_ENV=development" in result.stderr  # says how to get a laptop setup


def test_manage_py_without_django_env_is_production_too():
    result = run_python("manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_only_when_asked_for_by_name():
    result = run_python(
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings; print('DEBUG', settings.DEBUG)",
        DJANGO_ENV="development",
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


def test_production_refuses_a_cache_each_process_keeps_for_itself():
    production = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "heres-how.example.org",
        "ELASTICSEARCH_URL": "http://127.0.0.1:9",
    }
    refused = run_python("manage.py", "check", **production, CACHE_URL="locmem://")
    assert refused.returncode != 0
    assert "CACHE_URL must point at a shared Redis cache" in refused.stderr
    accepted = run_python("manage.py", "check", **production, CACHE_URL="redis://cache:6379/0")
    assert accepted.returncode == 0, accepted.stderr


@pytest.mark.parametrize(
    "media, image_origin",
    [
        ({"MEDIA_CUSTOM_DOMAIN": "media.heres-how.example"}, "https://media.heres-how.example"),
        ({"MEDIA_ENDPOINT_URL": "https://s3.eu.example"}, "https://s3.eu.example"),
    ],
)
def test_images_from_the_media_bucket_are_allowed_by_the_policy(media, image_origin):
    script = (
        "from urllib.parse import urlsplit\n"
        "from django.core.files.storage import default_storage\n"
        "from base.csp import strict_policy\n"
        "url = urlsplit(default_storage.url('images/photo.webp'))\n"
        "img_src = [d for d in strict_policy('n').split('; ') if d.startswith('img-src')][0]\n"
        "print(f'{url.scheme}://{url.netloc}', '|', img_src)\n"
    )
    result = run_python(
        "manage.py",
        "shell",
        "-c",
        script,
        DJANGO_ENV="development",
        MEDIA_BUCKET="stories",
        MEDIA_ACCESS_KEY_ID="key",
        MEDIA_SECRET_ACCESS_KEY="secret",
        **media,
    )
    assert result.returncode == 0, result.stderr
    origin, img_src = result.stdout.strip().splitlines()[-1].split(" | ")
    assert origin.startswith("https://") and origin.endswith(image_origin.split("://")[1])
    assert origin in img_src.split()
    assert img_src.startswith("img-src 'self' data: ")


# --- Content-Security-Policy --------------------------------------------------------


@pytest.fixture
def story():
    return publish(CaseStudyPageFactory(title="How a tannery ended recruitment fees"))


def policy(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


def assert_strict_policy_covers_every_inline_element(response) -> str:
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert response["Content-Security-Policy"].count("frame-ancestors") == 1  # one header
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert not re.search(r"https?://", response["Content-Security-Policy"])  # no other sites
    nonces = set(NONCE.findall(" ".join(csp["script-src"] + csp["style-src"])))
    assert len(nonces) == 1
    nonce = nonces.pop()
    html = response.content.decode()
    for tag, attributes in INLINE.findall(html):
        if "src=" in attributes:
            continue  # a file from 'self'
        assert f'nonce="{nonce}"' in attributes, f"<{tag}{attributes}> runs without the nonce"
    assert not re.search(r"<[a-z][^>]*\sstyle=", html), "inline style attribute"
    return nonce


def test_public_pages_carry_a_strict_policy_with_a_nonce_on_every_inline_element(
    client, story, search_index
):
    for url in [
        "/",
        story.url,
        "/case-studies/",
        "/search/?q=fees",
        "/_util/login/",
        "/impact/",
    ]:
        response = client.get(url)
        assert_strict_policy_covers_every_inline_element(response)
        assert policy(response)["frame-ancestors"] == ["'none'"], url
    # The story page has inline JSON-LD, so the check above saw a nonce in use.
    assert "application/ld+json" in client.get(story.url).content.decode()


def test_embed_cards_keep_their_own_framing_rule_in_the_same_header(client, story):
    response = client.get(f"/embed/{story.pk}/")
    nonce = assert_strict_policy_covers_every_inline_element(response)
    assert policy(response)["frame-ancestors"] == ["*"]
    html = response.content.decode()
    assert f'<style nonce="{nonce}">' in html and f'<script nonce="{nonce}">' in html


def test_a_cached_page_never_replays_a_nonce(client, story):
    first = client.get(story.url)
    second = client.get(story.url)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    first_nonce = assert_strict_policy_covers_every_inline_element(first)
    second_nonce = assert_strict_policy_covers_every_inline_element(second)
    assert first_nonce != second_nonce
    assert first_nonce not in second.content.decode()


def test_the_admin_still_works_under_its_relaxed_policy(client):
    admin = User.objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = policy(response)
    assert "script-src" not in csp  # Wagtail's own inline scripts run
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] != ["*"]


# --- Sign-in throttling -------------------------------------------------------------


@pytest.fixture
def editor():
    return User.objects.create_superuser("editor", "editor@example.org", "right-password")


@pytest.mark.parametrize("login_url", ["/admin/login/", "/_util/login/"])
def test_sign_in_stops_after_five_failed_attempts(client, editor, login_url):
    for _ in range(5):
        response = client.post(login_url, {"username": "editor", "password": "guess"})
        assert response.status_code == 200
        assert "Too many attempts" not in response.content.decode()

    refused = client.post(login_url, {"username": "editor", "password": "right-password"})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    html = refused.content.decode()
    assert re.search(r"Too many attempts, try again in \d+ minutes?\.", html), html
    assert 'name="username"' in html and 'value="editor"' in html  # the form, name kept
    assert "_auth_user_id" not in client.session  # even the right password waits
    # Another person at another address is not locked out by the guesser.
    elsewhere = client.post(
        login_url,
        {"username": "editor", "password": "right-password"},
        REMOTE_ADDR="198.51.100.20",
    )
    assert elsewhere.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_successful_sign_ins_are_not_counted_as_failures(client, editor):
    for _ in range(4):
        client.post("/_util/login/", {"username": "editor", "password": "guess"})
    assert (
        client.post(
            "/_util/login/", {"username": "editor", "password": "right-password"}
        ).status_code
        == 302
    )
    client.logout()
    response = client.post("/_util/login/", {"username": "editor", "password": "guess"})
    assert "Too many attempts" not in response.content.decode()  # the 5th failure, not 6th


def test_one_address_cannot_try_a_password_on_every_user_name(client, editor):
    for n in range(30):
        client.post("/admin/login/", {"username": f"user{n}", "password": "Summer2025!"})
    refused = client.post("/admin/login/", {"username": "editor", "password": "right-password"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("cache_kind", ["one process", "redis"])
def test_counting_is_atomic_when_requests_arrive_together(cache_kind, request):
    if cache_kind == "redis":
        request.getfixturevalue("shared_cache")  # what production runs: one count per event
    limit = RateLimit("parallel-test", limit=5, seconds=3600)
    start = threading.Barrier(20)
    allowed = []

    def attempt():
        start.wait()
        allowed.append(limit.hit("same-client").allowed)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 5


# --- The open API's throttle --------------------------------------------------------


def test_api_throttle_ignores_a_forged_forwarded_for_without_trusted_proxies(client, settings):
    settings.API_RATE_LIMIT = "2/d"
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [
        client.get("/api/stories/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_api_throttle_keys_on_the_address_the_trusted_proxy_saw(client, settings):
    settings.API_RATE_LIMIT = "2/d"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    statuses = [
        client.get(
            "/api/stories/", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9", **proxy
        ).status_code
        for n in range(3)  # the forged left-hand part changes each time
    ]
    assert statuses == [200, 200, 429]
    other_reader = client.get("/api/stories/", HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert other_reader.status_code == 200  # same proxy, different client


# --- The republication counter ------------------------------------------------------


def republished(kind=PartnerActivity.REPUBLISH) -> dict[str, int]:
    return {a.domain: a.count for a in PartnerActivity.objects.filter(kind=kind)}


def test_counter_counts_only_partners_the_browser_vouches_for(client, story):
    counter = f"/embed/{story.pk}/counter.gif"
    unverified = [
        client.get(counter, {"partner": "forged.example"}),  # no Referer: anyone can type it
        client.get(
            counter, {"partner": "forged.example"}, HTTP_REFERER="https://news.example/story"
        ),
    ]
    verified = [
        client.get(counter, HTTP_REFERER="https://news.example/story"),
        client.get(counter, {"partner": "radio.example"}, HTTP_REFERER="https://radio.example/"),
        client.get(counter, HTTP_ORIGIN="https://blog.example"),
    ]
    for response in unverified + verified:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"  # always served
    assert republished() == {"news.example": 1, "radio.example": 1, "blog.example": 1}


def test_counter_is_bounded_per_story_and_per_client(client, story, monkeypatch):
    monkeypatch.setattr(embed_views.NEW_PARTNERS, "limit", 3)
    counter = f"/embed/{story.pk}/counter.gif"
    for n in range(5):
        client.get(counter, HTTP_REFERER=f"https://partner{n}.example/", REMOTE_ADDR=f"10.9.0.{n}")
    assert sorted(republished()) == ["partner0.example", "partner1.example", "partner2.example"]
    client.get(counter, HTTP_REFERER="https://partner0.example/", REMOTE_ADDR="10.9.0.99")
    assert republished()["partner0.example"] == 2  # admitted partners keep counting today

    monkeypatch.setattr(embed_views.COUNTER_LOADS, "limit", 2)
    for _ in range(5):
        client.get(counter, HTTP_REFERER="https://partner1.example/", REMOTE_ADDR="10.9.1.1")
    assert republished()["partner1.example"] == 1 + 2


# --- The page cache -----------------------------------------------------------------


def test_unknown_parameters_share_the_clean_pages_entry_and_are_never_stored(client, story):
    assert client.get("/case-studies/?utm_source=mail&ref=x")["X-Cache"] == "BYPASS"
    assert client.get("/case-studies/")["X-Cache"] == "MISS"
    tracked = client.get("/case-studies/?utm_source=newsletter")
    assert tracked["X-Cache"] == "HIT"
    assert "utm_source" not in tracked.content.decode()
    assert client.get("/case-studies/?fbclid=" + "x" * 50)["X-Cache"] == "HIT"
    assert client.get(f"/case-studies/?q={'x' * 101}")["X-Cache"] == "BYPASS"  # oversize
    assert client.get("/case-studies/?q=fees")["X-Cache"] == "MISS"


def test_known_parameters_in_any_order_share_one_entry(client, story):
    assert client.get("/?sort=newest&q=fees")["X-Cache"] == "MISS"
    assert client.get("/?q=fees&sort=newest")["X-Cache"] == "HIT"


def test_endless_query_strings_cannot_flood_the_cache(client, story, settings):
    settings.PERF_PAGE_CACHE_VARIANTS_PER_PATH = 3
    first = [client.get(f"/case-studies/?q=flood-{n}")["X-Cache"] for n in range(6)]
    assert first == ["MISS", "MISS", "MISS", "BYPASS", "BYPASS", "BYPASS"]
    assert client.get("/case-studies/")["X-Cache"] == "MISS"  # the plain page always fits


def test_every_facet_is_a_parameter_the_page_cache_knows(settings):
    assert {facet.param for facet in FACETS} <= set(settings.PERF_PAGE_CACHE_QUERY_PARAMS)


# --- In a real browser ----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_run_in_chromium_without_violations_and_injected_script_is_blocked(live_server):
    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import launch

    story = publish(CaseStudyPageFactory(title="How a tannery ended recruitment fees"))
    violations: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        for path in ["/", story.url, story.url, f"/embed/{story.pk}/", "/case-studies/"]:
            assert page.goto(live_server.url + path).status == 200, path
        page.goto(live_server.url + "/api/")  # the API documentation, drawn by its script
        page.wait_for_selector(".swagger-ui .info", timeout=20_000)
        assert violations == []
        # What an injection would do: an inline script without the nonce never runs.
        page.goto(live_server.url + story.url)
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
        )
        assert page.evaluate("() => window.injected === true") is False
        assert any("Content Security Policy" in v for v in violations)
        browser.close()
