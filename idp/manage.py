#!/usr/bin/env python
"""Command line of the sandbox OpenID Provider (a Django project of its own, separate from the portal)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox_idp.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
