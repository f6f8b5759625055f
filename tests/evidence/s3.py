"""The real S3 store of the integration tests (Ceph radosgw from scripts/test-integration.sh)."""

from __future__ import annotations

import os
from typing import Any

from evidence.models import EvidenceItem
from evidence.storage import StorageLocation


def s3_options() -> dict[str, Any]:
    try:
        return {
            "endpoint_url": os.environ["S3_ENDPOINT_URL"],
            "access_key": os.environ["S3_ACCESS_KEY"],
            "secret_key": os.environ["S3_SECRET_KEY"],
            "region_name": "us-east-1",
        }
    except KeyError as missing:
        raise RuntimeError(f"{missing} is not set: run these tests with scripts/test-integration.sh") from None


def s3_client() -> Any:
    import boto3

    options = s3_options()
    return boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )


def use_bucket(settings: Any, bucket: str, *, object_lock: bool = True) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "evidence.storage.EvidenceS3Storage",
            "OPTIONS": {**s3_options(), "bucket_name": bucket, "file_overwrite": False, "object_lock": object_lock},
        },
    }


def location_of(item: EvidenceItem) -> StorageLocation:
    return StorageLocation(**item.seal.record_data["storage"])
