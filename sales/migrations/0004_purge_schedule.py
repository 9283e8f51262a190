from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations


def schedule(apps, schema_editor):
    tokyo = ZoneInfo("Asia/Tokyo")
    first = datetime.combine(datetime.now(tokyo).date() + timedelta(days=1), time(3, 30), tokyo)
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name="purge passport captures",
        defaults={"func": "sales.capture.tasks.purge_captures", "schedule_type": "D", "next_run": first, "repeats": -1},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="purge passport captures").delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_passport_capture"),
                    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(schedule, unschedule)]
