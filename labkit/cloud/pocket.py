"""The pocket cloud: real OpenStack services on 127.0.0.1, started and stopped by labkit.

    cloud = PocketCloud()
    cloud.up()        # idempotent: installs on first use, starts what is not running
    cloud.status()    # one row per process: port, pid, healthy, log
    cloud.down()
"""

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .. import locks
from . import environment, file_server, identities, ovn, process, state, system
from .errors import CloudError, NotRunning, PortInUse, ServiceCrashed, ServiceTimeout
from .layout import Layout
from .registry import SERVICES


@dataclass
class Row:
    """One line of `labkit cloud status`."""

    service: str
    process: str
    port: int | None
    pid: int | None
    healthy: bool
    log: str


class PocketCloud:
    def __init__(self, layout=None, say=print):
        self.layout = layout or Layout.default()
        self.say = say

    # --- what is there ---
    def processes(self, services=None):
        return [(svc.name, proc) for svc in SERVICES if not services or svc.name in services
                for proc in svc.processes(self.layout)]

    def status(self):
        rows = []
        for service, proc in self.processes():
            pid = process.read_pid(self.layout, proc.name)
            healthy = pid is not None and proc.is_healthy()
            rows.append(Row(service, proc.name, proc.port, pid, healthy,
                            str(self.layout.log(proc.name))))
        return rows

    def optional_processes(self):
        return {proc.name for svc in SERVICES if svc.optional for proc in svc.processes(self.layout)}

    def is_up(self):
        """True when every service the course cannot do without answers."""
        optional = self.optional_processes()
        return (self.layout.format_file.is_file() and self.layout.clouds_yaml.is_file()
                and all(row.healthy for row in self.status() if row.process not in optional))

    def compute_status(self):
        """'available', or why this machine cannot boot servers and what to do."""
        return system.why_not_available(self.layout.services) or "available"

    def file_server_status(self):
        """'available', or why shares cannot hold data here (no file server) and what to do."""
        return system.why_no_file_server() or "available"

    def networking_status(self):
        """'available', or why servers cannot join tenant networks here (ovn.py)."""
        return ovn.SERVICE.missing(self.layout) or "available"

    # --- lifecycle ---
    def install(self):
        """Install the services (and compute's, where the machine has its packages) and
        prepare the seed state: the slow first-run steps, each a no-op once done (so a caller
        can show them apart from a routine start). Returns why compute's install failed, if
        it did. The services folder is shared by every state (the lab's, the tests'): one
        install at a time, and a second finds the first's work done."""
        with locks.held(self.layout.services, self.say, "installing the services"):
            environment.ensure_installed(self.layout, self.say)
            compute_failed = environment.ensure_compute(self.layout, self.say)
            state.ensure_seed(self.layout, self.say)
        return compute_failed

    def up(self, timeout=120):
        """Start whatever is not running and wait until every service answers. One `up` at a
        time per state (two notebooks, an instructor's `verify`, two test workers): a second
        waits for the first, then finds the cloud up and starts nothing."""
        with locks.held(self.layout.state, self.say, "an `up` or `reset` of this cloud"):
            return self._up(timeout)

    def _up(self, timeout):
        started = time.monotonic()
        elapsed = lambda: f"[{time.monotonic() - started:5.1f}s]"  # noqa: E731
        compute_failed = self.install()
        if not state.check_format(self.layout):
            state.create(self.layout, self.say)
        else:
            stale = [name for name in state.refresh(self.layout, self.say)
                     if any(process.read_pid(self.layout, proc.name)
                            for _, proc in self.processes([name]))]
            if stale:  # running with the configuration of an older labkit
                self.say(f"Restarting {', '.join(stale)}: this labkit changed its configuration.")
                self.down(stale)
        strays = self._strays()
        if strays:  # they would hold the ports of the processes that replace them
            self.say(f"Stopping {', '.join(p.name for p in strays)}: started by an older labkit "
                     f"under names this one does not use.")
            process.stop(self.layout, strays)
        joining = state.missing_services(self.layout)
        to_start = [proc for _, proc in self.processes()
                    if process.read_pid(self.layout, proc.name) is None]
        for proc in to_start:  # check every port before starting anything
            for port in proc.ports:
                if process.port_in_use(port):
                    raise PortInUse(proc.name, port)
        ports = {proc.name: proc.port for _, proc in self.processes()}
        on_ready = lambda name: self.say(  # noqa: E731
            f"{elapsed()} {name:24} up" + (f"  127.0.0.1:{ports[name]}" if ports[name] else ""))
        first = self._starting_first()
        self._start([p for p in to_start if p.name in first],
                     [p for _, p in self.processes() if p.name in first], timeout, on_ready)
        if joining:  # services a newer labkit registered: they need the database server
            state.join(self.layout, joining, self.say)
        self._start([p for p in to_start if p.name not in first],
                    [p for _, p in self.processes() if p.name not in first], timeout, on_ready)
        if not identities.is_bootstrapped(self.layout):
            try:
                identities.bootstrap(self.layout)
            except Exception as exc:
                raise CloudError(
                    f"Setting up this cloud's passwords, catalog, flavors and networks failed "
                    f"({exc}). Keystone's log is {self.layout.log('keystone')}; `labkit cloud "
                    f"up` retries.") from exc
            self.say(f"{elapsed()} passwords, catalog, flavors and networks ready")
            # Nova's compute: ready by now in a state made from the seed, whose service users
            # work from the start; in one made by an older labkit, only once bootstrap made them
            process.wait_healthy(self.layout, self._required(), timeout)
        for tier, why, without in dict.fromkeys(
                (svc.tier, why, svc.without) for svc in SERVICES
                if (why := svc.missing(self.layout))):
            self.say(f"{elapsed()} {tier} is not running: {why}. {without[0].upper()}{without[1:]}."
                     + (f"\n{compute_failed}" if compute_failed and "compute" in tier else ""))
        fresh = len(to_start)
        self.say(f"Pocket cloud is up: {len(SERVICES)} services, "
                 f"{fresh} process{'es' if fresh != 1 else ''} started, "
                 f"{time.monotonic() - started:.1f} s.")
        return to_start

    def _required(self):
        optional = self.optional_processes()
        return [proc for _, proc in self.processes() if proc.name not in optional]

    def _start(self, to_start, procs, timeout, on_ready):
        """Start to_start, then wait for procs: the required ones must answer; an optional
        one that does not is stopped and reported, and the rest of the cloud goes on."""
        process.start_all(self.layout, to_start)
        optional = self.optional_processes()
        process.wait_healthy(self.layout, [p for p in procs if p.name not in optional], timeout,
                             on_ready=on_ready)
        for proc in (p for p in procs if p.name in optional):
            try:
                process.wait_healthy(self.layout, [proc], timeout, on_ready=on_ready)
            except (ServiceCrashed, ServiceTimeout) as exc:
                process.stop(self.layout, [proc])
                self.say(f"{proc.name:24} did not start: the other services run, and the "
                         f"lessons that need {proc.name} say so and skip.\n{exc}")

    def down(self, services=None):
        """Stop the cloud (or some services). Stopping what is stopped is a no-op.

        What starts first stops last: a request in flight when the database server went at
        the same moment kept its API worker retrying the connection until it was killed."""
        procs = [proc for _, proc in self.processes(services)]
        if not services:  # a whole cloud's down also stops what an older labkit left running
            procs += self._strays()
        first = self._starting_first()
        return (process.stop(self.layout, [p for p in procs if p.name not in first])
                + process.stop(self.layout, [p for p in procs if p.name in first]))

    def _strays(self):
        """Running processes that an older labkit started under a name no service has now
        (Swift's storage servers were three processes, now one)."""
        known = {proc.name for _, proc in self.processes()}
        return [process.Process(pidfile.stem, []) for pidfile in self.layout.run.glob("*.pid")
                if pidfile.stem not in known and process.read_pid(self.layout, pidfile.stem)]

    def _starting_first(self):
        return {proc.name for svc in SERVICES if svc.starts_first
                for proc in svc.processes(self.layout)}

    def reset(self):
        """Stop the cloud and delete its state (images, objects, users). Next `up` makes anew."""
        with locks.held(self.layout.state, self.say, "an `up` or `reset` of this cloud"):
            self.down()
            if self.layout.state.exists():
                strangers = {p.name for p in self.layout.state.iterdir()} - state.STATE_ENTRIES
                if strangers:
                    raise CloudError(
                        f"Not deleting {self.layout.state}: it holds files that are not the "
                        f"pocket cloud's ({', '.join(sorted(strangers)[:3])}).")
                shutil.rmtree(self.layout.state)

    # --- for the learner ---
    def env_lines(self, cloud="labkit"):
        return [f"export OS_CLIENT_CONFIG_FILE={self.layout.clouds_yaml}",
                f"export OS_CLOUD={cloud}"]

    def log_path(self, name):
        names = [proc.name for _, proc in self.processes()]
        if name not in names:
            matches = [n for n in names if n.startswith(name)]
            if not matches:
                raise CloudError(f"No service or process called {name!r}; "
                                 f"choose from: {', '.join(names)}.")
            name = matches[0] if len(matches) == 1 else f"{name}-proxy"
        return self.layout.log(name)

    def require_up(self):
        if not self.is_up():
            raise NotRunning("The pocket cloud is not running: start it with `labkit cloud up`.")

    # --- for the lesson helpers: all they may know of the pocket cloud's inside ---
    def serves(self, conn):
        """True when conn talks to this pocket cloud (whose operator the learner is)."""
        auth_url = conn.config.get_auth_args().get("auth_url", "").rstrip("/")
        return self.layout.clouds_yaml.is_file() and auth_url == self.layout.url("keystone",
                                                                                 "/v3")

    def publish_on_mirror(self, path):
        """Copy a file into the image mirror (a web server on 127.0.0.1 that Glance's
        web-download may fetch from); returns its URL there."""
        self.require_up()
        path = Path(path)
        shutil.copyfile(path, self.layout.state / "mirror" / path.name)
        return self.layout.url("mirror", f"/{path.name}")

    def file_server_running(self):
        """True when the file server behind the nfs-ganesha share type serves."""
        return any(row.process == "nfs-ganesha" and row.healthy for row in self.status())

    def add_storage_client(self, address, name):
        """A network namespace with address on the storage network, for lesson 2's clients
        of a share (file_server.add_client); returns its name."""
        return file_server.add_client(self.layout, address, name)

    def storage_clients(self):
        """The client namespaces on the storage network that exist now."""
        return file_server.clients(self.layout) if self.file_server_running() else []

    @staticmethod
    def remove_storage_client(netns):
        file_server.remove_client(netns)

    @staticmethod
    def run_in_storage_client(netns, *argv, cwd=None):
        return file_server.run_in(netns, *argv, cwd=cwd)

    def share_folder(self, export_path):
        """The folder on the file server that an export location (ADDRESS:/NAME) serves."""
        return self.layout.state / "nfs/shares" / export_path.split(":/", 1)[1]

    @property
    def image_policy_file(self):
        """Where Glance reads policy overrides (beside glance-api.conf); oslo.policy re-reads
        it on the next request after it changes."""
        return self.layout.state / "glance" / "policy.yaml"

    def default_policy(self, namespace):
        """A service's default policy rules {rule: check string}, from the services' own
        ``oslopolicy-policy-generator``."""
        import yaml

        done = subprocess.run([str(self.layout.venv_bin / "oslopolicy-policy-generator"),
                               "--namespace", namespace],
                              capture_output=True, text=True, check=True)
        return yaml.safe_load(done.stdout) or {}
