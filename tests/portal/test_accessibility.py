"""Every page a person can reach passes axe-core's WCAG 2.1 AA rules in a real headless browser."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from justice.accounts import services
from justice.accounts.models import ApiScope, Membership, Organisation
from tests.accounts.factories import PASSWORD, UserFactory, staff_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def assert_accessible(page: Any, url: str) -> None:
    """No axe WCAG 2.1 AA violation, and nothing blocked by the Content Security Policy."""
    page.add_init_script(CSP_LISTENER)
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
    assert page.evaluate("window.__cspViolations") == [], url


@pytest.mark.parametrize(
    "path",
    ["/", "/account/login/", "/account/signup/", "/account/password/reset/", "/accessibility/", "/verify/",
     "/no-such-page/", "/invitations/not-a-token/"],
)  # fmt: skip
def test_public_pages(live_server, page, path: str) -> None:
    assert_accessible(page, live_server.url + path)


def test_public_pages_in_english(live_server, chromium) -> None:
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    try:
        for path in ("/", "/account/login/"):
            assert_accessible(page, live_server.url + path)
    finally:
        context.close()


def test_a_form_with_errors(live_server, page) -> None:
    page.goto(live_server.url + "/account/signup/")
    page.fill("#id_email", "not-an-email")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "other")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".fr-message--error, .fr-alert--error").count() > 0
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("path", ["/dashboard/", "/account/access-log/", "/account/email/", "/account/2fa/",
                                  "/account/sessions/", "/account/password/change/"])  # fmt: skip
def test_a_citizens_pages(live_server, page, path: str) -> None:
    sign_in(page, live_server, UserFactory())
    assert_accessible(page, live_server.url + path)


def test_staff_dashboards_and_member_management(live_server, page) -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    for role in (Membership.Role.CLERK, Membership.Role.JUDGE):
        staff_member(role, organisation=admin.organisation)
    services.invitation_create(
        organisation=admin.organisation, email="new@example.org", role=Membership.Role.CLERK, actor=admin.user
    )
    sign_in(page, live_server, admin.user)
    assert_accessible(page, f"{live_server.url}/dashboard/")
    assert_accessible(page, f"{live_server.url}/organisations/{admin.organisation.pk}/members/")
    clerk = Membership.objects.filter(organisation=admin.organisation, role=Membership.Role.CLERK).first()
    assert clerk is not None
    assert_accessible(page, f"{live_server.url}/organisations/{admin.organisation.pk}/members/{clerk.pk}/revoke/")


def test_the_invitation_page(live_server, page) -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    _invitation, token = services.invitation_create(
        organisation=admin.organisation, email="new@example.org", role=Membership.Role.JUDGE, actor=admin.user
    )
    assert_accessible(page, f"{live_server.url}/invitations/{token}/")


def test_api_credentials_pages(live_server, page) -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN, kind=Organisation.Kind.POLICE_UNIT)
    client, _secret = services.api_client_create(
        organisation=admin.organisation, name="Logiciel LRP", scopes=[ApiScope.TRANSMISSIONS], actor=admin.user
    )
    sign_in(page, live_server, admin.user)
    base = f"{live_server.url}/organisations/{admin.organisation.pk}/api-clients/"
    for url in (base, f"{base}{client.pk}/", f"{base}{client.pk}/revoke/", f"{base}new/"):
        assert_accessible(page, url)
    # Creating asks for the password again, then shows the secret once: that page too.
    page.fill("#id_name", "Logiciel de la brigade 2")
    page.click("label[for=id_scopes_0]")  # the DSFR label covers its checkbox
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#client-secret")
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
