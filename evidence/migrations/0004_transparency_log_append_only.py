"""On PostgreSQL, the log's leaves, cached nodes and checkpoints refuse UPDATE and DELETE, whatever the client
(the function comes from 0002)."""

from django.db import migrations

TABLES = ("evidence_logentry", "evidence_lognode", "evidence_checkpoint")
CREATE_TRIGGERS = """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(CREATE_TRIGGERS.format(table=table))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(DROP_TRIGGERS.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("evidence", "0003_transparency_log")]
    operations = [migrations.RunPython(forwards, backwards)]
