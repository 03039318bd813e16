"""gunicorn entry point for the Neutron API server.

Where networking runs and OVN's northbound database is new (labkit/cloud/ovn.py sync_flag),
Neutron's networks, ports and security groups are first copied into it with
`neutron-ovn-db-sync-util` in repair mode: otherwise a security group made before (the
project's default one) has no port group in OVN, and every port in it fails with
"Port group ... does not exist".
"""
import os
import subprocess
import sys
import time
from pathlib import Path

STATE = os.environ["LABKIT_STATE"]
os.environ.setdefault("OS_NEUTRON_CONFIG_DIR", f"{STATE}/neutron")
os.environ.setdefault("OS_NEUTRON_CONFIG_FILES", "neutron.conf")
sys.argv = sys.argv[:1]


def _uses_ovn():
    return "neutron-ovn.conf" in os.environ["OS_NEUTRON_CONFIG_FILES"].split(";")


def _wait_for_ovn_northbound():
    """OVN's northbound database starts beside us, and Neutron's OVN driver gives up at
    once (ovsdb-client: "No such file or directory") if its socket is not there yet."""
    socket = Path(STATE) / "ovn" / "ovnnb_db.sock"
    for _ in range(120):
        if socket.exists():
            return
        time.sleep(0.25)


def _sync_ovn_from_neutron():
    flag = Path(STATE) / "ovn" / "neutron-sync-needed"
    if not flag.exists():
        return
    files = os.environ["OS_NEUTRON_CONFIG_FILES"].split(";")
    tool = Path(sys.executable).parent / "neutron-ovn-db-sync-util"
    config = [arg for name in files
              for arg in ("--config-file", f"{os.environ['OS_NEUTRON_CONFIG_DIR']}/{name}")]
    done = subprocess.run([str(tool), *config, "--ovn-neutron_sync_mode", "repair"],
                          stdout=sys.stderr, stderr=sys.stderr, timeout=300)
    if done.returncode == 0:
        flag.unlink()


if _uses_ovn():
    _wait_for_ovn_northbound()
    _sync_ovn_from_neutron()

from neutron.wsgi.api import application  # noqa: E402,F401
