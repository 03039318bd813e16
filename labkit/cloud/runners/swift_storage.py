"""Swift's storage servers in one process: the account, container and object servers.

usage: swift_storage.py ACCOUNT_CONF CONTAINER_CONF OBJECT_CONF

Each server is Swift's own, with its own configuration file, port, pipeline and log name,
started as `swift-*-server CONF -v` starts it with `workers = 0` (run_wsgi's path without a
fork). Here the three share one interpreter and one eventlet hub, as Swift's in-process
functional tests run them (test/functional/__init__.py, in_process_setup). As separate
processes each held about 27 MB of its own memory, for the same libraries. (The container
updater stays a process of its own: its sweep reads every container database with blocking
sqlite calls, seconds on a busy node, which would stall the servers' green threads.)
"""
import sys

import eventlet
from swift.common import utils, wsgi

SERVERS = ("account-server", "container-server", "object-server")


def serve(conf_path, section):
    """What run_wsgi does for one server with workers = 0 (check its configuration, load
    its pipeline, bind its port), then serve it in a green thread."""
    conf, logger, global_conf, strategy = wsgi.check_config(conf_path, section, verbose=True)
    return eventlet.spawn(wsgi.run_server, conf, logger, strategy.no_fork_sock(),
                          global_conf=global_conf)


def _once_per_thread(use_hub):
    def use_hub_unless_chosen(mod=None):
        if not hasattr(eventlet.hubs._threadlocal, "hub"):
            use_hub(mod)
    return use_hub_unless_chosen


def main(conf_paths):
    utils.clean_up_daemon_hygiene()
    utils.monkey_patch()  # as check_config does, but before the first green thread
    # run_server chooses eventlet's hub each time it starts a server (use_hub), and choosing
    # again drops the hub that the servers already started wait on: choose once per OS
    # thread (eventlet's own threads, for disk I/O, still choose theirs on first use)
    eventlet.hubs.use_hub(utils.get_hub())
    eventlet.hubs.use_hub = _once_per_thread(eventlet.hubs.use_hub)
    servers = [serve(path, section) for path, section in zip(conf_paths, SERVERS)]
    # none of them ends while the node is healthy: if one does, end the process (its error
    # is in the log), so that `labkit cloud status` sees it and `up` starts it again
    finished = eventlet.queue.LightQueue()
    for thread in servers:
        thread.link(lambda gt: finished.put(gt))
    finished.get().wait()
    sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:4])
