"""The "Your turn" exercises of lesson 3 (tightening your security): each looks at the cloud.

Hints and solutions use the `openstack` CLI or plain openstacksdk; the checks look only at
the cloud (and, for the key, at this machine's key files), so any way of doing it passes.
Names start with `day3-` so that cleanup finds them (groups, key pairs and application
credentials have no metadata to carry the lesson mark).
"""

import datetime
import ipaddress
import stat

from .. import networks, security
from .base import Correct, Exercise, Incorrect, NotAttempted, Uncheckable


class WebGroup(Exercise):
    """Security group day3-web-ex: HTTPS (tcp 443) from anywhere, SSH (tcp 22) only from
    198.51.100.0/24, and no other inbound rule."""

    name = "day3-web-ex"
    wanted = {("tcp", "443", "0.0.0.0/0"), ("tcp", "22", "198.51.100.0/24")}
    hints = ["Start with `openstack security group create day3-web-ex` (in a `!` cell).",
             "Then one `openstack security group rule create --ingress --protocol tcp "
             "--dst-port PORT --remote-ip CIDR day3-web-ex` per rule; 'anywhere' is the CIDR "
             "0.0.0.0/0.",
             "--dst-port 443 --remote-ip 0.0.0.0/0, and --dst-port 22 --remote-ip "
             "198.51.100.0/24"]
    solution = ("!openstack security group create day3-web-ex -f value -c name\n"
                "!openstack security group rule create --ingress --protocol tcp --dst-port 443 "
                "--remote-ip 0.0.0.0/0 day3-web-ex -f value -c id\n"
                "!openstack security group rule create --ingress --protocol tcp --dst-port 22 "
                "--remote-ip 198.51.100.0/24 day3-web-ex -f value -c id")

    def evaluate(self, conn):
        groups = list(conn.network.security_groups(name=self.name,
                                                   project_id=conn.current_project_id))
        if not groups:
            return NotAttempted(f"No security group called {self.name} yet.")
        if len(groups) > 1:
            return Incorrect(f"There are {len(groups)} groups called {self.name} (Neutron "
                             f"allows the same name twice): delete all but one.")
        group = groups[0]
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
    hints = ["security.generate_key('day3-exercise-key') makes the two files on this machine "
             "(in security.lesson_folder('keys')), as `ssh-keygen -t ed25519` would.",
             "Nova takes the public key as text: conn.compute.create_keypair(name=..., "
             "public_key=...).",
             "conn.compute.create_keypair(name='day3-exercise-key', "
             "public_key=keys.public.read_text())"]
    solution = ("keys = security.generate_key('day3-exercise-key')\n"
                "conn.compute.delete_keypair('day3-exercise-key', ignore_missing=True)  "
                "# re-runnable\n"
                "keypair = conn.compute.create_keypair(name='day3-exercise-key',\n"
                "                                      public_key=keys.public.read_text())")

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
    hints = ["`openstack application credential create NAME --role ROLE --expiration "
             "YYYY-MM-DDTHH:MM:SS` (UTC); it is restricted unless you say --unrestricted.",
             "Its answer holds the secret: show only harmless columns, e.g. "
             "`-f value -c name -c expires_at`.",
             "A time 12 hours from now: in a `!` line, {expiry} puts a Python value in, with "
             "expiry = (datetime.datetime.now(datetime.timezone.utc) + "
             "datetime.timedelta(hours=12)).strftime('%Y-%m-%dT%H:%M:%S')"]
    solution = ("expiry = (datetime.datetime.now(datetime.timezone.utc)\n"
                "          + datetime.timedelta(hours=12)).strftime('%Y-%m-%dT%H:%M:%S')\n"
                "!openstack application credential create day3-readonly --role reader "
                "--expiration {expiry} -f value -c name -c expires_at")

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


class SshFromOffice(Exercise):
    """The one rule in day3-guarded that lets the office network (203.0.113.0/24, where the
    outside namespace is) log in to day3-keyed by SSH. Checked by logging in from outside."""

    server, group, key = "day3-keyed", "day3-guarded", "day3-laptop"
    office = ipaddress.ip_network("203.0.113.0/24")
    outside = ipaddress.ip_address("203.0.113.1")
    hints = ["An inbound rule in day3-guarded: `openstack security group rule create --ingress "
             "... day3-guarded`.",
             "SSH is tcp port 22 (--protocol tcp --dst-port 22); 'from the office' is a CIDR "
             "(--remote-ip).",
             "--protocol tcp --dst-port 22 --remote-ip 203.0.113.0/24"]
    solution = ("!openstack security group rule create --ingress --protocol tcp --dst-port 22 "
                "--remote-ip 203.0.113.0/24 day3-guarded -f value -c id")

    def key_file(self):
        return security.lesson_folder("keys") / self.key

    def evaluate(self, conn):
        why = networks.why_not_enforced(conn)
        if why:
            return Uncheckable(f"No packets to check with here: {why}.")
        server = conn.compute.find_server(self.server, ignore_missing=True)
        group = security.find_security_group(conn, self.group)
        if server is None or group is None:
            return Uncheckable(f"{self.server} (in {self.group}) is not running: part 3 "
                               f"boots it; run part 2 and 3 again.")
        inbound = [r for r in security.security_group_rows(conn, group)
                   if r["direction"] == "ingress"]
        if not inbound:
            return NotAttempted(f"{self.group} has no inbound rule yet.")
        wrong = [self._mistake(r) for r in inbound if self._mistake(r)]
        if wrong:
            return Incorrect(wrong[0])
        if len(inbound) > 1:
            return Incorrect(f"{len(inbound)} inbound rules: one is enough (delete the others).")
        port = next(conn.network.ports(device_id=server.id))
        fip = next(conn.network.ips(port_id=port.id)).floating_ip_address
        login = networks.retry(lambda: networks.ssh_from_outside(fip, self.key_file(),
                                                                 "hostname"))
        if not login.ok:
            return Incorrect(f"The rule looks right, yet ssh says: {login.output}")
        return Correct(f"From the office, ssh root@{fip} logs in: {login.output}.")

    def _mistake(self, row):
        """What is wrong with an inbound rule (row of security_group_rows), or None."""
        what = f"The rule {row['protocol']} ports {row['ports']} from {row['remote']}"
        if row["protocol"] != "tcp" or row["ports"] != "22":
            return f"{what} is not SSH alone: allow tcp port 22 and nothing else."
        if row["remote"].startswith("members of"):
            return (f"{what} trusts a group; the office is no member of any: give its "
                    f"network as a CIDR.")
        network = ipaddress.ip_network("0.0.0.0/0" if row["remote"] == "anywhere"
                                       else row["remote"])
        if self.outside not in network:
            return f"{what} does not hold the office's {self.outside}: use {self.office}."
        if not network.subnet_of(self.office):
            return f"{what} lets in more than the office ({self.office}): narrow it."
        return None
