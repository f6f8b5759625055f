"""Public log endpoints, the receipt download, and the monitor that catches a forked log."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.checkpoint import Signer
from evidence.keys import log_signer
from evidence.merkle import leaf_hash, verify_consistency, verify_inclusion
from evidence.models import Checkpoint, LogEntry
from evidence.monitor import LogForkError, monitor_local_log, monitor_remote_log
from evidence.tasks import sign_checkpoint
from evidence.translog import Leaf, translog_append, translog_checkpoint
from evidence.verify import load_receipt, verify
from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


def grow(n: int, start: int = 0) -> None:
    translog_append(*[Leaf(kind=LogEntry.Kind.CUSTODY, data=f'{{"n":{i}}}') for i in range(start, start + n)])


def test_the_latest_checkpoint_is_public_plain_text_and_cacheable(client: Client) -> None:
    grow(5)
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "public" in response["Cache-Control"]
    checkpoint = SignedCheckpoint.open(response.content.decode(), log_signer().verifier)
    assert checkpoint.size == 5
    assert client.get("/log/checkpoint/5").content == response.content
    assert client.get("/log/checkpoint/4").status_code == 404


def test_consistency_and_inclusion_proofs_verify(client: Client) -> None:
    grow(7)
    old = SignedCheckpoint.parse(translog_checkpoint().note.split("\n\n")[0] + "\n")
    grow(13, 7)
    new = SignedCheckpoint.parse(translog_checkpoint().note.split("\n\n")[0] + "\n")
    answer = client.get("/log/consistency?first=7&second=20").json()
    verify_consistency(7, 20, old.root, new.root, [base64.b64decode(h) for h in answer["proof"]])
    wanted = leaf_hash(b'{"n":11}')
    answer = client.get(f"/log/inclusion?leaf_hash={wanted.hex()}&tree_size=20").json()
    assert answer["leaf_index"] == 11
    verify_inclusion(wanted, 11, 20, [base64.b64decode(h) for h in answer["proof"]], new.root)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("/log/consistency?first=0&second=3", 400),
        ("/log/consistency?first=x&second=3", 400),
        ("/log/consistency?first=2&second=4", 404),
        ("/log/inclusion?leaf_hash=zz&tree_size=3", 400),
        (f"/log/inclusion?leaf_hash={'00' * 32}&tree_size=3", 404),
    ],
)
def test_bad_proof_requests_get_a_clear_error(client: Client, query: str, status: int) -> None:
    grow(3)
    translog_checkpoint()
    response = client.get(query)
    assert response.status_code == status
    assert response.json()["error"]


def test_public_endpoints_are_rate_limited(client: Client) -> None:
    cache.clear()
    grow(1)
    statuses = [client.get("/log/checkpoint").status_code for _ in range(125)]
    assert statuses.count(200) == 120 and statuses[-1] == 429
    cache.clear()


def test_the_receipt_download_verifies_offline_and_is_access_checked(client: Client) -> None:
    owner = UserFactory()
    content = corpus.pdf(pages=2)
    item = sealed_item(uploader=owner, content=content)
    client.force_login(owner)
    response = client.get(f"/evidence/{item.pk}/receipt.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    result = verify(
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
        receipt=load_receipt(response.content),
        verifier=log_signer().verifier,
    )
    assert result.evidence_id == str(item.pk)
    stranger = staff_member(Membership.Role.CLERK)
    client.force_login(stranger.user)
    assert client.get(f"/evidence/{item.pk}/receipt.json").status_code == 404


def test_the_beat_task_and_the_command_sign_checkpoints() -> None:
    grow(2)
    sign_checkpoint()
    assert Checkpoint.objects.get().size == 2
    grow(1, 2)
    call_command("translog_checkpoint")
    assert Checkpoint.objects.latest().size == 3


def test_the_local_monitor_accepts_growth_and_alerts_on_a_fork(caplog) -> None:
    cache.clear()
    grow(4)
    assert monitor_local_log().checkpoint.size == 4
    grow(3, 4)
    assert monitor_local_log().checkpoint.size == 7
    # Someone rewrites history: a properly signed checkpoint of another tree of the same size.
    forged = SignedCheckpoint("test.justice.localhost/log", 7, hashlib.sha256(b"other").digest())
    cache.set("evidence:translog:last-seen-checkpoint", forged.sign([log_signer()]))
    with pytest.raises(LogForkError):
        monitor_local_log()
    assert "ALERT transparency log" in caplog.text
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_remote_monitor_checks_a_portal_through_its_public_urls(live_server, tmp_path: Path) -> None:
    state = tmp_path / "last-checkpoint"
    key = log_signer().verifier
    grow(6)
    assert monitor_remote_log(base_url=live_server.url, verifiers=[key], state=state).checkpoint.size == 6
    grow(10, 6)
    assert monitor_remote_log(base_url=live_server.url, verifiers=[key], state=state).checkpoint.size == 16
    impostor = Signer.generate("test.justice.localhost/log")
    with pytest.raises(LogForkError, match="not signed"):
        monitor_remote_log(base_url=live_server.url, verifiers=[impostor.verifier], state=state)
    state.write_text(SignedCheckpoint("test.justice.localhost/log", 9, bytes(32)).sign([log_signer()]))
    with pytest.raises(CommandError, match="ALERT"):
        call_command("translog_monitor", url=live_server.url, key=[key.encode()], state=state)
