from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("impact/", views.dashboard, name="dashboard"),
    path("metrics/", views.metric_index, name="metric_index"),
    path("metrics/<slug:slug>/", views.metric_page, name="metric"),
    path("data/", views.data_dictionary, name="data_dictionary"),
    path("data/metric-results.csv", views.metric_results_csv, name="metric_results_csv"),
    path("data/metric-results.json", views.metric_results_json, name="metric_results_json"),
]
