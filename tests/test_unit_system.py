"""labkit/cloud/system.py: which packages compute needs, and what labkit says about them."""

import contextlib

import pytest

from labkit.cloud import system


@pytest.fixture
def nothing_installed(monkeypatch):
    monkeypatch.setattr(system, "which", lambda command: None)
    monkeypatch.setattr(system.glob, "glob", lambda pattern: [])


def test_missing_lists_every_package_when_nothing_is_installed(nothing_installed):
    assert system.missing() == list(system.PACKAGES)
    assert "qemu-system-x86" in system.missing() and "libvirt-daemon" in system.missing()


def test_why_not_available_names_the_packages_and_the_command(nothing_installed):
    why = system.why_not_available()
    assert "qemu-system-x86" in why and "sudo make compute" in why


def test_available_needs_root(monkeypatch):
    monkeypatch.setattr(system, "missing", lambda: [])
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    assert "root" in system.why_not_available()
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    assert system.why_not_available() is None


def test_available_needs_libvirt_python_in_the_services_environment(monkeypatch, tmp_path):
    monkeypatch.setattr(system, "missing", lambda: [])
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    assert "libvirt-python" in system.why_not_available(tmp_path)
    site = tmp_path / "lib/python3.11/site-packages"
    site.mkdir(parents=True)
    (site / "libvirtmod.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    assert system.why_not_available(tmp_path) is None


def test_auto_without_root_only_says_how(nothing_installed, monkeypatch):
    monkeypatch.setattr(system, "can_install", lambda: False)
    ran = []
    monkeypatch.setattr(system.subprocess, "run", lambda *a, **k: ran.append(a))
    said = []
    system.auto(say=said.append)
    assert ran == []
    assert "sudo make compute" in said[0] and "Everything else works" in said[0]


def test_install_without_root_refuses_with_the_command(nothing_installed, monkeypatch):
    monkeypatch.setattr(system, "can_install", lambda: False)
    with pytest.raises(SystemExit, match="sudo make compute"):
        system.install(say=lambda *_: None)


def test_install_as_root_runs_apt_get_without_recommends(monkeypatch):
    lack = iter([["qemu-system-x86", "genisoimage", "ovn-host", "nfs-ganesha"], []])
    monkeypatch.setattr(system, "missing_all", lambda: next(lack))
    monkeypatch.setattr(system, "_no_service_starts", contextlib.nullcontext)
    monkeypatch.setattr(system, "can_install", lambda: True)
    ran = []
    monkeypatch.setattr(system.subprocess, "run", lambda argv, **k: ran.append(argv))
    said = []
    packages = ["qemu-system-x86", "genisoimage", "ovn-host", "nfs-ganesha"]
    assert system.install(say=said.append) == packages
    assert ran[-1][:2] == ["apt-get", "install"] and "--no-install-recommends" in ran[-1]
    assert ran[-1][-4:] == packages
    assert any("qemu-system-x86" in line and "QEMU" in line for line in said)
    assert any("ovn-host" in line and "ovn-controller" in line for line in said)
    assert any("nfs-ganesha" in line and "NFS server" in line for line in said)


def test_the_file_server_needs_its_packages_and_root(nothing_installed, monkeypatch):
    why = system.why_no_file_server()
    assert "nfs-ganesha" in why and "sudo make compute" in why
    assert "qemu-system-x86" not in why  # compute's packages are compute's business
    monkeypatch.setattr(system, "missing", lambda packages=None: [])
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    assert "root" in system.why_no_file_server()
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    assert system.why_no_file_server() is None


def test_networking_needs_compute_first_then_its_own_packages(monkeypatch):
    monkeypatch.setattr(system, "why_not_available", lambda services=None: "no QEMU")
    assert system.why_networking_not_available() == "networking needs compute first: no QEMU"
    monkeypatch.setattr(system, "why_not_available", lambda services=None: None)
    monkeypatch.setattr(system, "which", lambda command: None)
    why = system.why_networking_not_available()
    assert "openvswitch-switch" in why and "ovn-central" in why and "sudo make compute" in why
    monkeypatch.setattr(system, "which", lambda command: f"/usr/bin/{command}")
    assert system.why_networking_not_available() is None
