import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0020_customer_anonymised"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["updated_at", "id"], name="product_updated"),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["business", "updated_at", "id"], name="product_business_updated"),
        ),
    ]
