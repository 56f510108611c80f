"""Who may frame, read and cookie which responses.

Only embed routes may be framed by other sites; every other response refuses
framing (the admin preview keeps its same-origin frame). Read-only public
surfaces (API, oEmbed, feeds) are open to any origin for GET. Embed responses
never set cookies, so partners' readers are not tracked through them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

OPEN_READ_PREFIXES = ("/api/", "/oembed", "/feeds/")
READ_METHODS = ("GET", "HEAD")


def embeddable(view: Callable) -> Callable:
    """Mark a view's responses as frameable by any site and free of cookies."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.embeddable = True
        response.xframe_options_exempt = True
        return response

    return wrapper


def _with_frame_ancestors(csp: str, value: str) -> str:
    if "frame-ancestors" not in csp.lower():  # every answer: base/csp.py sets none
        return f"{csp.rstrip('; ')}; frame-ancestors {value}" if csp else f"frame-ancestors {value}"
    directives = [d.strip() for d in csp.split(";") if d.strip()]
    directives = [d for d in directives if not d.lower().startswith("frame-ancestors")]
    return "; ".join([*directives, f"frame-ancestors {value}"])


class PublicSurfaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        open_read = request.path.startswith(OPEN_READ_PREFIXES)
        if open_read and request.method == "OPTIONS":
            return self._preflight(request)
        response = self.get_response(request)
        if open_read and request.method in READ_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
        self._apply_framing_policy(response)
        return response

    def _preflight(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD, OPTIONS"
        if request.headers.get("Access-Control-Request-Method", "GET") in READ_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        return response

    def _apply_framing_policy(self, response: HttpResponse) -> None:
        if response.status_code == 304:
            # A browser updates its stored copy's headers from a 304 (RFC 9111 §4.3.4):
            # it keeps the policy, with the nonce, of the body it already has.
            return
        csp = response.get("Content-Security-Policy", "")
        if getattr(response, "embeddable", False):
            response["Content-Security-Policy"] = _with_frame_ancestors(csp, "*")
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]
            response.cookies.clear()
            return
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            response["Content-Security-Policy"] = _with_frame_ancestors(csp, "'self'")
            return
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = _with_frame_ancestors(csp, "'none'")
