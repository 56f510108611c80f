"""The demo content's fictional contributing companies, registered as its stories publish.

The guard refuses a story whose company is not registered, so the demo loader
(content layer) announces each story and this app registers its company.
"""

from __future__ import annotations

from .models import ContributingCompany


def register_demo_company(sender, page, **kwargs) -> None:
    name = page.contributing_company.strip()
    if not name:
        return
    company = ContributingCompany.registered_as(name)
    if company is None:
        company = ContributingCompany.objects.create(
            name=name, industry=page.industry, size_band=page.size_band, hq_region=page.region
        )
    company.operating_regions.add(page.region)
    company.stages.add(*page.stages.all())


def connect() -> None:
    """Connect the demo loader's receiver (from ``signal_handlers.connect``)."""
    from casestudies.demo.loader import demo_story_ready

    demo_story_ready.connect(register_demo_company, dispatch_uid="anonymity.register_demo_company")
