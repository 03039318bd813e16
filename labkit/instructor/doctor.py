"""Is this cloud ready for the course? `labkit doctor`, for instructors before a workshop.

Every check gives pass, warn or fail, what was found, and what to do about it. A fail means
a lesson cannot run; a warn means a part of a lesson will say it skips.
"""

import shutil
from dataclasses import dataclass

from .. import offer, show
from ..connect import ConnectError, connect, identities

PASS, WARN, FAIL = "pass", "warn", "FAIL"

#: service type -> (what it is for, result when missing, advice)
COURSE_SERVICES = {
    "identity": ("everything", FAIL, "The catalog must list Keystone."),
    "image": ("lesson 1 and 3 (Glance)", FAIL, "Lesson 1 needs Glance."),
    "object-store": ("lesson 4 (Swift)", WARN, "Lesson 4 will skip its hands-on cells."),
    "network": ("lesson 3: security groups (Neutron)", WARN, "Lesson 3 skips security groups."),
    "compute": ("lessons 1 and 3: servers, key pairs (Nova)", WARN,
                "Lesson 3 skips key pairs; lessons 1 and 3 skip their servers."),
    "shared-file-system": ("lesson 2 (Manila)", WARN, "Lesson 2 will skip its hands-on cells."),
}
NEEDED_DISK_FORMATS = {"raw", "qcow2", "vmdk", "vdi", "vhd", "vhdx", "iso", "aki", "ari", "ami"}
#: room a learner needs; lesson 1 runs at most two m1.tiny servers at once (1 vCPU, 512 MB)
QUOTA_NEEDS = {("compute", "key_pairs"): 5, ("compute", "instances"): 2, ("compute", "cores"): 2,
               ("compute", "ram"): 1024, ("network", "security_groups"): 5,
               ("network", "security_group_rules"): 30}


@dataclass
class Check:
    check: str
    result: str
    found: str
    advice: str = ""


def check_identities(cloud):
    try:
        conn = connect(cloud)
    except (ConnectError, Exception) as exc:
        return None, [Check("authentication", FAIL, str(exc).splitlines()[0],
                            "Fix clouds.yaml (OS_CLOUD, OS_CLIENT_CONFIG_FILE) first.")]
    who = identities(cloud) if cloud else identities()
    checks = [Check("authentication", PASS,
                    f"cloud {who.learner!r}: user {conn.current_user_id[:8]}..., project "
                    f"{conn.current_project.name}")]
    for role in ("admin", "partner"):
        name = who.name(role)
        try:
            if name is None:
                raise ConnectError("not configured")
            connect(cloud, role=role)
            checks.append(Check(f"{role} identity", PASS, f"cloud {name!r}"))
        except Exception as exc:
            checks.append(Check(f"{role} identity", WARN, str(exc).splitlines()[0][:120],
                                f"Set LABKIT_{role.upper()}_CLOUD; lessons skip the {role} parts."))
    return conn, checks


def check_services(summary):
    checks = []
    by_type = {s.type: s for s in summary.services}
    for service_type, (purpose, missing, advice) in COURSE_SERVICES.items():
        row = by_type.get(service_type) or (by_type.get("sharev2")
                                            if service_type == "shared-file-system" else None)
        if row is None:
            checks.append(Check(f"service {service_type}", missing, "not in the catalog", advice))
        elif row.version.startswith(offer.UNREACHABLE):
            checks.append(Check(f"service {service_type}", missing, row.version,
                                "The catalog lists it but it does not answer: is it down?"))
        else:
            micro = f", microversions {row.microversions}" if row.microversions else ""
            checks.append(Check(f"service {service_type}", PASS,
                                f"{row.version}{micro} for {purpose}"))
    return checks


def check_glance(summary):
    methods = summary.feature("image", "import methods") or ""
    formats = {f.strip() for f in (summary.feature("image", "disk formats") or "").split(",")}
    missing = sorted(NEEDED_DISK_FORMATS - formats)
    return [
        Check("image import: web-download", PASS if "web-download" in methods else WARN,
              methods or "unknown",
              "" if "web-download" in methods else "Upload by URL in lesson 1 will skip."),
        Check("image disk formats", PASS if not missing else WARN,
              ", ".join(sorted(formats)) or "unknown",
              f"Lesson 1 cannot upload: {', '.join(missing)}" if missing else ""),
    ]


def check_swift(summary):
    checks = []
    for feature, advice in (("temporary URLs (tempurl)", "Lesson 4 skips temporary URLs."),
                            ("static large objects (slo)", "Lesson 4 skips large objects.")):
        value = summary.feature("object-store", feature) or ""
        if value:
            ok = value.startswith("yes")
            checks.append(Check(f"swift {feature}", PASS if ok else WARN, value,
                                "" if ok else advice))
    return checks


def check_manila_types(conn, summary):
    if not any(s.type in offer.MANILA_TYPES for s in summary.services):
        return []
    try:
        names = [t.name for t in conn.shared_file_system.share_types()]
    except Exception as exc:
        return [Check("manila share types", WARN, f"could not list: {exc}"[:120])]
    return [Check("manila share types", PASS if names else WARN, ", ".join(names) or "none",
                  "" if names else "An admin must create a share type (e.g. 'default').")]


def check_quotas(conn):
    project = conn.current_project_id
    checks = []
    for (service, key), need in QUOTA_NEEDS.items():
        try:
            if service == "compute":
                quota = conn.get_compute_quotas(project)
                limit, used = quota[key], 0
            else:
                detail = conn.network.get_quota(project, details=True)
                limit, used = detail[key]["limit"], detail[key]["used"]
        except Exception:
            continue  # no such service: its own check already said so
        room = float("inf") if limit in (-1, None) else limit - used
        checks.append(Check(f"quota {service} {key}", PASS if room >= need else FAIL,
                            f"limit {limit}, used {used}",
                            "" if room >= need else f"The lessons need room for {need}."))
    return checks


def check_compute_hosts(conn):
    """Whether the cloud boots servers: a learner's view (an availability zone is up)."""
    from ..servers import why_no_compute

    try:
        why = why_no_compute(conn)
    except Exception as exc:
        why = f"could not ask: {str(exc).splitlines()[0][:120]}"
    return [Check("compute hosts", PASS if why is None else WARN,
                  "an availability zone is up: servers boot" if why is None else why,
                  "" if why is None else "The boot parts of lessons 1 and 3 will skip.")]


def check_pocket_compute():
    """Whether this machine's pocket cloud can boot servers (QEMU, libvirt, root)."""
    from ..cloud import PocketCloud

    status = PocketCloud(say=lambda *_: None).compute_status()
    return Check("pocket cloud compute", PASS if status == "available" else WARN, status,
                 "" if status == "available" else "Lesson 1's boot part will skip.")


def check_pocket_file_server():
    """Whether this machine's pocket cloud exports shares that hold data (nfs-ganesha, root)."""
    from ..cloud import PocketCloud

    status = PocketCloud(say=lambda *_: None).file_server_status()
    return Check("pocket cloud file server", PASS if status == "available" else WARN, status,
                 "" if status == "available" else "Lesson 2's mount part will skip.")


def check_pocket_networking():
    """Whether servers can join tenant networks (Open vSwitch and OVN, above compute)."""
    from ..cloud import PocketCloud

    status = PocketCloud(say=lambda *_: None).networking_status()
    return Check("pocket cloud networking", PASS if status == "available" else WARN, status,
                 "" if status == "available" else
                 "Security groups are API records only: nothing enforces them.")


def check_tools():
    path = shutil.which("qemu-img")
    return [check_pocket_compute(), check_pocket_networking(), check_pocket_file_server(),
            Check("local tool qemu-img", PASS if path else WARN, path or "not found",
                  "" if path else "Install qemu-utils (Debian) or qemu (conda-forge) for "
                                  "conversion and every sample format; lessons run without.")]


def doctor(cloud=None):
    """Run every check; returns the list of Check rows."""
    conn, checks = check_identities(cloud)
    if conn is not None:
        summary = offer.summary(conn)
        checks += check_services(summary) + check_glance(summary) + check_swift(summary)
        checks += check_manila_types(conn, summary) + check_compute_hosts(conn)
        checks += check_quotas(conn)
    return checks + check_tools()


def show_checks(checks):
    show.table(checks, ["check", "result", "found", "advice"],
               headers=["check", "result", "found", "what to do"])
    fails = sum(c.result == FAIL for c in checks)
    warns = sum(c.result == WARN for c in checks)
    print(f"{len(checks) - fails - warns} passed, {warns} warnings, {fails} failed")
    return fails
