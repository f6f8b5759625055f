"""A real RFC 3161 time-stamping authority for tests: ``openssl ts -reply`` behind a tiny HTTP server.

``LocalTSA(folder)`` creates a test root CA and a TSA certificate it issues (critical extended key usage
``timeStamping``, as RFC 3161 requires), and the OpenSSL configuration of the authority. ``reply(query)`` answers a
DER ``TimeStampReq`` with OpenSSL; ``serve()`` publishes it over HTTP on 127.0.0.1 (``application/timestamp-query``
in, ``application/timestamp-reply`` out), the way real TSAs are reached.

Runnable by hand for a local demo: ``python -m tests.tsa FOLDER [--port 8318]`` prints the URL and the PEM file
of the CA to configure as ``TSA_URL`` / ``TSA_CA_CERTIFICATES_FILE``.
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.99999.3161.1"  # an arbitrary policy OID for the test authority

CONFIG = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {policy}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Justice portal tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


class LocalTSA:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("Test time-stamping root CA"))
            .issuer_name(_name("Test time-stamping root CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        tsa_key = ec.generate_private_key(ec.SECP256R1())
        self.tsa_certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("Test time-stamping unit"))
            .issuer_name(self.ca_certificate.subject)
            .public_key(tsa_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        (self.folder / "ca.pem").write_bytes(_pem(self.ca_certificate))
        (self.folder / "chain.pem").write_bytes(_pem(self.ca_certificate))
        (self.folder / "tsa.pem").write_bytes(_pem(self.tsa_certificate))
        (self.folder / "tsa.key").write_bytes(
            tsa_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (self.folder / "serial").write_text("01\n")
        (self.folder / "openssl.cnf").write_text(CONFIG.format(folder=self.folder, policy=POLICY))
        self._lock = threading.Lock()

    @property
    def ca_file(self) -> Path:
        """The PEM of the root CA: what a verifier pins (``--tsa-cert``) and the portal trusts."""
        return self.folder / "ca.pem"

    def reply(self, query: bytes) -> bytes:
        """The DER ``TimeStampResp`` OpenSSL gives to a DER ``TimeStampReq``."""
        with self._lock, tempfile.TemporaryDirectory() as tmp:
            query_file, reply_file = Path(tmp) / "query.tsq", Path(tmp) / "reply.tsr"
            query_file.write_bytes(query)
            config = str(self.folder / "openssl.cnf")
            command = ["openssl", "ts", "-reply", "-config", config, "-queryfile", str(query_file)]
            subprocess.run([*command, "-out", str(reply_file)], check=True, capture_output=True)
            return reply_file.read_bytes()

    @contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Serve the authority over HTTP on 127.0.0.1 (a free port unless given); yields its URL."""
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                query = self.rfile.read(length)
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                try:
                    body = authority.reply(query)
                except subprocess.CalledProcessError:
                    self.send_error(400)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/tsr"
        finally:
            server.shutdown()
            server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a local test time-stamping authority (not for production).")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, default=8318)
    args = parser.parse_args()
    authority = LocalTSA(args.folder)
    with authority.serve(args.port) as url:
        print(f"TSA_URL={url}\nTSA_CA_CERTIFICATES_FILE={authority.ca_file}")
        threading.Event().wait()


if __name__ == "__main__":
    main()
