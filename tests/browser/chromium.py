"""Debian's Chromium, launched the same way by every browser test; never a downloaded browser."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"The browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def overflow(page) -> int:
    """How far the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


# A partner's site lives on another loopback address, so the embed is cross-origin.
PARTNER_HOST = "127.0.0.2"


def partner_site(pages: dict[str, str]) -> ThreadingHTTPServer:
    """A partner's news site serving ``pages`` (path to HTML) on PARTNER_HOST."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "not found").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((PARTNER_HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
