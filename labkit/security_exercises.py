"""The "Your turn" exercises of lesson 3 (tightening your security): each looks at the cloud."""

import datetime
import stat

from . import security
from .exercises import Correct, Exercise, Incorrect, NotAttempted


class WebGroup(Exercise):
    """Security group day3-web-ex: HTTPS (tcp 443) from anywhere, SSH (tcp 22) only from
    198.51.100.0/24, and no other inbound rule."""

    name = "day3-web-ex"
    wanted = {("tcp", "443", "0.0.0.0/0"), ("tcp", "22", "198.51.100.0/24")}
    hints = ["Start with security.create_security_group(conn, 'day3-web-ex').",
             "Two calls to security.add_rule(conn, group, 'tcp', PORT, CIDR); for 'anywhere' "
             "use the CIDR 0.0.0.0/0.",
             "security.add_rule(conn, group, 'tcp', 443, '0.0.0.0/0') and "
             "security.add_rule(conn, group, 'tcp', 22, '198.51.100.0/24')"]
    solution = ("group = security.create_security_group(conn, 'day3-web-ex')\n"
                "https = security.add_rule(conn, group, 'tcp', 443, '0.0.0.0/0',\n"
                "                          idempotent=True)\n"
                "ssh = security.add_rule(conn, group, 'tcp', 22, '198.51.100.0/24',\n"
                "                        idempotent=True)")

    def evaluate(self, conn):
        group = security.find_security_group(conn, self.name)
        if group is None:
            return NotAttempted(f"No security group called {self.name} yet.")
        rows = security.security_group_rows(conn, group)
        anywhere = {"anywhere": "0.0.0.0/0"}
        rules = {(r["protocol"], r["ports"], anywhere.get(r["remote"], r["remote"]))
                 for r in rows if r["direction"] == "ingress"}
        missing, extra = self.wanted - rules, rules - self.wanted
        if missing:
            proto, port, remote = sorted(missing)[0]
            return Incorrect(f"No inbound rule for {proto} port {port} from {remote} yet.")
        if extra:
            proto, port, remote = sorted(extra)[0]
            return Incorrect(f"An inbound rule too many: {proto} ports {port} from {remote}. "
                             f"Least privilege: allow only what is needed (delete it).")
        return Correct("HTTPS from anywhere, SSH from one network only, and nothing else.")


class ImportKey(Exercise):
    """Key pair day3-exercise-key: made on this machine, only its public key uploaded."""

    name = "day3-exercise-key"
    hints = ["security.generate_key('day3-exercise-key') makes the two files.",
             "Then security.import_keypair(conn, 'day3-exercise-key', keys.public)."]
    solution = ("keys = security.generate_key('day3-exercise-key')\n"
                "security.delete_keypair(conn, 'day3-exercise-key')  # re-runnable\n"
                "keypair = security.import_keypair(conn, 'day3-exercise-key', keys.public)")

    def evaluate(self, conn):
        keypair = conn.compute.find_keypair(self.name)
        if keypair is None:
            return NotAttempted(f"No key pair called {self.name} in the cloud yet.")
        files = security.lesson_folder("keys")
        private, public = files / self.name, files / f"{self.name}.pub"
        if not private.is_file() or not public.is_file():
            return Incorrect(f"The key pair is in the cloud, but its files are not in {files}: "
                             f"make the key with security.generate_key.")
        if stat.S_IMODE(private.stat().st_mode) & 0o077:
            return Incorrect(f"{private} can be read by others: chmod 600 it.")
        local = security.fingerprints(public)["md5"]
        if keypair.fingerprint != local:
            return Incorrect(f"The cloud's key ({keypair.fingerprint}) is not the one in "
                             f"{public} ({local}): delete the key pair and import again.")
        return Correct(f"Same fingerprint here and in the cloud ({local}); the private key "
                       f"never left this machine.")


class ReadOnlyCredential(Exercise):
    """Application credential day3-readonly: only the reader role, expiring within a day."""

    name = "day3-readonly"
    hints = ["security.create_app_credential(conn, name, roles=[...], expires_in=...)",
             "roles=['reader'], expires_in=datetime.timedelta(hours=12)"]
    solution = ("security.revoke_app_credential(conn, 'day3-readonly')  # re-runnable\n"
                "readonly = security.create_app_credential(\n"
                "    conn, 'day3-readonly', roles=['reader'],\n"
                "    expires_in=datetime.timedelta(hours=12))")

    def evaluate(self, conn):
        cred = security.find_app_credential(conn, self.name)
        if cred is None:
            return NotAttempted(f"You have no application credential called {self.name} yet.")
        roles = sorted(r["name"] for r in cred.roles or [])
        if roles != ["reader"]:
            return Incorrect(f"Its roles are {', '.join(roles)}: give it only 'reader'.")
        if cred.unrestricted:
            return Incorrect("It is unrestricted (it could create other credentials): make "
                             "a restricted one.")
        if not cred.expires_at:
            return Incorrect("It never expires: give it expires_in.")
        expires = datetime.datetime.fromisoformat(cred.expires_at.split(".")[0]).replace(
            tzinfo=datetime.timezone.utc)
        if expires - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=1):
            return Incorrect(f"It expires at {cred.expires_at}, more than a day from now.")
        return Correct(f"Read-only, restricted, and it expires at {cred.expires_at} UTC.")
