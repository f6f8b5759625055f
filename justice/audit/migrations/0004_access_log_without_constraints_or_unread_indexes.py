"""The access log without foreign-key constraints in the database, and without the indexes on the date alone and on
the organisation, which no read uses (see AccessEvent). On PostgreSQL: two DROP CONSTRAINT and two DROP INDEX, no
rewrite and no scan of the log. Going back adds the constraints again, which checks every event."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_api_clients'),
        ('audit', '0003_accessevent_subject_indexed_with_its_dates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='accessevent',
            name='actor',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who'),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='actor_organisation',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation', verbose_name='on behalf of'),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='when'),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='subject',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='access_events', to=settings.AUTH_USER_MODEL, verbose_name='person concerned'),
        ),
    ]
