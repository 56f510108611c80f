"""The guard sees through the tricks that hide a name, and tells the editor where it is."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.messages import get_messages

from anonymity.guard import InvisibleCharacter, find_leaks, find_terms, term_variants
from anonymity.matching import (
    find_term_excerpts,
    invisible_characters,
    rich_text_words,
    skeleton,
)
from casestudies.models import CaseStudyPage
from tests.anonymity.admin_forms import draft, edit_form_data
from tests.factories import CaseStudyPageFactory

# --- Invisible characters ---------------------------------------------------------

INVISIBLE = {
    "\u00ad": "soft hyphen",
    "\u200b": "zero width space",
    "\u200c": "zero width non-joiner",
    "\u200d": "zero width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero width no-break space",
    "\u202e": "right-to-left override",
    "\u2066": "left-to-right isolate",
    "\ufe0f": "variation selector-16",
    "\U000e0041": "tag latin capital letter a",
}


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_inside_a_name_do_not_hide_it(char):
    assert find_terms(f"Fees were repaid at Zor{char}blax Foods.", ["Zorblax Foods"])


@pytest.mark.parametrize(("char", "name"), INVISIBLE.items())
def test_invisible_characters_are_named_for_the_editor(char, name):
    assert invisible_characters(f"Zor{char}blax") == [name]


def test_emoji_sequences_keep_their_joiners_and_selectors():
    assert invisible_characters("Harvest done 👩\u200d🌾 and ❤\ufe0f from the team") == []
    assert invisible_characters("a joiner\u200dbetween letters") == ["zero width joiner"]


@pytest.mark.parametrize("entity", ["&shy;", "&#173;", "&#8203;", "&#x200b;", "&#X200B;", "&zwj;"])
def test_invisible_characters_written_as_entities_in_rich_text_are_seen(entity):
    text = rich_text_words(f"<p>Repaid at Zor{entity}blax.</p>")
    assert find_terms(text, ["Zorblax"]) == ["Zorblax"]
    assert invisible_characters(text)


# --- Homoglyphs -------------------------------------------------------------------

LOOKALIKES = [
    # Cyrillic
    ("o", "\u043e"),
    ("a", "\u0430"),
    ("e", "\u0435"),
    ("p", "\u0440"),
    ("c", "\u0441"),
    ("x", "\u0445"),
    ("y", "\u0443"),
    ("i", "\u0456"),
    # Greek
    ("o", "\u03bf"),
    ("a", "\u03b1"),
    ("e", "\u03b5"),
    ("p", "\u03c1"),
    ("i", "\u03b9"),
    ("k", "\u03ba"),
    ("v", "\u03bd"),
    ("t", "\u03c4"),
    # Latin look-alikes and digits
    ("l", "1"),
    ("o", "0"),
    ("l", "I"),
]


@pytest.mark.parametrize(("latin", "glyph"), LOOKALIKES)
def test_a_letter_swapped_for_its_lookalike_still_matches(latin, glyph):
    term = f"Nordv{latin}kam"
    assert find_terms(f"Workers at Nordv{glyph}kam were repaid.", [term]) == [term]


@pytest.mark.parametrize(
    "disguised",
    [
        "ＺＯＲＢＬＡＸ",  # fullwidth
        "𝐙𝐨𝐫𝐛𝐥𝐚𝐱",  # mathematical bold
        "𝒵𝑜𝓇𝒷𝓁𝒶𝓍",  # mathematical script
        "ΖΟRΒLΑΧ",  # Greek capitals
        "ZОRВLАХ",  # Cyrillic capitals
        "Zorblaχ",  # Greek chi
        "Zo\u0301rbla\u0308x",  # combining accents
    ],
)
def test_compatibility_forms_and_scripts_fold_to_the_same_skeleton(disguised):
    assert skeleton(disguised) == skeleton("Zorblax")
    assert find_terms(f"the {disguised} mill", ["Zorblax"]) == ["Zorblax"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("NORDV\u0406K", "Nordvik"),  # Cyrillic capital I
        ("NORDV\u0399K", "Nordvik"),  # Greek capital iota
        ("NORDVIK", "Nordvik"),
        ("Acrne repaid fees", "Acme Ltd"),  # "rn" read as "m"
    ],
)
def test_capitals_and_letter_pairs_that_read_as_the_name(text, term):
    assert find_terms(text, [term]) == [term]


def test_the_term_is_folded_too():
    assert find_terms("Workers at Zorblax were repaid.", ["Zоrblax"]) == ["Zоrblax"]


# --- Markup -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "<p>Zor<b>blax</b> repaid fees.</p>",
        "<p>Zor<i>bl</i>ax repaid fees.</p>",
        '<p>Zor<a href="https://example.org">blax</a> repaid fees.</p>',
        "<p>Z<span>o</span>rblax repaid fees.</p>",
        "<p>Zor<!-- note -->blax repaid fees.</p>",
    ],
)
def test_inline_markup_joins_a_word(source):
    assert find_terms(rich_text_words(source), ["Zorblax"]) == ["Zorblax"]


@pytest.mark.parametrize(
    "source",
    [
        "<p>Zor</p><p>blax</p>",
        "<p>Zor<br>blax</p>",
        "<ul><li>Zor</li><li>blax</li></ul>",
        "<h2>Zor</h2>blax",
        "<div>Zor</div><div>blax</div>",
    ],
)
def test_block_elements_separate_words(source):
    assert rich_text_words(source).split() == ["Zor", "blax"]
    assert find_terms(rich_text_words(source), ["Zorblax"]) == []


# --- Joined forms, plurals, possessives --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ZorblaxFoods",
        "zorblaxfoods",
        "visit zorblaxfoods.com today",
        "www.zorblax-foods.co.uk",
        "https://www.zorblaxfoods.com/about",
        "#ZorblaxFoodsWay",
        "#zorblaxfoodsway",
        "@ZorblaxFoods",
        "write to info@zorblaxfoods.com.",
        "zorblax.foods@example.org",
        "Zorblax-Foods",
        "Zorblax_Foods",
        "ZORBLAX FOODS",
        "Zorblax Foods's suppliers",
        "zorblaxfoodsgroup.com",
    ],
)
def test_joined_forms_of_a_multi_word_name_match(text):
    assert find_terms(text, ["Zorblax Foods"]) == ["Zorblax Foods"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("the Zorblaxes of this world", "Zorblax"),
        ("Zorblax's suppliers", "Zorblax"),
        ("Zorblax’s suppliers", "Zorblax"),
        ("Nordvik's mills", "Nordvik"),
        ("the Nordviks' mills", "Nordvik"),
        ("two Nordvik Tradings", "Nordvik Trading"),
        ("Both Kimberlies", "Kimberly"),
        ("#NordvikPride", "Nordvik"),
        ("nordvikmills.com", "Nordvik"),
        ("nordvik-mills.com", "Nordvik Ltd"),
        ("ACME repaid", "Acme Ltd"),
        ("#AcmeLtd", "Acme Ltd"),
    ],
)
def test_plurals_possessives_and_specific_cores_in_tokens_match(text, term):
    assert find_terms(text, [term]) == [term]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        # A short core is matched as a word only: "acmes" is a common noun and
        # "acmeville" another name.
        ("The acmes of success.", "Acme Ltd"),
        ("Acmeville is a town.", "Acme Ltd"),
        ("see acmeville.com", "Acme Ltd"),
        ("#acmeville", "Acme Ltd"),
        # A term that is a legal form on its own stays exact.
        ("the cost of cocoa at the coop's store", "Co"),
        ("#coffee and cos", "Co"),
        # Outside hashtags, handles and addresses a longer word is another word.
        ("a Zorblaxian accent", "Zorblax"),
        ("Nordvikland", "Nordvik"),
        # A multi-word name needs its words: neither alone is the name.
        ("Zorblax sold nothing; foods were local", "Zorblax Foods"),
        ("Nordvik sailing club", "Nordvik Trading"),
        # Ordinary text that merely shares letters.
        ("Pinnacle Ltd", "Acme Ltd"),
        ("A came home.", "Acme Ltd"),
        ("I am here. In time.", "Lam"),
    ],
)
def test_common_words_do_not_explode_into_false_positives(text, term):
    assert find_terms(text, [term]) == []


def test_variants_of_a_short_term_stay_short():
    assert term_variants("Co") == frozenset({"co"})
    assert "acmes" not in term_variants("Acme Ltd")


def test_the_excerpt_is_the_text_as_written():
    text = "Our partner www.Zorblax-Foods.co.uk, and Zоrblax’s staff, met."
    assert list(find_term_excerpts(text, ["Zorblax Foods", "Zorblax"])) == [
        ("Zorblax Foods", "www.Zorblax-Foods.co.uk"),
        ("Zorblax", "www.Zorblax-Foods.co.uk"),
    ]
    assert list(find_term_excerpts("Staff of Zоrblax’s mill met.", ["Zorblax"])) == [
        ("Zorblax", "Zоrblax’s")
    ]
    assert list(find_term_excerpts("At Zorblax\nFoods the", ["Zorblax Foods"])) == [
        ("Zorblax Foods", "Zorblax\nFoods")
    ]


# --- The guard on a page --------------------------------------------------------------


@pytest.mark.django_db
def test_leaks_carry_the_form_field_and_the_text_as_written():
    page = CaseStudyPageFactory(
        summary="Fees repaid at Zor\u00adblax.",
        challenge="<p>At Zor<b>blax</b> workers paid fees.</p>",
        lessons='<p>See <a href="https://zorblaxfoods.com/report">the report</a>.</p>',
        confidential_terms="Zorblax\nZorblax Foods",
        contributing_company="",
    )
    found = {(leak.field_name, leak.term, leak.excerpt) for leak in find_leaks(page)}
    assert ("summary", "soft hyphen", "Zor\u00adblax.") in found
    assert ("summary", "Zorblax", "Zor\u00adblax") in found
    assert ("challenge", "Zorblax", "Zorblax") in found
    assert ("lessons", "Zorblax Foods", "https://zorblaxfoods.com/report") in found
    invisible = [leak for leak in find_leaks(page) if isinstance(leak, InvisibleCharacter)]
    assert [str(leak) for leak in invisible] == [
        "invisible character (soft hyphen) in Summary, in “Zor[soft hyphen]blax.”"
    ]


@pytest.mark.django_db
def test_an_invisible_character_is_refused_even_without_any_term():
    page = CaseStudyPageFactory(title="Fees\u200b repaid", contributing_company="")
    assert [str(leak) for leak in find_leaks(page, [])] == [
        "invisible character (zero width space) in Title, in “Fees[zero width space]”"
    ]


@pytest.mark.django_db
def test_invisible_characters_in_a_file_are_read_through_but_not_refused():
    """Text extracted from documents is full of soft hyphens that nobody can retype."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Audit notes",
        file=ContentFile("Audit of the Zor\u00adblax mill.".encode(), name="audit-notes.txt"),
    )
    page = CaseStudyPageFactory(confidential_terms="Zorblax", contributing_company="")
    page.resources = [("document", {"document": document, "description": "An audit."})]
    page.save()

    leaks = find_leaks(CaseStudyPage.objects.get(pk=page.pk))

    assert [leak.term for leak in leaks if "(document" in leak.field_label] == ["Zorblax"]
    assert not [leak for leak in leaks if isinstance(leak, InvisibleCharacter)]


# --- Publishing through the admin edit view -------------------------------------------


def _draftail(text: str, styles=()) -> str:
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "a",
                    "type": "unstyled",
                    "text": text,
                    "depth": 0,
                    "inlineStyleRanges": [
                        {"offset": offset, "length": length, "style": style}
                        for offset, length, style in styles
                    ],
                    "entityRanges": [],
                }
            ],
            "entityMap": {},
        }
    )


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


TRICKS = [
    pytest.param(
        {"summary": "Fees were repaid at Zor\u00adblax in 2023."},
        "summary",
        "Zorblax",
        ["invisible character (soft hyphen) in Summary", "as “Zor[soft hyphen]blax”"],
        id="soft-hyphen",
    ),
    pytest.param(
        {"summary": "Fees were repaid at Zor\u200bblax in 2023."},
        "summary",
        "Zorblax",
        ["invisible character (zero width space) in Summary", "as “Zor[zero width space]blax”"],
        id="zero-width-space",
    ),
    pytest.param(
        {"title": "How Z\u043erblax repaid recruitment fees"},
        "title",
        "Zorblax",
        ["“Zorblax” appears in Title as “Z\u043erblax”"],
        id="cyrillic-o",
    ),
    pytest.param(
        {"challenge": _draftail("Workers at Zorblax paid fees.", [(14, 4, "BOLD")])},
        "challenge",
        "Zorblax",
        ["“Zorblax” appears in Challenge"],
        id="split-markup",
    ),
    pytest.param(
        {"summary": "Details are on zorblaxfoods.com for partners."},
        "summary",
        "Zorblax Foods",
        ["“Zorblax Foods” appears in Summary as “zorblaxfoods.com”"],
        id="joined-domain",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field", "term", "expected"), TRICKS)
def test_publishing_a_disguised_name_is_refused_in_the_admin(
    admin_client, changes, field, term, expected
):
    page = draft(confidential_terms=term)
    data = edit_form_data(admin_client, page, **changes, **{"action-publish": "1"})

    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{page.pk}/edit/"
    text = _messages(response)
    assert "Not published" in text
    for part in expected:
        assert part in text
    anchor = f"#id_{field}"
    assert f'href="/admin/pages/{page.pk}/edit/{anchor}"' in text
    assert f'data-anonymity-field="{field}"' in text

    page = CaseStudyPage.objects.get(pk=page.pk)
    assert not page.live, "the disguised name never reaches the public site"
    kept = page.get_latest_revision_as_object()
    if field == "challenge":
        assert "Zor<b>blax</b>" in kept.challenge, "the draft keeps the editor's markup"
    else:
        assert getattr(kept, field) == changes[field], "the draft keeps the text as written"

    edit_page = admin_client.get(response["Location"]).content.decode()
    assert f'id="{anchor[1:]}"' in edit_page, "the link lands on the field"
    assert f'data-contentpath="{field}"' in edit_page
    assert "anonymity/js/problem-fields.js" in edit_page, "the field is marked on the form"
    assert anonymous_cannot_see(page)


def anonymous_cannot_see(page) -> bool:
    from django.test import Client

    return Client().get(f"/case-studies/{page.slug}/").status_code == 404


@pytest.mark.django_db
def test_a_name_on_another_tab_links_to_that_tab(admin_client):
    page = draft(confidential_terms="Zorblax Foods")
    data = edit_form_data(
        admin_client, page, slug="zorblaxfoods-fee-repayment", **{"action-publish": "1"}
    )
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    text = _messages(response)
    assert "“Zorblax Foods” appears in Slug as “zorblaxfoods-fee-repayment”" in text
    assert f'href="/admin/pages/{page.pk}/edit/#tab-promote"' in text
    edit_page = admin_client.get(response["Location"]).content.decode()
    assert 'id="tab-promote"' in edit_page
    assert not CaseStudyPage.objects.get(pk=page.pk).live


@pytest.mark.django_db
def test_an_autosave_leaves_no_warning_to_turn_up_later(admin_client):
    page = draft(confidential_terms="Zorblax")
    data = edit_form_data(admin_client, page, summary="Repaid at Zorblax.")
    autosave = admin_client.post(
        f"/admin/pages/{page.pk}/edit/", data, HTTP_ACCEPT="application/json"
    )
    assert autosave.json()["success"] is True
    kept = CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert kept.summary == "Repaid at Zorblax."

    data["summary"] = "Repaid at the mill."  # the editor fixes it and saves
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)

    text = _messages(response)
    assert "has been updated" in text
    assert "cannot be published yet" not in text
    assert "Zorblax" not in text


@pytest.mark.django_db
def test_saving_a_draft_still_warns_with_a_link_to_the_field(admin_client):
    page = draft(confidential_terms="Zorblax")
    data = edit_form_data(admin_client, page, summary="Repaid at #ZorblaxWay.")
    response = admin_client.post(f"/admin/pages/{page.pk}/edit/", data)
    text = _messages(response)
    assert "cannot be published yet" in text
    assert "“Zorblax” appears in Summary as “#ZorblaxWay”" in text
    assert f'href="/admin/pages/{page.pk}/edit/#id_summary"' in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_editor_sees_the_refused_field_marked_in_a_real_browser(live_server, editor):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.chromium import launch

    page = draft(summary="Fees were repaid at Zor\u00adblax in 2023.", confidential_terms="Zorblax")
    with sync_playwright() as p:
        browser = launch(p)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(live_server.url + "/admin/login/")
        tab.fill("input[name=username]", "editor")
        tab.fill("input[name=password]", "pw")
        tab.locator("form button[type=submit]").first.click()
        tab.wait_for_url(live_server.url + "/admin/")

        tab.goto(f"{live_server.url}/admin/pages/{page.pk}/edit/")
        with tab.expect_navigation():
            tab.evaluate("document.querySelector('button[name=action-publish]').click()")

        summary = tab.locator('[data-contentpath="summary"]')
        expect(summary).to_have_class(re.compile(r"w-field--error"))
        errors = summary.locator("[data-field-errors] .error-message")
        expect(errors.nth(0)).to_contain_text("invisible character (soft hyphen) in Summary")
        expect(errors.nth(1)).to_contain_text(
            "“Zorblax” appears in Summary as “Zor[soft hyphen]blax”"
        )
        expect(tab.locator("#id_summary")).to_have_attribute("aria-invalid", "true")
        expect(tab.get_by_role("link", name="Go to Summary").first).to_have_attribute(
            "href", f"/admin/pages/{page.pk}/edit/#id_summary"
        )
        browser.close()
    assert not CaseStudyPage.objects.get(pk=page.pk).live
