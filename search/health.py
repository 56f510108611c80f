"""Search availability, for the health endpoint (filled in by the search app)."""


def search_status() -> dict:
    return {"ok": True, "detail": "not configured"}
