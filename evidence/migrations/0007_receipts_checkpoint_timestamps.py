"""Time stamps (RFC 3161) of checkpoints, append-only like the log: on PostgreSQL a trigger refuses UPDATE and
DELETE (the function comes from 0002)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


TRIGGERS = """
CREATE TRIGGER evidence_checkpointtimestamp_no_update BEFORE UPDATE ON evidence_checkpointtimestamp
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
CREATE TRIGGER evidence_checkpointtimestamp_no_delete BEFORE DELETE ON evidence_checkpointtimestamp
    FOR EACH ROW EXECUTE FUNCTION evidence_append_only();
"""
DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS evidence_checkpointtimestamp_no_update ON evidence_checkpointtimestamp;
DROP TRIGGER IF EXISTS evidence_checkpointtimestamp_no_delete ON evidence_checkpointtimestamp;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0006_scan_verification"),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckpointTimestamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("response", models.BinaryField(verbose_name="time-stamp reply")),
                ("certificates", models.TextField(verbose_name="authority certificates")),
                ("authority", models.CharField(max_length=500, verbose_name="time-stamping authority")),
                ("stamped_at", models.DateTimeField(verbose_name="time stamped")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="obtained at"),
                ),
                (
                    "checkpoint",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="timestamp",
                        to="evidence.checkpoint",
                        verbose_name="checkpoint",
                    ),
                ),
            ],
            options={
                "verbose_name": "checkpoint time stamp",
                "verbose_name_plural": "checkpoint time stamps",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
