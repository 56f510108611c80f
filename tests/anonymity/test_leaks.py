"""The leak suite: every public surface, visited anonymously, shows no secret.

It seeds confidential terms, denylisted terms, an unpublished draft and
members-only pages, then visits every address in SURFACES and reads the
search index itself. A new public address is covered by adding a Surface (or,
for something that is not a public surface, a reason in NOT_SURFACES):
`test_every_public_route_is_in_the_leak_suite` fails until one or the other
is done. Addresses whose app has not landed yet stay in the registry; their
status is asserted as soon as a view other than Wagtail's page catch-all
serves them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page

from anonymity.guard import find_terms
from anonymity.members import make_members_only
from anonymity.models import DenylistTerm
from casestudies.citation import FORMATS as CITE_FORMATS
from casestudies.models import (
    MEMBER_GROUP_PREFIX,
    VERIFICATION_LEVELS,
    VOCABULARY_MODELS,
    CaseStudyPage,
    MetricDefinition,
    StepKind,
)
from impact.releases import make_release
from search.facets import FACETS, STORY_TYPES
from tests import factories
from tests.factories import (
    BrightSpotPageFactory,
    CaseStudyPageFactory,
    MetricResultFactory,
    StoryImageFactory,
    publish,
    step,
)
from tests.reading import readable

pytestmark = pytest.mark.django_db

# Secrets: never on a public surface. ASCII and distinctive, so a hit is a leak.
COMPANY = "Zorblatt Textiles"
CONFIDENTIAL = ["Quenvik Harbour", "Dr Ilse Marrow", "Brannock Buttons"]
CONSENT_RECORD = "Pellucid consent letter"
OVERRIDE_REASON = "Tamarisk override reason"
DENYLISTED = ["Rapid Placement Agency", "Okonkwo Brokers"]
MEMBERS_ONLY_TITLES = [
    "Xylophone mills share audit costs",
    "Wages restored at Glockenspiel farms",
]
MEMBERS_ONLY_PHRASE = "Ocarina cooperative ledger"
DRAFT_TITLE = "Unpublished Quillfeather practice"
# Step kinds only a members-only story and only a draft take: their names hold secrets,
# and their slugs are asked for on the step facet, as a curious outsider would.
MEMBERS_ONLY_STEP = ("members-ledger-review", f"Review the {MEMBERS_ONLY_PHRASE}")
DRAFT_ONLY_STEP = ("quillfeather-check", f"{DRAFT_TITLE} check")
SECRETS = (
    [COMPANY, CONSENT_RECORD, OVERRIDE_REASON, MEMBERS_ONLY_PHRASE, DRAFT_TITLE]
    + CONFIDENTIAL
    + DENYLISTED
    + MEMBERS_ONLY_TITLES
)


@dataclass
class Seed:
    public_pages: list[Page]
    stories: list[Page]
    members_only: list[Page]
    members_only_files: list[str]  # addresses of a members-only story's image and document
    draft: Page
    member: object

    def facet_values(self) -> dict[str, list[str]]:
        """Every value of every facet the public may see, so each is visited (FACETS is the
        one list); a term no public story uses is unknown to outsiders (404, 422)."""
        years = sorted({str(y) for s in self.stories + self.members_only for y in s.years})
        vocabularies = {model._meta.model_name: model for model in VOCABULARY_MODELS}
        values = {
            param: list(vocabularies[name].objects.visible_to(None).values_list("slug", flat=True))
            for param, name in VOCABULARY_FACETS.items()
        }
        values |= {
            "type": list(STORY_TYPES),
            "year": years,
            "verification": [key for key, _label in VERIFICATION_LEVELS],
        }
        missing = {f.param for f in FACETS} - set(values)
        assert not missing, f"add the values of facet(s) {missing} to Seed.facet_values"
        return values

    def filter_queries(self) -> list[str]:
        queries = [""]
        for param, values in self.facet_values().items():
            queries += [urlencode({param: v}) for v in values]
            queries.append(urlencode([(param, v) for v in values]))
        return queries


@dataclass(frozen=True)
class Visit:
    url: str
    public: bool = True  # False: the address concerns a secret page and must not answer 200


@dataclass(frozen=True)
class Surface:
    name: str
    routes: tuple[str, ...]  # URL patterns it covers (see test_every_public_route_…)
    visits: Callable[[Seed], list[Visit]]
    ok: tuple[int, ...] = (200,)


def _story_ids(seed: Seed) -> list[Visit]:
    return [Visit(str(p.pk)) for p in seed.stories] + [
        Visit(str(p.pk), public=False) for p in seed.members_only + [seed.draft]
    ]


def _comparisons(seed: Seed) -> list[Visit]:
    """Each story compared with a public one: a secret one must not answer 200."""
    first, second = seed.stories[0], seed.stories[1]
    visits = [Visit("/compare/")]
    for visit in _story_ids(seed):
        other = second if visit.url == str(first.pk) else first
        visits.append(Visit(f"/compare/?story={other.pk}&story={visit.url}", visit.public))
    return visits + [Visit("/compare/?" + "&".join(f"story={p.pk}" for p in seed.stories))]


def _absolute(page: Page) -> str:
    return settings.SITE_URL + page.url


SEARCH_QUERIES = ["fees", "recruitment", "ledger", "xylophone", "quenvik", "zorblatt", "agency"]

# Renditions a story page, card and embed ask for (perf/renditions.py makes them up front).
MEMBERS_ONLY_RENDITIONS = ["width-480|format-webp", "fill-480x270|format-webp"]

# The facets whose values are a vocabulary's slugs, and the vocabulary's model name.
VOCABULARY_FACETS = {
    "industry": "industry",
    "intervention": "interventiontype",
    "stage": "supplychainstage",
    "region": "region",
    "risk": "forcedlabourindicator",
    "step": "stepkind",
}


def _searched(seed: Seed, filtered: str, queried: str, combined: str) -> list[Visit]:
    """A search-driven address: every filter, every query, and every query with a twist."""
    return (
        [Visit(f"{filtered}?{q}") for q in seed.filter_queries()]
        + [Visit(f"{queried}?q={q}") for q in SEARCH_QUERIES]
        + [Visit(combined.format(q=q)) for q in SEARCH_QUERIES]
    )


SURFACES: list[Surface] = [
    Surface(
        "every page",
        (r"^((?:[\w\-]+/)*)$",),
        lambda s: (
            [Visit(p.url) for p in s.public_pages]
            + [Visit(p.url + "?page=2") for p in s.public_pages if p.depth == 3]
            + [Visit(p.url, public=False) for p in s.members_only]
            + [Visit(f"/case-studies/{s.draft.slug}/", public=False)]
            # Cite this story (casestudies.citation): answers exactly as the story does.
            + [Visit(f"{p.url}cite/?format={f}") for p in s.stories for f in CITE_FORMATS]
            + [Visit(f"{p.url}cite/?format=bibtex", public=False) for p in s.members_only]
            + [Visit(f"/case-studies/{s.draft.slug}/cite/?format=ris", public=False)]
        ),
    ),
    Surface(
        "search with every facet value",
        ("search/",),
        lambda s: (
            [Visit(f"/search/?{q}") for q in s.filter_queries()]
            + [Visit(f"/search/?q={q}") for q in SEARCH_QUERIES]
            + [Visit("/search/?q=fees&sort=newest"), Visit("/search/?q=fees&sort=relevance")]
            + [Visit("/search/?q=fees&page=2")]
            + [Visit(f"/search/?step={slug}") for slug, _ in (MEMBERS_ONLY_STEP, DRAFT_ONLY_STEP)]
        ),
    ),
    Surface(
        "suggest",
        ("search/suggest/",),
        lambda s: (
            [Visit(f"/search/suggest/?q={q}") for q in ["xylo", "glocken", "ocar", "ledg"]]
            + [Visit(f"/search/suggest/?q={q[:4]}") for q in SEARCH_QUERIES]
        ),
    ),
    Surface(
        "feeds",
        (
            "feeds/rss/",
            "feeds/atom/",
            "feeds/industry/<slug:slug>/rss/",
            "feeds/intervention/<slug:slug>/rss/",
        ),
        lambda s: (
            [Visit("/feeds/rss/"), Visit("/feeds/atom/")]
            + [Visit(f"/feeds/industry/{v}/rss/") for v in s.facet_values()["industry"]]
            + [Visit(f"/feeds/intervention/{v}/rss/") for v in s.facet_values()["intervention"]]
        ),
    ),
    Surface(
        "feeds for any search",
        ("feeds/search/rss/", "feeds/search/atom/"),
        lambda s: _searched(
            s,
            "/feeds/search/rss/",
            "/feeds/search/atom/",
            "/feeds/search/rss/?q={q}&industry=apparel",
        ),
    ),
    Surface(
        "search results downloads",
        ("api/stories/export.csv", "api/stories/export.json"),
        lambda s: (
            _searched(
                s,
                "/api/stories/export.csv",
                "/api/stories/export.csv",
                "/api/stories/export.json?q={q}&sort=newest",
            )
            + [Visit("/api/stories/export.json")]
        ),
    ),
    Surface(
        "sitemap index and its files",
        ("sitemap.xml", "sitemap-<slug:section>.xml"),
        lambda s: [Visit("/sitemap.xml"), Visit("/sitemap-pages.xml")],
    ),
    Surface("robots", ("robots.txt",), lambda s: [Visit("/robots.txt")]),
    Surface(
        "API list, detail and schema",
        ("api/", "api/openapi.json", "api/stories/", "api/stories/<story_id>/"),
        lambda s: (
            [Visit("/api/"), Visit("/api/openapi.json")]
            + [Visit(f"/api/stories/?{q}") for q in s.filter_queries()]
            + [Visit(f"/api/stories/{v.url}/", v.public) for v in _story_ids(s)]
        ),
    ),
    Surface(
        "oEmbed",
        ("oembed/", "oembed"),
        lambda s: (
            [Visit(f"/oembed/?url={quote(_absolute(p))}&format=json") for p in s.stories]
            + [
                Visit(f"/oembed/?url={quote(_absolute(p))}&format=json&maxwidth=400", public=False)
                for p in s.members_only
            ]
            + [Visit(f"/oembed/?url={quote(_absolute(p))}&format=xml") for p in s.stories]
            + [Visit(f"/oembed?url={quote(_absolute(s.stories[0]))}")]
        ),
    ),
    Surface(
        "embed cards",
        ("embed/<int:page_id>/", "embed/<int:page_id>/counter.gif"),
        lambda s: (
            [Visit(f"/embed/{v.url}/", v.public) for v in _story_ids(s)]
            + [Visit(f"/embed/{v.url}/?theme=dark", v.public) for v in _story_ids(s)]
            + [Visit(f"/embed/{v.url}/counter.gif", v.public) for v in _story_ids(s) if v.public]
        ),
    ),
    Surface(
        "metric pages",
        ("metrics/", "metrics/<slug:slug>/"),
        lambda s: (
            [Visit("/metrics/")]
            + [
                Visit(f"/metrics/{slug}/{query}")
                for slug in MetricDefinition.objects.values_list("slug", flat=True)
                # The results are listed a page at a time, with the filters kept.
                for query in ("", "?page=2", "?page=last&verified=1")
            ]
            + [
                Visit(f"/metrics/{slug}/?page=2&{q}")
                for slug in MetricDefinition.objects.values_list("slug", flat=True)[:1]
                for q in s.filter_queries()
            ]
        ),
    ),
    Surface(
        "impact dashboard",
        ("impact/",),
        lambda s: [Visit(f"/impact/?{q}") for q in s.filter_queries()],
    ),
    Surface(
        "open data",
        ("data/", "data/metric-results.csv", "data/metric-results.json"),
        lambda s: [
            Visit("/data/"),
            Visit("/data/metric-results.csv"),
            Visit("/data/metric-results.json"),
        ],
    ),
    Surface(
        "open data releases",
        ("data/releases/", "data/releases/<str:date>/metric-results.<str:fmt>"),
        lambda s: [
            Visit("/data/releases/"),
            Visit(f"/data/releases/{make_release().release.date:%Y-%m-%d}/metric-results.csv"),
            Visit(f"/data/releases/{make_release().release.date:%Y-%m-%d}/metric-results.json"),
            Visit("/data/releases/"),
        ],
    ),
    Surface(
        "members-only files",
        ("members-media/<path:name>",),
        lambda s: [Visit(url, public=False) for url in s.members_only_files],
    ),
    Surface(
        "playbooks",
        (
            "playbooks/",
            "playbooks/<slug:intervention>/",
            "playbooks/<slug:intervention>/<slug:industry>/",
        ),
        lambda s: (
            [Visit("/playbooks/")]
            + [Visit(f"/playbooks/{i}/") for i in s.facet_values()["intervention"]]
            + [
                Visit(f"/playbooks/{i}/?risk={risk}")
                for i in s.facet_values()["intervention"]
                for risk in s.facet_values()["risk"]
            ]
            + [
                Visit(f"/playbooks/{i}/{industry}/")
                for i in s.facet_values()["intervention"]
                for industry in s.facet_values()["industry"]
            ]
        ),
    ),
    Surface("compare side by side", ("compare/",), _comparisons),
    Surface("health", ("health/",), lambda s: [Visit("/health/")], ok=(200, 503)),
    Surface(
        "membership and password reset",
        (
            "membership/",
            "accounts/password-reset/",
            "accounts/password-reset/sent/",
            "accounts/password-reset/<uidb64>/<token>/",
            "accounts/password-reset/done/",
        ),
        lambda s: [
            Visit("/membership/"),
            Visit("/accounts/password-reset/"),
            Visit("/accounts/password-reset/sent/"),
            Visit("/accounts/password-reset/MQ/not-a-token/"),
            Visit("/accounts/password-reset/done/"),
        ],
    ),
    Surface(
        "share your practice (signed out)",
        ("share-your-practice/", "share-your-practice/thanks/"),
        lambda s: [
            Visit("/share-your-practice/", public=False),
            Visit("/share-your-practice/thanks/"),
        ],
    ),
    Surface(
        "follow a search by e-mail (alerts; the e-mails: tests/alerts/test_leaks.py)",
        (
            "alerts/follow/",
            "alerts/confirm/<str:token>/",
            "alerts/manage/<str:token>/",
            "alerts/unsubscribe/<str:token>/",
        ),
        lambda s: (
            [Visit(f"/alerts/follow/?{q}") for q in s.filter_queries()]
            + [Visit(f"/alerts/follow/?q={q}") for q in SEARCH_QUERIES]
            + [Visit(f"/alerts/{k}/not-a-token/") for k in ("confirm", "manage", "unsubscribe")]
        ),
        ok=(200, 400),
    ),
]

# Routes that are not public surfaces, and why.
NOT_SURFACES = {
    "admin/": "the Wagtail admin, behind sign-in",
    "documents/": "document files; their titles and file names are checked by the publish guard",
    "_util/": "Wagtail's sign-in and password forms",
    "accounts/logout/": "signs out; shows nothing",
    "^media/": "development-only file serving",
}


# --- Seed -------------------------------------------------------------------


@pytest.fixture
def seed(django_user_model) -> Seed:
    member_group = Group.objects.create(name=f"{MEMBER_GROUP_PREFIX}{COMPANY}")
    member = django_user_model.objects.create_user("amira", "amira@example.org", "pw")
    member.groups.add(member_group)
    for term in DENYLISTED:
        DenylistTerm.objects.create(term=term, reason="Named in an open investigation")

    apparel = factories.IndustryFactory(name="Apparel")
    seafood = factories.IndustryFactory(name="Seafood")
    asia = factories.RegionFactory(name="South Asia")
    europe = factories.RegionFactory(name="Europe")
    fees = factories.InterventionTypeFactory(name="Employer pays")
    voice = factories.InterventionTypeFactory(name="Voice")
    recruitment = factories.SupplyChainStageFactory(name="Recruitment")
    processing = factories.SupplyChainStageFactory()
    wages = factories.MetricDefinitionFactory(name="Fees repaid", unit="USD")
    private = {
        "contributing_company": COMPANY,
        "confidential_terms": "\n".join(CONFIDENTIAL),
        "attribution_consent_record": CONSENT_RECORD,
        "reidentification_override": OVERRIDE_REASON,
    }
    image = StoryImageFactory(title="Workers at a training session", caption="A training day")
    repay_step, members_step, draft_step = (
        StepKind.objects.create(slug=slug, name=name)
        for slug, name in (("repay-fees", "Repay fees"), MEMBERS_ONLY_STEP, DRAFT_ONLY_STEP)
    )

    case = CaseStudyPageFactory(
        title="How a spinning mill repaid recruitment fees",
        industry=apparel,
        region=asia,
        intervention_types=[fees],
        stages=[recruitment],
        risks_addressed=["debt-bondage"],
        hero_image=image,
        hero_alt="Workers in a classroom",
        steps=[
            step(),
            step(heading="Repay the fees", text="<p>Within ninety days.</p>", kind=repay_step),
        ],
        **private,
    )
    MetricResultFactory(page=case, metric=wages, note="Verified by an auditor")
    case = publish(CaseStudyPage.objects.get(pk=case.pk))
    # An editor's draft adds a step of a kind no published story takes.
    revised = CaseStudyPage.objects.get(pk=case.pk)
    taken = [(block.block_type, block.value) for block in revised.steps]
    revised.steps = [*taken, step(heading="Check", kind=draft_step)]
    revised.save_revision()
    second = publish(
        CaseStudyPageFactory(
            title="Worker voice channels at a tuna cannery",
            industry=seafood,
            region=europe,
            intervention_types=[voice],
            stages=[processing],
            year_started=2019,
            **private,
        )
    )
    spot = publish(
        BrightSpotPageFactory(
            title="Recruitment fees repaid to 900 workers",
            industry=seafood,
            region=asia,
            metric=wages,
            metric_unit="USD",
            **private,
        )
    )
    # A members-only story's picture and paper sit in a collection only members may open.
    members_collection = Collection.get_first_root_node().add_child(name="Members only")
    CollectionViewRestriction.objects.create(
        collection=members_collection, restriction_type=CollectionViewRestriction.GROUPS
    ).groups.add(member_group)
    members_image = StoryImageFactory(
        title="Workers at a members' meeting", collection=members_collection
    )
    members_document = get_document_model().objects.create(
        title="Members' audit notes",
        file=ContentFile(f"Notes from the {MEMBERS_ONLY_PHRASE}.".encode(), name="notes.txt"),
        collection=members_collection,
    )
    members_only = []
    for factory, title in zip(
        (CaseStudyPageFactory, BrightSpotPageFactory), MEMBERS_ONLY_TITLES, strict=True
    ):
        extra = {"summary": f"Shared in the {MEMBERS_ONLY_PHRASE}."}
        if factory is BrightSpotPageFactory:
            extra = {"body": extra["summary"], "metric": wages, "metric_unit": "USD"}
        else:
            extra["hero_image"] = members_image
            extra["steps"] = [step(kind=members_step)]
        page = publish(
            factory(
                title=title,
                industry=apparel,
                region=europe,
                year_started=2018,
                risks_addressed=["isolation"],
                **extra,
            )
        )
        make_members_only(page)
        members_only.append(page)
    MetricResultFactory(page=members_only[0], metric=wages, note=MEMBERS_ONLY_PHRASE)

    draft = CaseStudyPageFactory(title=DRAFT_TITLE, industry=apparel, region=asia)
    draft.unpublish()

    _rebuild_search_index()
    return Seed(
        public_pages=list(Page.objects.live().public().filter(depth__gt=1).specific()),
        stories=[case, second, spot],
        members_only=members_only,
        members_only_files=[members_document.url]
        + [members_image.get_rendition(spec).url for spec in MEMBERS_ONLY_RENDITIONS],
        draft=draft,
        member=member,
    )


def _rebuild_search_index() -> None:
    """Index what was seeded (the search app syncs after commit, which tests never do)."""
    try:
        from search.indexing import rebuild
    except ImportError:
        return
    rebuild()


# --- Checks -----------------------------------------------------------------


def _served_by_an_app(path: str) -> bool:
    """Whether a view other than Wagtail's page catch-all answers this address."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name != "wagtail_serve" and match.func.__module__ != "wagtail.views"


def _visit_all(client, seed: Seed, surfaces: list[Surface]) -> tuple[list[str], int]:
    problems, visited = [], 0
    for surface in surfaces:
        for visit in surface.visits(seed):
            response = client.get(visit.url)
            visited += 1
            path = visit.url.split("?")[0]
            is_page = surface is SURFACES[0]
            if is_page or _served_by_an_app(path):
                if visit.public and response.status_code not in surface.ok:
                    problems.append(f"{surface.name}: {visit.url} answered {response.status_code}")
                if not visit.public and response.status_code == 200 and not is_page:
                    problems.append(f"{surface.name}: {visit.url} answered 200 for a secret page")
            text = readable(response)
            if response.status_code == 404:
                # The 404 page echoes the address asked for (its sign-in link returns there):
                # the visitor's own input, alike for missing and members-only pages.
                for spelling in (quote(visit.url, safe=""), visit.url, path):
                    text = text.replace(spelling, "")
            for term in find_terms(text, SECRETS):
                problems.append(f"{surface.name}: {visit.url} shows “{term}”")
    return problems, visited


def test_no_secret_reaches_any_public_surface(client, seed):
    problems, visited = _visit_all(client, seed, SURFACES)
    assert visited > 100
    assert problems == []


def test_members_only_files_are_real_addresses_that_members_open(client, seed):
    """The outsiders' 404s in "members-only files" mean something: a member gets the files."""
    client.force_login(seed.member)
    for url in seed.members_only_files:
        assert client.get(url).status_code == 200, url


def test_the_suite_would_notice_a_leak(client, seed):
    """Guard against a suite that cannot fail: a page showing a secret is caught."""
    page = seed.stories[0]
    CaseStudyPage.objects.filter(pk=page.pk).update(summary=f"Made by {COMPANY}.")
    problems, _ = _visit_all(client, seed, SURFACES[:1])
    assert f"every page: {page.url} shows “{COMPANY}”" in problems


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_public_route_is_in_the_leak_suite():
    covered = {route for surface in SURFACES for route in surface.routes}
    uncovered = [
        route
        for route in _routes(get_resolver().url_patterns)
        if route not in covered and not route.startswith(tuple(NOT_SURFACES))
    ]
    assert uncovered == [], "add these addresses to SURFACES (or NOT_SURFACES, with a reason)"


def test_search_index_documents_hold_no_secret(seed):
    from search.documents import alias_name, client

    # Tombstones (``audience="withdrawn"``, page id only) mark pages taken out of search.
    withdrawn = {"bool": {"must_not": {"term": {"audience": "withdrawn"}}}}
    hits = client().search(index=alias_name(), query=withdrawn, size=1000)["hits"]["hits"]
    documents = {int(hit["_source"]["page_id"]): hit["_source"] for hit in hits}
    assert set(documents) == {p.pk for p in seed.stories + seed.members_only}

    for page_id, document in documents.items():
        text = json.dumps(document, ensure_ascii=False)
        members_only = page_id in {p.pk for p in seed.members_only}
        assert document["audience"] == ("members" if members_only else "public")
        allowed = MEMBERS_ONLY_TITLES + [MEMBERS_ONLY_PHRASE] if members_only else []
        leaked = [t for t in find_terms(text, SECRETS) if t not in allowed]
        assert leaked == [], f"document {page_id} holds {leaked}"
        if members_only:
            assert not find_terms(document.get("spell_public", ""), SECRETS)


def test_members_see_members_only_pages_where_entitled(client, seed):
    client.force_login(seed.member)
    for page in seed.members_only:
        response = client.get(page.url)
        assert response.status_code == 200
        assert page.title in response.content.decode()
    listing = client.get("/case-studies/").content.decode()
    assert MEMBERS_ONLY_TITLES[0] in listing
    if _served_by_an_app("/search/"):
        results = html.unescape(client.get("/search/?q=ledger").content.decode())
        assert MEMBERS_ONLY_TITLES[0] in results
