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
setsid ovs-vswitchd "$@" &
pid=$!
wait "$pid"
