"""Checks what ``make`` needs from the operating system, and says exactly what to install when it is missing.

Runs with the system Python, before the virtualenv exists; standard library only.
"""

import ctypes.util
import importlib.util
import sys

problems = []
# Runs with the system Python, which may well be older than the project's minimum: the check is the point.
if sys.version_info < (3, 11):
    problems.append(
        f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}): "
        "sudo apt-get install python3 (Debian 12 / Ubuntu 24.04 ship 3.11+)."
    )
if importlib.util.find_spec("ensurepip") is None or importlib.util.find_spec("venv") is None:
    problems.append("The venv module is missing: sudo apt-get install python3-venv")
if ctypes.util.find_library("magic") is None:
    problems.append(
        "libmagic (used to recognise uploaded file types from their bytes) is missing: "
        "sudo apt-get install libmagic1 (on macOS: brew install libmagic)"
    )

if problems:
    print("Cannot set up the portal on this machine yet:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)
