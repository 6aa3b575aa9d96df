from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_polish10_drop_extra_request_drafts"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="letter",
            constraint=models.UniqueConstraint(condition=models.Q(("is_final", False), ("kind", "request")),
                                               fields=("case",), name="cases_letter_one_request_draft"),
        ),
    ]
