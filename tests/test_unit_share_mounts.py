"""labkit.share_mounts' own logic, without a cloud: the user data that mounts a share, and
reading its transcript back from a console log."""

import subprocess

from labkit import share_mounts

LOCATION = "172.30.0.1:/share-1234"


def test_the_mount_script_mounts_then_runs_each_command_after_showing_it(tmp_path):
    script = share_mounts.mount_script(LOCATION, ["echo hi > /mnt/share/a.txt"], prompt="vm#")
    assert script.startswith("#!/bin/sh\nmkdir -p /mnt/share\n")
    assert "ping -c 1 -W 1 172.30.0.1" in script  # waits for the file server first
    assert ("mount -t nfs4 -o vers=4.1,proto=tcp,addr=172.30.0.1 172.30.0.1:/share-1234 "
            "/mnt/share") in script
    # run it with a harmless mount and mkdir: what it prints is the transcript a console shows
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("mount", "mkdir", "ping"):
        (fake / tool).write_text("#!/bin/sh\nexit 0\n")
        (fake / tool).chmod(0o755)
    ran = subprocess.run(["sh", "-c", script.replace("/mnt/share", str(tmp_path))],
                         capture_output=True, text=True, env={"PATH": f"{fake}:/usr/bin:/bin"})
    assert ran.stdout.splitlines() == [
        f"vm# mount -t nfs4 -o vers=4.1,proto=tcp,addr=172.30.0.1 {LOCATION} {tmp_path}",
        f"vm# echo hi > {tmp_path}/a.txt"]
    assert (tmp_path / "a.txt").read_text() == "hi\n"


def test_the_transcript_is_what_lies_between_the_tiny_images_markers():
    console = ("tiny: eth1 has address 172.30.0.140\r\n"
               "tiny: running user data (300 bytes)\r\n"
               "vm# cat /mnt/share/a.txt\r\nhi\r\n"
               "tiny: user data exited with 0\r\ntiny: boot finished\r\n")
    assert share_mounts.transcript(console) == "vm# cat /mnt/share/a.txt\nhi"
    assert share_mounts.transcript("tiny: no user data\n") == ""


def test_the_script_stops_when_the_mount_fails(tmp_path):
    script = share_mounts.mount_script(LOCATION, ["echo hi > /mnt/share/a.txt"], prompt="vm#")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "mount").write_text("#!/bin/sh\necho 'mount: Connection timed out' >&2; exit 32\n")
    (fake / "mkdir").write_text("#!/bin/sh\nexit 0\n")
    (fake / "ping").write_text("#!/bin/sh\nexit 0\n")
    for tool in ("mount", "mkdir", "ping"):
        (fake / tool).chmod(0o755)
    ran = subprocess.run(["sh", "-c", script.replace("/mnt/share", str(tmp_path))],
                         capture_output=True, text=True, env={"PATH": f"{fake}:/usr/bin:/bin"})
    assert ran.returncode == 32 and len(ran.stdout.splitlines()) == 1
    assert not (tmp_path / "a.txt").exists()
