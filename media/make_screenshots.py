"""Regenerate the screenshots of lesson 1's image forms from a real browser run.

    .venv/bin/python media/make_screenshots.py

Runs tests/test_browser.py (JupyterLab + Chromium, against the test pocket cloud) with
LABKIT_SCREENSHOTS pointing here, so every PNG it writes is a real capture of that run:
create-image-form.png, create-image-validation.png, create-image-metadata.png,
image-table.png, edit-image-form.png, delete-images-confirm.png. Never edit them by hand.
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    env = {**os.environ, "LABKIT_SCREENSHOTS": str(HERE)}
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_browser.py"],
                             cwd=HERE.parent, env=env))
