from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    tokyo = ZoneInfo("Asia/Tokyo")
    first = datetime.combine(datetime.now(tokyo).date() + timedelta(days=1), time(7, 0), tokyo)
    Schedule.objects.get_or_create(
        name="daily reminders",
        defaults={"func": "stores.tasks.daily_reminders", "schedule_type": "D", "next_run": first, "repeats": -1},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="daily reminders").delete()


class Migration(migrations.Migration):
    dependencies = [("stores", "0003_encrypt_certificate"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(schedule, unschedule)]
