#!/bin/sh
# nfs-ganesha for one pocket cloud, in the cloud's "storage" network namespace.
#
#   ganesha.sh NAMESPACE ADDRESS/PREFIX
#
# The namespace holds a bridge, br-storage, carrying the file server's address: the storage
# network. A client (a test's namespace today; a Neutron router or a provider network's
# bridge later) joins it by a veth pair with one end enslaved to br-storage. Nothing of it
# exists in the host's own namespace, so the address is reachable only from namespaces
# that labkit links in.
#
# ganesha runs in the foreground (-F), logging to this script's output (labkit's log of
# the process), with its configuration, exports, recovery folder and pid file under
# $LABKIT_STATE/nfs. On TERM (labkit's stop, sent to the whole process group) ganesha
# stops, and the namespace is deleted with every veth linked into it.
set -eu
NS="$1"
ADDRESS="$2"
N="$LABKIT_STATE/nfs"

ip netns delete "$NS" 2>/dev/null || true   # left by a crash: start clean
ip netns add "$NS"
cleanup() {
    set +e
    trap - EXIT TERM INT
    if [ -n "${pid:-}" ]; then
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    ip netns delete "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 0' TERM INT
ip -n "$NS" link set lo up
ip -n "$NS" link add br-storage type bridge
ip -n "$NS" addr add "$ADDRESS" dev br-storage
ip -n "$NS" link set br-storage up

ip netns exec "$NS" ganesha.nfsd -F -f "$N/ganesha.conf" -p "$N/ganesha.pid" -L /dev/stdout \
    -N NIV_EVENT &
pid=$!
wait "$pid"
