from django.db import migrations


def rename(apps, old: str, new: str) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func=old).update(func=new)


def forward(apps, schema_editor):
    rename(apps, "sales.tasks.purge_captures", "sales.capture.tasks.purge_captures")


def backward(apps, schema_editor):
    rename(apps, "sales.capture.tasks.purge_captures", "sales.tasks.purge_captures")


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_purge_schedule"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(forward, backward)]
