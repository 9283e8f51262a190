from datetime import timedelta

from django.db import migrations
from django.utils import timezone

NAME = "count refunds queue totals"


def schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=NAME,
        defaults={"func": "sales.refunds.tasks.count_queue_totals", "schedule_type": "I", "minutes": 5,
                  "next_run": timezone.now() + timedelta(minutes=1), "repeats": -1},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0010_list_indexes"),
                    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(schedule, unschedule)]
