"""Start, find and stop the pocket cloud's processes, and wait for them to answer.

Each process is started detached (its own session, reparented away from the caller), so a
Jupyter kernel restart or the end of `labkit cloud up` does not take the cloud with it.
Its pid and start time go to ``run/NAME.pid``; a pid is only trusted while the process with
that pid still has that start time (pids get reused). Process facts come from psutil.
"""

import errno
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import psutil

from .errors import ServiceCrashed, ServiceTimeout
from .layout import HOST

RUNNERS = Path(__file__).resolve().parent / "runners"


@dataclass
class Process:
    """One OS process of a service: what to run and how to tell it is healthy."""

    name: str  #: e.g. "glance", "swift-proxy"; names the log and pid files
    argv: list
    port: int | None = None  #: the port it listens on, checked before start
    #: the other ports of a process that serves several (Swift's storage node)
    more_ports: list = field(default_factory=list)
    health_url: str | None = None  #: answers < 500 once it serves requests
    ready: Callable[[], bool] | None = None  #: or: True once it serves (a non-HTTP server)
    env: dict = field(default_factory=dict)
    stop_signal: int = signal.SIGTERM  #: what asks it to stop; KILL follows after a grace time
    #: a Python program of the services environment: forked from runners/forkserver.py's
    #: FAMILY of preloaded libraries instead of starting an interpreter of its own
    family: str | None = None

    @property
    def ports(self):
        return [port for port in (self.port, *self.more_ports) if port is not None]

    def is_healthy(self):
        if self.health_url is not None:
            return answers(self.health_url)
        if self.ready is not None:
            return self.ready()
        return True  # nothing to ask: alive is all it can say


def _start_time(pid):
    """When pid started (as written in its pid file), or None if it is gone or a zombie."""
    try:
        proc = psutil.Process(pid)
        if proc.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return None
        return repr(proc.create_time())
    except psutil.Error:
        return None


def _same_start(pid, recorded):
    """True when pid is still the process whose start time the pid file recorded."""
    now = _start_time(pid)
    if now is None or "." in recorded:
        return now == recorded
    # Written by a labkit before psutil: clock ticks since boot. Still read, so that a cloud
    # started before an upgrade is seen, and stopped, by the new labkit.
    ticks = (float(now) - psutil.boot_time()) * os.sysconf("SC_CLK_TCK")
    return recorded == str(round(ticks))


def read_pid(layout, name):
    """The pid of a running process of ours, or None."""
    try:
        pid, started = layout.pidfile(name).read_text().split()
    except (OSError, ValueError):
        return None
    return int(pid) if _same_start(int(pid), started) else None


def port_in_use(port):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def free_ports(count=1):
    """count ports nobody listens on now (held all at once, so they are distinct)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _environment(layout, own=None):
    return {**os.environ, "LABKIT_STATE": str(layout.state), "PYTHONWARNINGS": "ignore",
            **(own or {})}


def _log_start(layout, proc):
    """Append the header that marks a new start in proc's log; the process appends after it."""
    layout.logs.mkdir(parents=True, exist_ok=True)
    layout.run.mkdir(parents=True, exist_ok=True)
    _log_line(layout, proc, f"starting {proc.name} at {time.ctime()}")


#: How labkit's own lines in a process's log begin (the process writes the rest).
LOG_MARK = "--- labkit: "


def _log_line(layout, proc, text):
    with open(layout.log(proc.name), "ab") as log:
        log.write(f"\n{LOG_MARK}{text} ---\n".encode())


def _record(layout, name, pid):
    layout.pidfile(name).write_text(f"{pid} {_start_time(pid)}\n")


def start(layout, proc):
    """Launch proc detached, appending its output to logs/NAME.log; return its pid.
    (The caller checks the port first: PocketCloud.up checks them all before any start.)"""
    _log_start(layout, proc)
    with open(layout.log(proc.name), "ab") as log:
        child = subprocess.Popen(proc.argv, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, cwd=layout.state,
                                 env=_environment(layout, proc.env), start_new_session=True)
    _record(layout, proc.name, child.pid)
    # The child outlives us; make sure the kernel does not keep it as a zombie either.
    _forget(child)
    return child.pid


def start_all(layout, procs):
    """Launch procs as start() does; those of a family are forked from one fork server per
    family (runners/forkserver.py), the servers and the other processes all at once."""
    families = {}
    for proc in procs:
        families.setdefault(proc.family, []).append(proc)
    servers = [(family, _fork_server(layout, family, members))
               for family, members in families.items() if family is not None]
    for proc in families.get(None, []):
        start(layout, proc)
    for family, server in servers:
        _collect(layout, family, server)


def _fork_server(layout, family, procs):
    """Start the fork server of a family and hand it what to fork; _collect reads the pids."""
    specs = []
    for proc in procs:
        _log_start(layout, proc)
        specs.append({"name": proc.name, "argv": [str(a) for a in proc.argv],
                      "env": _environment(layout, proc.env), "cwd": str(layout.state),
                      "log": str(layout.log(proc.name))})
    with open(layout.log(f"forkserver-{family}"), "ab") as log:
        server = subprocess.Popen(
            [str(layout.venv_bin / "python"), str(RUNNERS / "forkserver.py"), family],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=layout.state,
            env=_environment(layout), start_new_session=True, text=True)
    server.stdin.write(json.dumps(specs))
    server.stdin.close()
    return server


def _collect(layout, family, server):
    """Record the pid of each child the fork server reports. A child that fails later is
    wait_healthy's to report (with its log); a fork server that fails, here (with its own)."""
    for line in server.stdout:
        name, pid = line.split()
        _record(layout, name, int(pid))
    server.stdout.close()
    if server.wait():
        log = layout.log(f"forkserver-{family}")
        raise ServiceCrashed(f"forkserver-{family}", log, log_tail(log))


def _forget(child):
    """Let a long-running parent (a Jupyter kernel) reap the child whenever it exits."""
    import threading

    threading.Thread(target=child.wait, daemon=True, name=f"reap-{child.pid}").start()


def stop(layout, procs, timeout=15):
    """Stop processes and their children: TERM to all at once, KILL what is left after
    timeout; then wait until their ports are free again, so that an `up` right after never
    finds one taken. Stopping a stopped process is a no-op. Returns the names stopped."""
    running = {proc.name: (proc, pid) for proc in procs
               if (pid := read_pid(layout, proc.name)) is not None}
    for proc, pid in running.values():
        _signal_group(pid, proc.stop_signal)
    deadline = time.monotonic() + timeout
    while any(_group_alive(pid) for _, pid in running.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc, pid in running.values():
        if _group_alive(pid):
            _signal_group(pid, signal.SIGKILL)
            _log_line(layout, proc, f"killed: still running {timeout} s after "
                                    f"{signal.Signals(proc.stop_signal).name}")
    deadline = time.monotonic() + timeout
    while (any(port_in_use(port) for proc, _ in running.values() for port in proc.ports)
           and time.monotonic() < deadline):
        time.sleep(0.1)
    for proc in procs:
        layout.pidfile(proc.name).unlink(missing_ok=True)
    return list(running)


def _group_alive(pgid):
    """True while any live (non-zombie) process is in process group pgid."""
    for proc in psutil.process_iter(["status"]):
        if proc.info["status"] in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            continue
        try:
            if os.getpgid(proc.pid) == pgid:
                return True
        except ProcessLookupError:
            continue
    return False


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)


def answers(url, timeout=2.0):
    """True when an HTTP server answers url with any status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False


def wait_healthy(layout, procs, timeout, on_ready=None):
    """Wait until every process is healthy (see Process.is_healthy).

    All pending processes are asked at once each round, so one that accepts but answers
    slowly does not delay noticing the others. Raises ServiceCrashed as soon as one exits,
    ServiceTimeout when the bound runs out.
    """
    pending = {p.name: p for p in procs}
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(max_workers=max(1, len(pending))) as pool:
        while pending:
            for name in pending:
                if read_pid(layout, name) is None:
                    raise ServiceCrashed(name, layout.log(name), log_tail(layout.log(name)))
            asked = {name: pool.submit(proc.is_healthy) for name, proc in pending.items()}
            for name, answer in asked.items():
                if answer.result():
                    del pending[name]
                    if on_ready:
                        on_ready(name)
            if pending and time.monotonic() > deadline:
                name = sorted(pending)[0]
                raise ServiceTimeout(name, timeout, layout.log(name), log_tail(layout.log(name)))
            if pending:
                time.sleep(0.2)


def log_tail(path, lines=12):
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def memory_kib(pid, kind="Rss"):
    """Memory of a process and all its descendants, in KiB.

    kind "Rss" counts every resident page (pages shared between a gunicorn master and its
    worker count twice); "Pss" shares them out, so the sum over processes is what they
    really take together."""
    total = 0
    try:
        top = psutil.Process(pid)
        family = [top, *top.children(recursive=True)]
    except psutil.Error:
        return 0
    for proc in family:
        try:
            # Pss needs smaps (slower); Rss is in the cheap counters
            info = proc.memory_full_info() if kind == "Pss" else proc.memory_info()
        except psutil.Error:
            continue
        total += getattr(info, kind.lower()) // 1024
    return total
