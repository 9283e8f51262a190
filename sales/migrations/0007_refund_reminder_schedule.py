from django.db import migrations
from django.utils import timezone

NAME = "remind unpaid refunds"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=NAME,
        defaults={"func": "sales.refunds.tasks.remind_unpaid", "schedule_type": "D", "next_run": timezone.now(),
                  "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0006_refunds"), ("transmission", "0007_pull_schedule")]
    operations = [migrations.RunPython(create, remove)]
