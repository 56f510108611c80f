"""`manage.py search_relevance`: NDCG@10 and recall@10 of the judged queries on the live index."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from elastic_transport import TransportError
from elasticsearch import ApiError

from search.relevance import JUDGEMENTS, evaluate, load_judgements


class Command(BaseCommand):
    help = (
        "Score the judged queries (search/relevance/judgements.json, over the demo content) "
        "against the current search index: NDCG@10 and recall@10 per query and on average. "
        "Loads and indexes nothing: run load_demo_content and search_index rebuild first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--judgements", default=str(JUDGEMENTS), help="judged queries file")

    def handle(self, *args, **options):
        try:
            judgements = load_judgements(options["judgements"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read the judgements: {exc}") from exc
        try:
            report = evaluate(judgements)
        except (TransportError, ApiError) as exc:
            raise CommandError(
                f"Elasticsearch is not reachable or has no story index ({exc.__class__.__name__}): "
                "start it and run manage.py search_index rebuild"
            ) from exc
        width = max(len(s.id) for s in report.scores)
        self.stdout.write(f"{'query':<{width}}  {'kind':<8}  ndcg@10  recall@10")
        for score in report.scores:
            self.stdout.write(
                f"{score.id:<{width}}  {score.kind:<8}  {score.ndcg:7.3f}  {score.recall:9.3f}"
            )
        self.stdout.write("")
        for kind, (ndcg, recall) in sorted(report.by_kind().items()):
            self.stdout.write(f"{'mean ' + kind:<{width}}  {'':<8}  {ndcg:7.3f}  {recall:9.3f}")
        self.stdout.write(
            f"{'mean':<{width}}  {'':<8}  {report.ndcg:7.3f}  {report.recall:9.3f}"
            f"   ({len(report.scores)} queries, scored by {report.scorer})"
        )
