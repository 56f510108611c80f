"""Followed searches, their deliveries and the outbox of stories that became visible."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def auto_id():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            "AlertSent",
            [
                auto_id(),
                ("sent_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("kind", models.CharField(choices=[("alert", "Alert"), ("digest", "Weekly digest")], max_length=10)),
                ("search_key", models.CharField(max_length=64)),
                ("search_label", models.CharField(max_length=500)),
                ("story_titles", models.JSONField(default=list)),
            ],
            options={"ordering": ["-sent_at", "-id"]},
        ),
        migrations.CreateModel(
            "Follower",
            [auto_id(), ("email", models.EmailField(max_length=254, unique=True)), ("created_at", models.DateTimeField(auto_now_add=True))],
        ),
        migrations.CreateModel(
            "StoryBecameVisible",
            [
                auto_id(),
                ("page_id", models.PositiveBigIntegerField(db_index=True)),
                ("reason", models.CharField(max_length=40)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.CreateModel(
            "FollowedSearch",
            [
                auto_id(),
                ("follower", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="searches", to="alerts.follower")),
                ("query", models.CharField(blank=True, max_length=200)),
                ("filters", models.JSONField(blank=True, default=dict)),
                ("key", models.CharField(db_index=True, max_length=64)),
                ("frequency", models.CharField(choices=[("immediately", "As it happens"), ("weekly", "Weekly digest")], default="immediately", max_length=20)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("digest_due_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["created_at", "id"],
                "constraints": [models.UniqueConstraint(fields=("follower", "key"), name="alerts_one_search_per_key")],
            },
        ),
        migrations.CreateModel(
            "AlertDelivery",
            [
                auto_id(),
                ("followed_search", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="alerts.followedsearch")),
                ("page_id", models.PositiveBigIntegerField()),
                ("state", models.CharField(choices=[("pending", "Waiting to be sent"), ("sent", "Sent"), ("withheld", "Withheld: members-only and the address is not a member's"), ("dropped", "Not sent: the story is no longer published")], default="pending", max_length=20)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("due_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["id"],
                "indexes": [models.Index(fields=["state", "due_at"], name="alerts_aler_state_4e1152_idx")],
                "constraints": [models.UniqueConstraint(fields=("followed_search", "page_id"), name="alerts_once_per_search_and_story")],
            },
        ),
    ]
