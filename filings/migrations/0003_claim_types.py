"""The starting catalogue of claim types, so that every installation can take civil referrals; the admin edits it."""

from decimal import Decimal

from django.db import migrations

CLAIM_TYPES = [
    # code, French name, English name, ceiling, amount required
    ("small_claim", "Petit litige (jusqu’à 5 000 €)", "Small claim (up to €5,000)", Decimal("5000.00"), True),
    ("landlord_tenant", "Litige entre propriétaire et locataire", "Landlord-tenant dispute", None, False),
    ("consumer_dispute", "Litige de consommation", "Consumer dispute", None, False),
    ("divorce_mutual_consent", "Divorce par consentement mutuel", "Divorce by mutual consent", None, False),
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    ClaimType = apps.get_model("filings", "ClaimType")
    for position, (code, name, name_en, max_amount, amount_required) in enumerate(CLAIM_TYPES):
        ClaimType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "max_amount": max_amount,
                "amount_required": amount_required,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("filings", "0002_cases_filings")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
