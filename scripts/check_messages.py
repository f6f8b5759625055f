"""Fails when the French catalogue misses strings that the code or templates use (run `make messages`).

Regenerates the catalogue into a temporary copy of the tree's locale folder with Django's makemessages (needs
gettext), and compares the message ids with the committed one.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"

with tempfile.TemporaryDirectory() as tmp:
    backup = Path(tmp) / "django.po"
    shutil.copy2(PO, backup)
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "--locale",
                "fr",
                "--no-obsolete",
                "--no-location",
                "--ignore",
                ".venv/*",
                "--ignore",
                "tests/*",
                "--ignore",
                "var/*",
                "--ignore",
                "docker/*",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
    finally:
        shutil.copy2(backup, PO)
committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if not e.obsolete}
missing = sorted(m for _, m in fresh - committed)
if missing:
    print("Strings missing from locale/fr/LC_MESSAGES/django.po (run `make messages`, then translate):")
    for msgid in missing:
        print(f"  {msgid!r}")
    sys.exit(1)
print(f"French catalogue up to date ({len(committed)} messages).")
