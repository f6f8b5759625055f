"""The sandbox OpenID Provider (idp/), started as a real process on 127.0.0.1, and a person's way through it.

Tests talk to it over HTTP exactly as a browser and the portal would: no response is mocked. Its misbehaving test
identities (idp/sandbox_idp/identities.py) make it issue wrong ID tokens on purpose.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
IDP_MANAGE = ROOT / "idp" / "manage.py"
IDP_PASSWORD = "sandbox-identity-2026"
CLIENT_ID = "justice-portal-tests"
CLIENT_SECRET = "sandbox-client-secret-for-tests"
PROVIDER_ID = "sandbox"
CALLBACK_PATH = f"/account/oidc/{PROVIDER_ID}/login/callback/"


@dataclass(frozen=True)
class SandboxIdP:
    url: str
    log: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def app_settings(self) -> dict[str, Any]:
        """The portal's configuration of this provider (an entry of SOCIALACCOUNT_PROVIDERS' APPS)."""
        return {
            "provider_id": PROVIDER_ID,
            "name": "Sandbox",
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "settings": {
                "server_url": self.issuer,
                "oauth_pkce_enabled": True,
                "fetch_userinfo": False,
                "token_auth_method": "client_secret_post",
            },
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def idp_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "IDP_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "sandbox_idp.settings"}
    env.pop("DATABASE_URL", None)
    return env


@pytest.fixture(scope="session")
def sandbox_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxIdP]:
    data_dir = tmp_path_factory.mktemp("sandbox-idp")
    env = idp_env(data_dir)
    subprocess.run([sys.executable, str(IDP_MANAGE), "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run(
        [
            sys.executable,
            str(IDP_MANAGE),
            "idp_seed",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--redirect-uri",
            f"http://testserver{CALLBACK_PATH}",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = data_dir / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(IDP_MANAGE), "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    idp = SandboxIdP(url=f"http://127.0.0.1:{port}", log=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox identity provider did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield idp
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def federation(settings: Any, sandbox_idp: SandboxIdP) -> SandboxIdP:
    """The portal, configured with the sandbox provider for this test."""
    providers = {key: dict(value) for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["openid_connect"]["APPS"] = [sandbox_idp.app_settings()]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    return sandbox_idp


class FormParser(HTMLParser):
    """Collects the inputs of the first form with method="post" (what a browser would submit)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.checked: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self._done and attributes.get("method", "").lower() == "post":
            self._in_form = True
            self.action = attributes.get("action")
        elif tag == "input" and self._in_form and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind == "radio":
                if "checked" in attributes:
                    self.checked[attributes["name"]] = attributes.get("value", "")
            elif kind != "submit":
                self.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def authenticate_at_idp(authorize_url: str, *, username: str, acr: str | None = None, allow: bool = True) -> str:
    """Go through the provider's pages as a person would: sign in, choose the level, consent.

    Returns the URL the provider redirects the browser to (the portal's callback). ``acr`` is the level chosen on
    the consent screen (default: the one the provider preselects, i.e. the level the portal asked for).
    """
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    login_url = urljoin(authorize_url, response.headers["Location"])
    page = browser.get(login_url, timeout=10)
    form = parse_form(page.text)
    response = browser.post(
        urljoin(login_url, form.action or ""),
        data={**form.fields, "username": username, "password": IDP_PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    consent_url = urljoin(login_url, response.headers["Location"])
    page = browser.get(consent_url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    form = parse_form(page.text)
    data = {**form.fields, **form.checked}
    if acr is not None:
        data["acr"] = acr
    if allow:
        data["allow"] = "Authorize"
    response = browser.post(urljoin(consent_url, form.action or ""), data=data, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def portal_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
