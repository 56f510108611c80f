from django.conf import settings


def portal(request):
    """Site-wide values every template needs (canonical base URL, site name)."""
    return {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.WAGTAIL_SITE_NAME}
