#!/bin/sh
# ovs-vswitchd for one pocket cloud (arguments: its own). On TERM it is asked to exit with
# --cleanup: its userspace datapath's bridge ports are tap devices in this machine's
# namespace, which a plain exit leaves behind (and the next start of a cloud would trip on).
# It runs in a session of its own, so labkit's TERM to this script's group reaches only us.
set -eu
ctl=""
for arg in "$@"; do case "$arg" in --unixctl=*) ctl="${arg#--unixctl=}";; esac; done
stop() {
    trap - TERM INT
    ovs-appctl -t "$ctl" exit --cleanup 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    exit 0
}
trap stop TERM INT
# TCP to and from servers: a guest's virtio NIC leaves its TCP checksums to the "hardware"
# (offload). Read from the tap without the virtio-net header that says so, such a packet's
# checksum looks wrong, and the userspace conntrack (security groups, NAT) drops it as
# invalid: ping passes (ICMP checksums are always computed), SSH never connects. With
# userspace TSO on, ovs-vswitchd reads that header. It reads the option once, at start.
# --retry: ovsdb-server starts beside us, and its socket may not be there yet
ovs-vsctl --no-wait --retry --timeout=30 --db="$1" set open_vswitch . other_config:userspace-tso-enable=true
setsid ovs-vswitchd "$@" &
pid=$!
wait "$pid"
