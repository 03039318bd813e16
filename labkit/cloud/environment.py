"""The services' own virtual environment: OpenStack 2026.1 from PyPI, pinned by constraints.txt.

Kept apart from the kernel's environment, so the course's packages (JupyterLab, the newest
openstacksdk) and the services' pinned set never fight. Built on first use; rebuilt when
constraints.txt or services.txt change.
"""

import hashlib
import json
import subprocess
import sys
import time
from importlib import resources

from . import system
from .errors import InstallFailed
from .layout import RELEASE
from .process import log_tail

_HERE = resources.files("labkit.cloud")


def _wanted():
    text = (_HERE / "constraints.txt").read_text() + (_HERE / "services.txt").read_text()
    return {"release": RELEASE, "python": sys.version.split()[0],
            "sha256": hashlib.sha256(text.encode()).hexdigest()}


def _marker(layout):
    return layout.services / "labkit-installed.json"


def is_installed(layout):
    try:
        return json.loads(_marker(layout).read_text()) == _wanted()
    except (OSError, ValueError):
        return False


def ensure_installed(layout, say=print):
    """Create or update the services' environment; a no-op when it is current."""
    if is_installed(layout):
        return False
    log = layout.services.parent / f"install-services-{RELEASE}.log"
    layout.services.parent.mkdir(parents=True, exist_ok=True)
    say(f"Installing the OpenStack {RELEASE} services into {layout.services} "
        f"(first run only; a minute or two). Log: {log}")
    started = time.monotonic()
    python = getattr(sys, "_base_executable", sys.executable)
    with open(log, "w") as out:
        _run([python, "-m", "venv", "--clear", str(layout.services)], out, log)
        pip = [str(layout.venv_bin / "python"), "-m", "pip", "install",
               "--disable-pip-version-check", "--no-input"]
        with resources.as_file(_HERE / "constraints.txt") as constraints, \
                resources.as_file(_HERE / "services.txt") as services:
            _run([*pip, "-c", str(constraints), "-r", str(services)], out, log,
                 progress=lambda: say(f"  ... still installing ({time.monotonic() - started:.0f} s)"))
    _marker(layout).write_text(json.dumps(_wanted()))
    say(f"Services installed in {time.monotonic() - started:.0f} s.")
    return True


def ensure_compute(layout, say=print):
    """Add libvirt-python (services-compute.txt) once the system has libvirt to build it
    against (`sudo make compute`). Returns None when done or not wanted, else why not:
    compute is optional, so a failure here leaves the rest of the cloud working."""
    if system.missing() or system.has_libvirt_python(layout.services):
        return None
    log = layout.services.parent / f"install-compute-{RELEASE}.log"
    say(f"Adding libvirt-python to the services' environment (compute). Log: {log}")
    pip = [str(layout.venv_bin / "python"), "-m", "pip", "install",
           "--disable-pip-version-check", "--no-input"]
    try:
        with open(log, "w") as out, resources.as_file(_HERE / "constraints.txt") as constraints, \
                resources.as_file(_HERE / "services-compute.txt") as wanted:
            _run([*pip, "-c", str(constraints), "-r", str(wanted)], out, log)
    except InstallFailed as exc:
        return str(exc)
    return None


def _run(argv, out, log, progress=None, every=20):
    child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    last = time.monotonic()
    while child.poll() is None:
        time.sleep(0.5)
        if progress and time.monotonic() - last > every:
            progress()
            last = time.monotonic()
    if child.returncode:
        out.flush()
        raise InstallFailed("the pocket cloud's services", log, log_tail(log))
