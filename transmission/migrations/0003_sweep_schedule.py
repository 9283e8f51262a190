from django.db import migrations
from django.utils import timezone


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name="send purchase records",
        defaults={"func": "transmission.tasks.sweep_records", "schedule_type": "I", "minutes": 1,
                  "next_run": timezone.now(), "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="send purchase records").delete()


class Migration(migrations.Migration):
    dependencies = [("transmission", "0002_sending"),
                    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(create, remove)]
