"""Swift's container updater, woken by change instead of by the clock.

usage: swift_container_updater.py CONTAINER_SERVER_CONF

The updater copies each container's object count and bytes into the account's listing. Its
own loop (`run_forever`) sweeps every container database every `interval` seconds, forking a
child per device each time: on a one-node cloud that idles a laptop's CPU away for nothing.
Here the sweep runs only when a container database (or its .pending file, which object
writes append to) has changed since the last one, checked every CHECK_EVERY seconds with a
few stat() calls, so listings are current within seconds and an idle cloud is idle.
"""
import os
import sys
import time

import swift.common.utils as utils
from swift.common import storage_policy
from swift.container.updater import ContainerUpdater

CHECK_EVERY = 2.0  # seconds

# Swift's daemons read /etc/swift/swift.conf unless pointed elsewhere.
utils.set_swift_dir(f"{os.environ['LABKIT_STATE']}/swift")
storage_policy.reload_storage_policies()


def newest_change(devices):
    """The latest modification time of any container database or pending file. Only the
    devices' containers/ folders are walked: objects/ beside them grows with every object
    (and its deletion's tombstone), and walking it every few seconds kept an idle cloud busy."""
    folders = [os.path.join(device.path, "containers") for device in os.scandir(devices)]
    newest = 0.0
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith((".db", ".pending")):
                    try:
                        newest = max(newest, os.stat(os.path.join(root, name)).st_mtime)
                    except FileNotFoundError:
                        pass  # deleted between listing and stat
    return newest


def main(conf_path):
    conf = utils.readconf(conf_path, "container-updater")
    updater = ContainerUpdater(conf, logger=utils.get_logger(conf, log_to_console=True))
    devices = conf.get("devices", "/srv/node")
    swept = None
    while True:
        change = newest_change(devices)
        if change != swept:
            updater.run_once()
            # What the sweep saw is what changed before it began. An object written while it
            # ran may have been missed, so the next check compares with this, not with the
            # time after the sweep. (The sweep also records, in each database, what it
            # reported: one more sweep follows, finds nothing new and writes nothing.)
            swept = change
        time.sleep(CHECK_EVERY)


if __name__ == "__main__":
    main(sys.argv[1])
