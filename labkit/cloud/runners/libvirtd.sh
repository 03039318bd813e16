#!/bin/sh
# libvirtd for one pocket cloud: its own configuration, sockets and logs under
# $LABKIT_STATE/libvirt, bound over libvirt's fixed paths in a private mount namespace, so
# the host's libvirt (if any) and other pocket clouds are not touched.
#
# libvirtd refuses to start its QEMU driver without the users and groups its Debian
# package would have created (libvirt-qemu, kvm, libvirt), even when QEMU runs as root: the
# namespace gets its own /etc/passwd and /etc/group, the host's plus those, made at start.
#
# Its cache (QEMU's probed capabilities: 8-9 s of probing on a 2-core machine) is the
# install's, $LIBVIRT_CACHE, shared by every state: a fresh state would probe again otherwise.
# libvirt checks each entry against QEMU's and its own binaries and the host's CPU, and probes
# again when stale.
#
# QEMU processes are started in sessions of their own, so stopping libvirtd would leave the
# guests running: on TERM this script destroys every domain first, then stops libvirtd
# (which runs in its own process group, so labkit's TERM to this group reaches only us).
set -eu
B="$LABKIT_STATE/libvirt"
CACHE="${LIBVIRT_CACHE:-$B/cache}"
mkdir -p "$B/etc" "$B/run" "$B/lib" "$B/log" "$CACHE"

{ grep -v -E '^(libvirt-qemu|kvm|libvirt):' /etc/passwd
  echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin'; } > "$B/passwd"
{ grep -v -E '^(libvirt-qemu|kvm|libvirt):' /etc/group
  echo 'kvm:x:64056:'; echo 'libvirt:x:64057:'; echo 'libvirt-qemu:x:64055:'; } > "$B/group"

if [ "${1:-}" != "--in-namespace" ]; then
    exec unshare --mount --propagation private "$0" --in-namespace
fi

for dir in etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt log:/var/log/libvirt; do
    mkdir -p "${dir#*:}"
    mount --bind "$B/${dir%%:*}" "${dir#*:}"
done
mkdir -p /var/cache/libvirt
mount --bind "$CACHE" /var/cache/libvirt
mount --bind "$B/passwd" /etc/passwd
mount --bind "$B/group" /etc/group

URI="qemu:///system"
stop() {
    trap - TERM INT
    for domain in $(virsh -c "$URI" list --name 2>/dev/null); do
        virsh -c "$URI" destroy "$domain" >/dev/null 2>&1 || true
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    exit 0
}
trap stop TERM INT
# One CPU, always the same: the cache entries hold the CPUID of the CPU libvirtd started on,
# and the CPUs of a VM need not answer alike (their APIC IDs differ), so on another CPU libvirt
# found "host cpuid changed" and probed QEMU again (7-8 s, half the starts). QEMU is not held
# to it: libvirt gives each guest every host CPU unless its domain pins it.
cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
setsid taskset -c "$cpu" /usr/sbin/libvirtd -f /etc/libvirt/libvirtd.conf \
    --pid-file /run/libvirt/libvirtd.pid &
pid=$!
wait "$pid"
