"""No room, judge or counsel in two overlapping listed (or held) hearings, enforced by the database.

PostgreSQL: exclusion constraints over ``tstzrange(starts_at, ends_at, '[)')`` (btree_gist for the equality part),
so two clerks booking the same slot at the same moment cannot both commit. SQLite (development, unit tests): triggers
that abort the insert or update of an overlapping row, the same rule written the long way.
"""

from django.db import migrations

OCCUPYING = "('listed', 'held')"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE hearings_hearing ADD CONSTRAINT hearing_room_no_overlap
        EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN {OCCUPYING})""",
    f"""ALTER TABLE hearings_hearing ADD CONSTRAINT hearing_judge_no_overlap
        EXCLUDE USING gist (judge_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN {OCCUPYING})""",
    """ALTER TABLE hearings_counselbooking ADD CONSTRAINT counsel_booking_no_overlap
        EXCLUDE USING gist (lawyer_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (active)""",
]
POSTGRES_REVERSE = [
    "ALTER TABLE hearings_counselbooking DROP CONSTRAINT IF EXISTS counsel_booking_no_overlap",
    "ALTER TABLE hearings_hearing DROP CONSTRAINT IF EXISTS hearing_judge_no_overlap",
    "ALTER TABLE hearings_hearing DROP CONSTRAINT IF EXISTS hearing_room_no_overlap",
]


def _sqlite_trigger(name: str, table: str, column: str, when: str, other: str, event: str) -> str:
    return f"""CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}
        WHEN {when}
        BEGIN
            SELECT RAISE(ABORT, '{name}') WHERE EXISTS (
                SELECT 1 FROM {table} AS other
                WHERE other.{column} = NEW.{column} AND {other} AND other.id IS NOT NEW.id
                  AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at
            );
        END"""


SQLITE_TRIGGERS = [
    ("hearing_room_no_overlap", "hearings_hearing", "room_id", f"NEW.status IN {OCCUPYING}", f"other.status IN {OCCUPYING}"),
    ("hearing_judge_no_overlap", "hearings_hearing", "judge_id", f"NEW.status IN {OCCUPYING}", f"other.status IN {OCCUPYING}"),
    ("counsel_booking_no_overlap", "hearings_counselbooking", "lawyer_id", "NEW.active", "other.active"),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for name, table, column, when, other in SQLITE_TRIGGERS:
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(_sqlite_trigger(name, table, column, when, other, event))


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_REVERSE:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for name, *_rest in SQLITE_TRIGGERS:
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")


class Migration(migrations.Migration):
    dependencies = [("hearings", "0001_hearings_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
