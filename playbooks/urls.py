from django.urls import path

from perf.responses import PAGE, cacheable

from . import views

# Anonymous answers are cached by the portal's page cache under their declared parameters:
# the comparison's ``story`` ids and a playbook's ``risk`` are part of what they show, so
# they are part of the key.
playbook_page = cacheable(PAGE, params=["risk"])

app_name = "playbooks"
urlpatterns = [
    path("playbooks/", playbook_page(views.playbook_index), name="index"),
    path("playbooks/<slug:intervention>/", playbook_page(views.playbook), name="playbook"),
    path(
        "playbooks/<slug:intervention>/<slug:industry>/",
        playbook_page(views.industry_playbook),
        name="industry_playbook",
    ),
    path("compare/", cacheable(PAGE, params=["story"])(views.compare), name="compare"),
]
