"""On PostgreSQL, the database itself refuses UPDATE and DELETE on seals and custody events, whatever the client.

SQLite gets no trigger: the test suite empties tables between transactional tests with DELETE. The ORM guard
(``AppendOnlyQuerySet``, ``AppendOnlyModel``) applies everywhere.
"""

from django.db import migrations

TABLES = ("evidence_seal", "evidence_custodyevent")
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION evidence_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
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
        # params=None: the SQL holds plpgsql % placeholders that psycopg must not read as its own.
        schema_editor.execute(CREATE_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(CREATE_TRIGGERS.format(table=table))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(DROP_TRIGGERS.format(table=table))
        schema_editor.execute("DROP FUNCTION IF EXISTS evidence_append_only();")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
