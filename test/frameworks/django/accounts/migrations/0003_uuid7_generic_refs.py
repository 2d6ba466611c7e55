# Generic references have no foreign key, so uuid7_migrate cannot see them: django_admin_log.object_id holds the old
# integer key as text. Rewrite the ones that point at the migrated models through the mapping (uuid7_mapped_id);
# an id whose row no longer existed at migration time becomes NULL.
from django.db import migrations

MODELS = ["user", "profile", "token", "socialaccount"]


def forwards(apps, schema_editor):
    for model in MODELS:
        table = apps.get_model("accounts", model)._meta.db_table
        schema_editor.execute(
            "UPDATE django_admin_log l"
            "   SET object_id = uuid7_mapped_id(%s::regclass, l.object_id::bigint)::text"
            "  FROM django_content_type ct"
            " WHERE ct.id = l.content_type_id AND ct.app_label = %s AND ct.model = %s"
            "   AND l.object_id ~ '^[0-9]+$'",
            params=[schema_editor.quote_name(table), "accounts", model],
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_uuid7_keys"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
