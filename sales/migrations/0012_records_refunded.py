from django.db import migrations
from django.db.models import OuterRef, Subquery


def mark(apps, schema_editor):
    """Records of the refunds paid before the field existed get their payment time."""
    if schema_editor.connection.vendor == "postgresql":
        # One join instead of a sub-select per row. Every index of the records is written for each
        # row changed: at ten million records expect a long migration (README, Production).
        schema_editor.execute("""UPDATE transmission_purchaserecord r SET refunded_at = f.paid_at
                                 FROM sales_refund f WHERE f.sale_id = r.sale_id AND r.refunded_at IS NULL""")
        return
    record, refund = apps.get_model("transmission", "PurchaseRecord"), apps.get_model("sales", "Refund")
    paid = refund.objects.filter(sale_id=OuterRef("sale_id")).values("paid_at")[:1]
    record.objects.filter(sale__refund__isnull=False).update(refunded_at=Subquery(paid))


class Migration(migrations.Migration):
    dependencies = [("sales", "0011_refund_totals_schedule"), ("transmission", "0010_refunded_at")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
