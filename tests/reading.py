"""What a visitor reads on a page: its text without tags, entities or runs of whitespace;
and what any answer says, whatever its format."""

from __future__ import annotations

import html
import json
import re


def visible(fragment: str) -> str:
    """An HTML fragment's text as a reader sees it: tags dropped, entities decoded, whitespace
    collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def main_text(response) -> str:
    """The visible text of a page's ``<main>``."""
    return visible(re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0))


def response_bytes(response) -> bytes:
    """The bytes of an answer, streamed or not (a stream is kept, so it may be read again)."""
    if not response.streaming:
        return response.content
    body = b"".join(response.streaming_content)
    response.streaming_content = [body]
    return body


def readable(response) -> str:
    """An answer's text as a reader would see its words: JSON with its non-ASCII letters
    unescaped, HTML entities decoded (a secret must not hide behind an escape)."""
    text = response_bytes(response).decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return html.unescape(text)
