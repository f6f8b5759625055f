"""The seal record: the canonical JSON that states what was received, from whom, when, and where it is kept.

Canonical means one byte sequence for one record (sorted keys, no insignificant spaces, UTF-8, no floats), so the
record can be hashed, logged in the transparency log and checked years later. Fields are only ever added by
bumping ``v``.
"""

from __future__ import annotations

import datetime
import json
import secrets
from typing import Any

from evidence.storage import StorageLocation
from evidence.verify import SEAL_RECORD_TYPE

RECORD_VERSION = 1
# A local account without identity proofing is "low" (DESIGN §2); federation will set higher levels.
DEFAULT_ASSURANCE_LEVEL = "low"


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def utc_timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seal_record(
    *,
    evidence_id: str,
    sha256: str,
    size: int,
    media_type: str,
    user_id: int,
    role: str,
    organisation_code: str | None,
    assurance_level: str,
    channel: str,
    received_at: datetime.datetime,
    location: StorageLocation,
) -> str:
    """The canonical record of one seal. The random salt keeps anyone from testing, through the public log,
    whether a file they guess (a known photo, a known document) was submitted."""
    return canonical_json(
        {
            "v": RECORD_VERSION,
            "type": SEAL_RECORD_TYPE,
            "evidence_id": evidence_id,
            "sha256": sha256,
            "size": size,
            "media_type": media_type,
            "submitter": {
                "user_id": user_id,
                "role": role,
                "organisation": organisation_code,
                "assurance_level": assurance_level,
            },
            "channel": channel,
            "received_at": utc_timestamp(received_at),
            "storage": location.as_record(),
            "salt": secrets.token_hex(32),
        }
    )
