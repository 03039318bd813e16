"""Run a Swift background daemon with swift.conf in the state folder.

usage: swift_daemon.py MODULE CONF [-v]      e.g. swift.container.updater
Swift's WSGI servers honour swift_dir=, but its daemons validate /etc/swift/swift.conf first.
"""
import importlib
import os
import sys

import swift.common.utils as utils
from swift.common import storage_policy

utils.set_swift_dir(f"{os.environ['LABKIT_STATE']}/swift")
storage_policy.reload_storage_policies()
module = importlib.import_module(sys.argv[1])
sys.argv = [sys.argv[1]] + sys.argv[2:]
sys.exit(module.main())
