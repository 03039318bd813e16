"""Servers that mount a share: lesson 2's "two servers, one folder".

A share's export location is on the file server's network. Clouds that give Manila such a
network make it a provider network that servers join with a second NIC (OpenStack-Ansible's
and TripleO's "StorageNFS" network); the pocket cloud does the same where networking and
its file server run: the shared network ``storage`` (172.30.0.0/24, no gateway, DHCP), on
which nfs-ganesha has 172.30.0.1 (labkit/cloud/ovn.py, ensure_storage_network).

    port = share_mounts.storage_port(conn, "alice-vm", lesson="02")     # its address is known
    shares.allow_access(conn, share, networks.port_address(port), "rw")  # ... so allow it
    script = share_mounts.mount_script(location, ["echo hello > /mnt/share/hello.txt"])
    server = share_mounts.launch(conn, "alice-vm", image, network, port, script, lesson="02")
    print(share_mounts.user_data_output(conn, server))  # the script's transcript

The server's user data mounts the share with the kernel's NFSv4 client (``mount -t nfs4``)
and runs the commands it is given; its console shows each command and its answer, which is
how a lesson reads what happened without logging in.
"""

import shlex

from . import networks, servers, show

#: the name of the file server's network (a shared provider network)
STORAGE_NETWORK = "storage"
MOUNT_POINT = "/mnt/share"
#: the tiny image's console lines around the user data's own output (image_build.INIT)
USER_DATA_STARTS, USER_DATA_ENDS = "tiny: running user data", "tiny: user data exited"


def storage_network(conn):
    """The "storage" network, or None where this cloud has none."""
    return conn.network.find_network(STORAGE_NETWORK, ignore_missing=True)


def why_no_mounts(conn):
    """None where servers can mount this cloud's shares of data, else why not."""
    why = servers.why_no_compute(conn)
    if why:
        return why
    if networks.outside_namespace() is None:
        return ("the pocket cloud has no networking tier (Open vSwitch and OVN, above "
                "compute: `sudo make compute`, then `labkit cloud up`), so servers cannot "
                "join the file server's network")
    if storage_network(conn) is None:
        return (f"this cloud has no {STORAGE_NETWORK!r} network: the pocket cloud makes it "
                f"where networking and its file server both run (`labkit cloud status`, "
                f"then `labkit cloud up`)")
    return None


def require(conn):
    """True where servers can mount shares; otherwise show why the next part skips."""
    why = why_no_mounts(conn)
    if why:
        show.note(f"Servers cannot mount shares here: {why.rstrip('.')}. This part skips; "
                  f"the namespace clients above showed the same rules.", "skip")
    return why is None


def storage_port(conn, server_name, lesson):
    """A port on the storage network for server_name, made before the server so that its
    address is known (for an access rule)."""
    network = storage_network(conn)
    if network is None:
        raise networks.NetworkInputError(why_no_mounts(conn) or "no storage network")
    return networks.create_port(conn, network, f"{server_name}-storage", lesson)


def mount_command(location, mount_point=MOUNT_POINT):
    """The kernel's NFSv4 mount of an export location ``host:/path``. busybox's mount passes
    the options to the kernel as they are, so the server's address goes in addr= too (the
    job mount.nfs does on a full system)."""
    host, _ = location.split(":", 1)
    return f"mount -t nfs4 -o vers=4.1,proto=tcp,addr={host} {location} {mount_point}"


def mount_script(location, commands=(), prompt="#", mount_point=MOUNT_POINT):
    """User data that mounts the share at mount_point and runs commands, printing each one
    (after prompt) before its output, as a terminal would. If the mount fails, it stops
    there: the commands would only touch the server's own disk."""
    mount = mount_command(location, mount_point)
    host = location.split(":", 1)[0]
    lines = ["#!/bin/sh", f"mkdir -p {mount_point}",
             "# until the file server answers (20 s at most): OVN may install the storage",
             "# network's flows to this server a moment after DHCP has answered",
             f"for i in $(seq 20); do ping -c 1 -W 1 {host} >/dev/null && break; done",
             f"echo {shlex.quote(f'{prompt} {mount}')}", f"{mount} || exit $?"]
    for command in commands:
        lines += [f"echo {shlex.quote(f'{prompt} {command}')}", command]
    return "\n".join(lines) + "\n"


def launch(conn, name, image, network, port, user_data, lesson, **kwargs):
    """Boot name on its tenant network (first NIC) and the storage port (second NIC), with
    user_data; returns once Nova says ACTIVE (user_data_output waits for the script)."""
    return servers.launch(conn, name, image=image.id, user_data=user_data, lesson=lesson,
                          networks=[{"uuid": network.id}, {"port": port.id}], **kwargs)


def user_data_output(conn, server, timeout=180):
    """The user data's transcript on the server's console, once it has finished."""
    return transcript(servers.console_log(conn, server, until=USER_DATA_ENDS, timeout=timeout))


def transcript(console):
    """The lines a console log holds between the tiny image's user-data markers."""
    text = console.replace("\r", "")
    if USER_DATA_STARTS not in text:
        return ""
    inside = text.split(USER_DATA_STARTS, 1)[1].split("\n", 1)[-1]
    return inside.split(USER_DATA_ENDS, 1)[0].rstrip()
