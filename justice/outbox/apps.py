from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "justice.outbox"
    label = "outbox"
    verbose_name = _("Tasks waiting to be sent to the workers")
