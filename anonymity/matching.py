"""Recognising a confidential term in text, however it is disguised.

The guard (anonymity/guard.py) decides what is public; this module decides
whether a piece of text names someone. It is separate because the tricks it
must see through are many and each needs its own reason: text pasted from PDFs
carries soft hyphens, homoglyphs make "Zоrblax" (Cyrillic о) look like the
name to a reader but not to a naive comparison, markup splits words, and a
company name turns up joined in domains, e-mail addresses and hashtags.

Both the term and the text go through the same folding, so whatever the
folding maps together is treated alike on both sides.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

# Legal forms dropped from the end of a company name, so "Acme Ltd" also
# catches a bare "ACME".
LEGAL_FORMS = frozenset(
    "ltd limited inc incorporated llc llp plc gmbh ag sa sas sarl srl spa bv nv co corp "
    "corporation company pty pvt private kk oy aps bhd sdn tbk group holdings".split()
)
LEGAL_PREFIXES = frozenset({"pt", "cv"})

# A core shorter than this is matched only as a whole word: "Acme" must not
# find "acmes" or "acmeville.com", and a term "Co" must not find every "co".
SPECIFIC_CORE = 5
# Cores shorter than this are not used on their own at all (the full term is).
MINIMUM_CORE = 3

# --- Invisible characters ---------------------------------------------------

# Unicode's Default_Ignorable_Code_Point ranges beyond format characters (Cf):
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian
# and other variation selectors, musical format marks, and the tag block.
_DEFAULT_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_ZWJ = "\u200d"
_EMOJI_SELECTORS = frozenset({"\ufe0e", "\ufe0f"})


def is_invisible(char: str) -> bool:
    """Whether a character takes no visible space but can split or disguise a word."""
    if unicodedata.category(char) == "Cf":
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _DEFAULT_IGNORABLE)


def strip_invisible(text: str) -> str:
    return "".join(c for c in text if not is_invisible(c))


def _part_of_emoji(text: str, index: int) -> bool:
    """A zero-width joiner or presentation selector inside an emoji sequence.

    "👩‍🌾" and "❤️" need them; anywhere else they only hide things.
    """
    char = text[index]
    if char not in _EMOJI_SELECTORS and char != _ZWJ:
        return False
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    emoji_before = bool(before) and (
        unicodedata.category(before) in ("So", "Sk") or before in _EMOJI_SELECTORS
    )
    if char in _EMOJI_SELECTORS:
        return emoji_before
    return emoji_before and bool(after) and unicodedata.category(after) == "So"


def character_name(char: str) -> str:
    """A name an editor can look up: "soft hyphen", "zero width space", "U+E0041"."""
    name = unicodedata.name(char, "")
    return name.lower() if name else f"U+{ord(char):04X}"


def invisible_characters(text: str) -> list[str]:
    """The names of invisible characters in text, once each, in order of appearance."""
    found: list[str] = []
    for index, char in enumerate(text or ""):
        if is_invisible(char) and not _part_of_emoji(text, index):
            name = character_name(char)
            if name not in found:
                found.append(name)
    return found


# --- Confusables ------------------------------------------------------------

# Letters readers take for Latin ones whose prototype in Unicode's
# confusables table is not plain Latin (Greek ε is mapped to "ꞓ", κ to the
# kra "ĸ", τ to a small capital). Small capitals read as their letter too.
_LATIN_LOOKALIKES = {
    "ε": "e",
    "ɛ": "e",
    "ꞓ": "e",
    "κ": "k",
    "ĸ": "k",
    "к": "k",
    "τ": "t",
    "χ": "x",
    "т": "t",
    "в": "b",
    "н": "h",
    "м": "m",
    "ʙ": "b",
    "ʜ": "h",
    "ᴍ": "m",
    "ᴛ": "t",
    "ᴋ": "k",
}
# ASCII characters the table maps elsewhere that must stay as they are: "|"
# separates words in titles; "m" is kept and "rn" folded to it instead (below),
# so that a word does not grow longer than it reads; a capital I is an l only
# inside a lower-case word (see _CAPITAL_I_AS_L), or "NORDVIK" would not match.
_KEEP = frozenset("|mI")


@lru_cache(maxsize=1)
def _lookalike_table() -> dict[int, str]:
    """Characters that look like a Latin letter or digit, mapped to it.

    Derived from Unicode's confusables table (as shipped by the
    confusable_homoglyphs package, which stores each source ↔ prototype pair
    in both directions): a character with a single partner is a source when
    that partner is a prototype of several characters or a sequence.
    Only prototypes made of ASCII letters and digits are kept: this is about
    names written in Latin script, not about every script.
    """
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[int, str] = {}
    for char, partners in confusables_data.items():
        if len(char) != 1 or len(partners) != 1 or char in _KEEP:
            continue
        target = partners[0]["c"].strip("\u200e\u200f")
        if len(target) == 1 and len(confusables_data.get(target, ())) <= 1:
            continue  # a pair of equals: neither is the prototype of the other
        if target.isascii() and target.isalnum():
            table[ord(char)] = target
    table.update({ord(k): v for k, v in _LATIN_LOOKALIKES.items()})
    return table


def _prepare(text: str) -> str:
    """Invisible characters gone, compatibility forms and look-alikes made plain.

    Case is kept for the camel-case split. NFKC turns fullwidth and
    mathematical letters (ｚ, 𝐳, 𝓏) into plain ones before the table is read.
    """
    return unicodedata.normalize("NFKC", strip_invisible(text)).translate(_lookalike_table())


def _fold(text: str) -> str:
    """The skeleton of prepared text: lower case, look-alikes mapped, no accents."""
    folded = text.casefold().translate(_lookalike_table())
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return plain.replace("rn", "m")


def skeleton(text: str) -> str:
    """How text reads once disguises are removed; equal skeletons look alike."""
    return _fold(_prepare(text))


# --- Word forms ---------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# A capital I inside a lower-case word is a disguised l ("ZorbIax").
_CAPITAL_I_AS_L = re.compile(r"(?<=[a-z])I|I(?=[a-z])")
_SEPARATORS = re.compile(r"[\W_]+")
_SILENT = re.compile(r"[.'’`]")


def _words(folded: str) -> set[str]:
    """Dots and apostrophes read both as separators ("acme.com" has "acme")
    and as nothing ("A.C.M.E." is "acme")."""
    variants = (folded, _SILENT.sub("", folded))
    return {" ".join(_SEPARATORS.sub(" ", variant).split()) for variant in variants}


def _forms(text: str, *, disguises: bool = True) -> set[str]:
    """Space-separated word forms of a text, padded so word boundaries are spaces."""
    plain = unicodedata.normalize("NFKC", strip_invisible(text))
    prepared = plain.translate(_lookalike_table())
    cased = {prepared, _CAMEL.sub(" ", prepared)}
    if disguises:
        # Capitals folded before the table is read: a Cyrillic or Greek capital
        # I in "NORDVІK" is an i, though the table makes capital I-likes an l.
        cased |= {plain, _CAPITAL_I_AS_L.sub("l", prepared)}
    return {f" {words} " for variant in cased for words in _words(_fold(variant))}


def _plurals(variant: str) -> set[str]:
    if len(variant.replace(" ", "")) < SPECIFIC_CORE:
        return set()
    forms = {variant + "s", variant + "es"}
    if variant.endswith("y"):
        forms.add(variant[:-1] + "ies")
    return forms


@lru_cache(maxsize=4096)
def _spellings(term: str) -> frozenset[str]:
    """Spaced and joined spellings of a term and of its core without legal forms."""
    spellings: set[str] = set()
    for form in _forms(term, disguises=False):
        words = form.split()
        if not words:
            continue
        core = list(words)
        while len(core) > 1 and core[-1] in LEGAL_FORMS:
            core.pop()
        while len(core) > 1 and core[0] in LEGAL_PREFIXES:
            core.pop(0)
        spellings |= {" ".join(words), "".join(words)}
        if core != words and len("".join(core)) >= MINIMUM_CORE:
            spellings |= {" ".join(core), "".join(core)}
    return frozenset(spellings)


@lru_cache(maxsize=4096)
def term_variants(term: str) -> frozenset[str]:
    """The spellings of a term that count as the term.

    Spaced and joined ("Zorblax Foods", "ZorblaxFoods"), without legal forms
    ("Acme Ltd" is also "Acme"), and plurals of specific cores ("Zorblaxes";
    possessives are covered because the apostrophe separates words).
    """
    variants = set(_spellings(term))
    for spelling in _spellings(term):
        variants |= _plurals(spelling)
    return frozenset(variants)


@lru_cache(maxsize=4096)
def _compact_cores(term: str) -> frozenset[str]:
    """Joined spellings specific enough to be found inside a longer token."""
    return frozenset(
        s.replace(" ", "") for s in _spellings(term) if len(s.replace(" ", "")) >= SPECIFIC_CORE
    )


# Tokens where names run together: hashtags, handles, e-mail addresses, domains.
_TOKEN = re.compile(r"[\w.+#@-]+")
_DOMAIN = re.compile(r"\w\.[^\W\d_]{2,}")


def _compounds(text: str) -> set[str]:
    return {
        _SEPARATORS.sub("", token)
        for token in _TOKEN.findall(_fold(_prepare(text)))
        if "#" in token or "@" in token or _DOMAIN.search(token)
    }


def _matches(term: str, forms: set[str], compounds: set[str]) -> bool:
    variants = term_variants(term)
    if any(f" {v} " in form for v in variants for form in forms):
        return True
    return any(core in token for core in _compact_cores(term) for token in compounds)


def find_terms(text: str, terms: Iterable[str]) -> list[str]:
    """The terms text mentions, however spelled, disguised or joined."""
    if not text:
        return []
    forms = _forms(text)
    compounds = _compounds(text)
    return [term for term in terms if _matches(term, forms, compounds)]


def contains_term(text: str, term: str) -> bool:
    return bool(find_terms(text, [term]))


_TRIM = "\"'“”‘’«»()[]{}<>,;:!?.…"


def excerpt(text: str, term: str) -> str:
    """The shortest run of text, as written, that mentions the term ("" if none).

    This is what the editor looks for in the field, so it is taken from the
    field and not from the configured term.
    """
    spans = [m.span() for m in re.finditer(r"\S+", text or "")]
    longest = 2 * len(term.split()) + 2
    for size in range(1, longest + 1):
        for start in range(len(spans) - size + 1):
            piece = text[spans[start][0] : spans[start + size - 1][1]]
            if contains_term(piece, term):
                return piece.strip(_TRIM) or piece
    return ""


def find_term_excerpts(text: str, terms: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(term, excerpt as written) for each term the text mentions."""
    for term in find_terms(text, terms):
        yield term, excerpt(text, term)


# --- Rich text ------------------------------------------------------------------

# Elements that end a word; any other tag (b, i, a, span, ...) sits inside one.
_BLOCK_ELEMENTS = frozenset(
    "address article aside blockquote br dd div dl dt embed figcaption figure footer h1 h2 "
    "h3 h4 h5 h6 header hr img li main nav ol p pre section table tbody td tfoot th thead tr "
    "ul".split()
)
_TAG = re.compile(r"<!--.*?-->|<\s*/?\s*([a-zA-Z][\w:-]*)[^>]*>", re.DOTALL)


def rich_text_words(source: str) -> str:
    """The text a reader sees in rich text: "Zor<b>blax</b>" is one word, "<p>a</p><p>b</p>" two.

    Entities are decoded, so "&shy;" and "&#8203;" become the characters the
    rest of the matching removes and the guard refuses.
    """

    def replace(match: re.Match) -> str:
        name = (match.group(1) or "").lower()
        return " " if name in _BLOCK_ELEMENTS else ""

    return html.unescape(_TAG.sub(replace, source or ""))
