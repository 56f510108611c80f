"""Related practices for a story page (filled in by the search app)."""


def related_for(page, user, limit: int = 4) -> list:
    return []
