"""An email backend for fault-injection tests: Django's file-based backend, which stops once at a chosen point so
that the test can kill the worker there. Loaded by the worker through the ``EMAIL_BACKEND`` environment variable.

``JUSTICE_MAIL_FAULT`` chooses the point:

- ``mid_message``: half of the message is written, then the backend waits, like a mail server waiting for the end
  of the message. Killed there, the message is incomplete: the mail server would drop it, and the test counts
  only complete ones.
- ``after_commit``: the message is written completely and the task records it; the worker then waits after the
  task, before it acknowledges the message to the broker.

The first worker to reach the point creates ``stalled`` in ``JUSTICE_MAIL_FAULT_DIR`` and waits; once that file
exists, the backend behaves normally (the worker started after the kill).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import task_postrun
from django.core.mail.backends.filebased import EmailBackend

FAULT_VARIABLE = "JUSTICE_MAIL_FAULT"
DIR_VARIABLE = "JUSTICE_MAIL_FAULT_DIR"
MARKER = "stalled"
# A worker nobody kills still ends, so that a failed test leaves no process behind.
LONGEST_WAIT_SECONDS = 300
EMAIL_TASK = "justice.notifications.tasks.send_notification_email"


def _stall_here(point: str) -> bool:
    if os.environ.get(FAULT_VARIABLE) != point:
        return False
    marker = Path(os.environ[DIR_VARIABLE]) / MARKER
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return False
    return True


def _wait_to_be_killed() -> None:
    deadline = time.monotonic() + LONGEST_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.5)
    raise RuntimeError("mail_faults: nobody killed this worker")


class StallingFileBackend(EmailBackend):
    def write_message(self, message: Any) -> None:
        if _stall_here("mid_message"):
            data = message.message().as_bytes()
            assert self.stream is not None
            self.stream.write(data[: len(data) // 2])
            self.stream.flush()
            os.fsync(self.stream.fileno())
            _wait_to_be_killed()
        super().write_message(message)


@task_postrun.connect
def _stall_after_the_email_task(sender: Any = None, **kwargs: Any) -> None:
    if sender is not None and sender.name == EMAIL_TASK and _stall_here("after_commit"):
        _wait_to_be_killed()
