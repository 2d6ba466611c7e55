# The integer keys of the accounts app become uuid7 keys: one uuid7_migrate call converts the four tables' keys and
# every foreign key column that references them (the m2m tables of User, django_admin_log.user_id), in the
# transaction Django runs this migration in. Not reversible (the old keys stay readable through uuid7_legacy_id).
from django.db import migrations

TABLES = "ARRAY['accounts_user', 'accounts_profile', 'accounts_token', 'accounts_socialaccount']::regclass[]"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),  # django_admin_log.user_id is converted too
    ]
    operations = [
        # (a database built from the migrations alone, such as the test runner's, gets the extension here)
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS uuid7"),
        migrations.RunSQL(f"SELECT uuid7_migrate({TABLES})"),
    ]
