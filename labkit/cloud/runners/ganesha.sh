#!/bin/sh
# nfs-ganesha for one pocket cloud, in the cloud's "storage" network namespace.
#
#   ganesha.sh NAMESPACE ADDRESS/PREFIX
#
# The namespace holds a bridge, br-storage, carrying the file server's address: the storage
# network. A client (lesson 2's and the tests' namespaces) joins it by a veth pair with one
# end enslaved to br-storage. Where networking runs, $STORAGE_OVS_BRIDGE is the Open vSwitch
# bridge of Neutron's "storage" provider network: a veth pair links it too ($STORAGE_VETH in
# the host's namespace, a port of that bridge, with no address; "to-neutron" inside), so
# servers with a port on that network reach the file server. Nothing else of it exists in
# the host's own namespace, so the address is reachable only from namespaces labkit links
# in and from servers' ports on that network.
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
    ip netns delete "$NS" 2>/dev/null   # and with it both ends of the veth pairs
    if [ -n "${STORAGE_OVS_BRIDGE:-}" ]; then
        ovs-vsctl --timeout=5 --db="$STORAGE_OVS_DB" --if-exists del-port \
            "$STORAGE_OVS_BRIDGE" "$STORAGE_VETH" 2>/dev/null
    fi
}
trap cleanup EXIT
trap 'exit 0' TERM INT
ip -n "$NS" link set lo up
ip -n "$NS" link add br-storage type bridge
ip -n "$NS" addr add "$ADDRESS" dev br-storage
ip -n "$NS" link set br-storage up

if [ -n "${STORAGE_OVS_BRIDGE:-}" ]; then
    # Open vSwitch may still be starting (labkit starts it at the same time): --retry waits
    # for its socket (without it ovs-vsctl fails at once when the socket is not there yet)
    ip link delete "$STORAGE_VETH" 2>/dev/null || true
    ip link add "$STORAGE_VETH" type veth peer name to-neutron netns "$NS"
    sysctl -q -w "net.ipv6.conf.$STORAGE_VETH.disable_ipv6=1"
    ip link set "$STORAGE_VETH" up
    ip -n "$NS" link set to-neutron master br-storage up
    if ovs-vsctl --retry --timeout=30 --db="$STORAGE_OVS_DB" --may-exist add-br "$STORAGE_OVS_BRIDGE" \
        -- set bridge "$STORAGE_OVS_BRIDGE" datapath_type=netdev \
        -- --may-exist add-port "$STORAGE_OVS_BRIDGE" "$STORAGE_VETH"; then
        echo "labkit: storage network linked to Open vSwitch bridge $STORAGE_OVS_BRIDGE"
    else
        echo "labkit: Open vSwitch did not answer: servers cannot reach the file server"
    fi
fi

ip netns exec "$NS" ganesha.nfsd -F -f "$N/ganesha.conf" -p "$N/ganesha.pid" -L /dev/stdout \
    -N NIV_EVENT &
pid=$!
wait "$pid"
