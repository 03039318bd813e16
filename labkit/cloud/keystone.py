"""Keystone: identity, tokens (fernet) and the service catalog."""

import base64
import os

from .service import Service


def _fernet_key():
    return base64.urlsafe_b64encode(os.urandom(32))


def write_key_repository(folder):
    """A fresh fernet key repository: key 0 (staged) and key 1 (primary), mode 0600."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for index in ("0", "1"):
        key = folder / index
        key.write_bytes(_fernet_key())
        key.chmod(0o600)


class Keystone(Service):
    name = "keystone"
    templates = [("keystone/keystone.conf", "keystone/keystone.conf")]
    ports = {"keystone": 5000}
    databases = ["keystone"]

    def init(self, layout, run, secrets):
        conf = ["--config-file", str(layout.state / "keystone/keystone.conf")]
        manage = [self.tool(layout, "keystone-manage"), *conf]
        url = layout.url("keystone", "/v3")
        run([*manage, "db_sync"])
        self._write_keys(layout)  # bootstrap insists on a key repository
        # The password goes in the environment, never on a command line (or into a log).
        run([*manage, "bootstrap",
             "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
             "--bootstrap-role-name", "admin", "--bootstrap-service-name", "keystone",
             "--bootstrap-region-id", "RegionOne",
             "--bootstrap-admin-url", url, "--bootstrap-internal-url", url,
             "--bootstrap-public-url", url],
            env={"OS_BOOTSTRAP_PASSWORD": secrets["admin"]})

    def prepare(self, layout, run):
        self._write_keys(layout)
        self._point_catalog_here(layout, run)

    @staticmethod
    def _write_keys(layout):
        # Every state gets its own keys, so tokens of one cloud never work on another.
        write_key_repository(layout.state / "keystone/fernet-keys")
        write_key_repository(layout.state / "keystone/credential-keys")

    @staticmethod
    def _point_catalog_here(layout, run):
        """The catalog copied from the seed names the seed's ports. The services read it from
        their first second, before this state's bootstrap could correct it through the API
        (Nova's compute keeps the Placement URL it first finds for as long as its token
        lasts, and the seed's ports may be another cloud's): so it is rewritten in the
        database, before anything starts. (Each service type is in the seed's catalog once,
        so the type names the entry.)"""
        from .identities import catalog  # identities imports the services
        from .postgres import SERVICE as DATABASE
        from .registry import SERVICES

        DATABASE.single_user(layout, run, "keystone", [
            f"UPDATE endpoint SET url = '{url}' FROM service "
            f"WHERE endpoint.service_id = service.id AND service.type = '{stype}';"
            for stype, _, url in catalog(layout, SERVICES)])

    def processes(self, layout):
        return [self.web_process(layout, threads=4, health_path="/v3")]

    def endpoints(self, layout):
        return [("identity", "keystone", layout.url("keystone", "/v3"))]


SERVICE = Keystone()
