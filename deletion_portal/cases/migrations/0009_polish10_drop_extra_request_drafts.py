from django.db import migrations


def drop_extra_request_drafts(apps, schema_editor):
    """Before the constraint: a case with more than one request draft (two drafting requests at once could
    create them) keeps its newest; the others were never final, never sent and are rendered again on demand.
    Where the request is final already, the draft is left: the constraint allows one."""
    Letter = apps.get_model("cases", "Letter")
    drafts = Letter.objects.filter(kind="request", is_final=False).order_by("case_id", "-created_at", "-id")
    seen, extra = set(), []
    for letter_id, case_id in drafts.values_list("id", "case_id").iterator(chunk_size=2000):
        if case_id in seen:
            extra.append(letter_id)
        seen.add(case_id)
    for start in range(0, len(extra), 1000):
        Letter.objects.filter(id__in=extra[start:start + 1000]).delete()


class Migration(migrations.Migration):
    """Its own migration (own transaction on PostgreSQL): the constraint is added in the next one."""

    dependencies = [
        ("cases", "0008_statsfeat_case_acknowledge_by"),
    ]

    operations = [
        migrations.RunPython(drop_extra_request_drafts, migrations.RunPython.noop),
    ]
