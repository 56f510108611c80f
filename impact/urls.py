from django.urls import path

from perf.responses import OPEN_DATA, PAGE, cacheable

from . import views

# Served from the anonymous cache (perf.responses): the pages keyed on the search page's
# parameters, open data on none.
page = cacheable(PAGE)
open_data = cacheable(OPEN_DATA, [])

app_name = "impact"
urlpatterns = [
    path("impact/", page(views.dashboard), name="dashboard"),
    path("metrics/", page(views.metric_index), name="metric_index"),
    path("metrics/<slug:slug>/", page(views.metric_page), name="metric"),
    path("data/", page(views.data_dictionary), name="data_dictionary"),
    path(
        "data/metric-results.csv",
        open_data(views.metric_results_csv),
        name="metric_results_csv",
    ),
    path(
        "data/metric-results.json",
        open_data(views.metric_results_json),
        name="metric_results_json",
    ),
    path("data/releases/", views.release_index, name="release_index"),
    path(
        "data/releases/<str:date>/metric-results.<str:fmt>",
        views.release_file,
        name="release_file",
    ),
]
