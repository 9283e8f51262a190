from django.conf import settings
from django.db import migrations
from django.utils import timezone

NAME = "pull customs confirmations"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=NAME,
        defaults={"func": "transmission.tasks.pull_confirmations", "schedule_type": "I",
                  "minutes": settings.CUSTOMS_PULL_MINUTES, "next_run": timezone.now(), "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("transmission", "0006_customs")]
    operations = [migrations.RunPython(create, remove)]
