from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("membership/", views.membership, name="membership"),
    path("share-your-practice/", views.share_your_practice, name="share_your_practice"),
    path(
        "share-your-practice/thanks/",
        views.share_your_practice_thanks,
        name="share_your_practice_thanks",
    ),
    # Members sign in through Wagtail's front-end login (/_util/login/), the one
    # members-only pages already use; signing out needs a route of its own.
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
]
