"""The French catalogue is complete, and the compiled catalogue Django loads says the same as the source."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"


def test_every_french_message_is_translated_and_none_is_fuzzy() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert len(catalogue) > 100


def test_the_compiled_catalogue_matches_the_source() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    with open(LOCALE / "django.mo", "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    def compiled_text(entry: polib.POEntry) -> str:
        if entry.msgctxt:
            return translations.pgettext(entry.msgctxt, entry.msgid)
        return translations.gettext(entry.msgid)

    stale = [e.msgid for e in catalogue.translated_entries() if not e.msgid_plural and compiled_text(e) != e.msgstr]
    assert stale == [], "run `make messages` to recompile locale/fr"


def test_placeholders_survive_translation() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    wrong = [
        e.msgid
        for e in catalogue.translated_entries()
        if sorted(placeholder.findall(e.msgid)) != sorted(placeholder.findall(e.msgstr))
    ]
    assert wrong == []
