"""Demo data of police transmissions, created by ``seed_demo``: a procedure the demo police unit sent to the demo
prosecutor's office as its web page does (the manifest with each file's SHA-256, then each file by resumable upload,
checked and sealed, then the submission), acknowledged and waiting in the office's queue. Made once: the unit's
procedure of that number is left as it is on a second run."""

from __future__ import annotations

import hashlib
import io

from evidence import transmissions, tus
from evidence.models import Transmission
from justice.accounts.models import Organisation, User

PROCEDURE_NUMBER = "2026/004512"


def seed_demo_transmission(
    *, officer: User, unit: Organisation, office: Organisation, files: dict[str, bytes]
) -> Transmission:
    """``files``: the procedure's records (PDF), by file name."""
    existing = Transmission.objects.filter(sender=unit, procedure_number=PROCEDURE_NUMBER).first()
    if existing is not None:
        return existing
    transmission = transmissions.transmission_create(
        user=officer,
        sender=unit,
        recipient=office,
        procedure_number=PROCEDURE_NUMBER,
        offence="Vol par effraction dans un local commercial",
        summary=(
            "Dans la nuit, la vitrine de la boulangerie du 5 place du Marché a été brisée et la caisse emportée. "
            "Un suspect a été interpellé à proximité le lendemain matin ; il a été entendu en audition libre."
        ),
        persons=[
            {"name": "Sam Lefèvre", "role": "suspect", "birth_date": "1998-11-02"},
            {"name": "Boulangerie du Marché (SARL)", "role": "victim"},
            {"name": "Noa Garnier", "role": "witness"},
        ],
        entries=[
            transmissions.ManifestEntry(
                name=name,
                kind="record",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
            for name, content in files.items()
        ],
        channel="web",
    )
    for name, content in files.items():
        metadata = tus.Metadata(
            filename=name,
            filetype="application/pdf",
            sha256="",
            case_ref="",
            organisation="",
            transmission=str(transmission.pk),
        )
        upload = tus.tus_upload_create(user=officer, length=len(content), metadata=metadata, channel="web")
        tus.tus_upload_append(
            user=officer,
            pk=upload.pk,
            offset=0,
            content_length=len(content),
            body=io.BytesIO(content),
            checksum=None,
        )
        # What the task queued by the last chunk does; run here so that the procedure can be submitted at once (the
        # task, when it runs, finds the upload sealed and does nothing).
        tus.tus_upload_complete(upload_id=upload.pk)
    return transmissions.transmission_submit(transmission=transmission, user=officer)
