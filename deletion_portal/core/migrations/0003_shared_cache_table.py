"""The database cache table of the "shared" cache (settings.CACHES), for setups without Redis: the API's
anonymous throttle and the rate limits count there, so every web worker counts together. With Redis
configured there is no database cache and createcachetable does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_outboxmessage")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
