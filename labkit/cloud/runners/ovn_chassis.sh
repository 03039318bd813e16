#!/bin/sh
# ovn-controller for one pocket cloud: makes this host OVN's one chassis (and its gateway),
# its bridges on Open vSwitch's userspace datapath, and the namespace that plays the world
# outside the cloud; on TERM, stops ovn-controller and removes that namespace and its veth.
#
#   $INT_BRIDGE  the integration bridge (servers' ports), made by ovn-controller
#   $EX_BRIDGE   the external bridge, mapped to the flat network $PHYSNET ("public")
#   $VETH        a veth from $EX_BRIDGE into $NAMESPACE, which holds $OUTSIDE (the public
#                subnet's gateway). Nothing else: no route out, no forwarding, so what a
#                server sends to the "internet" stops there.
#   $STORAGE_BRIDGE  mapped to the flat network $STORAGE_PHYSNET ("storage"); the file
#                server's runner (ganesha.sh) links it to the storage namespace
set -eu
# --retry: ovsdb-server starts beside this script and may not have made its socket yet
# (without it ovs-vsctl fails at once, "No such file or directory", and the chassis is lost)
vsctl() { ovs-vsctl --retry --timeout=10 --db="$OVN_DB" "$@"; }

# The chassis: hostname as Nova's compute host is named (Neutron binds ports to it); no
# tunnels (one chassis), but OVN wants an encapsulation; a gateway for routers; netdev
# bridges since the kernel has no Open vSwitch datapath.
vsctl set open_vswitch . \
    external_ids:system-id=localhost external_ids:hostname=localhost \
    external_ids:ovn-remote="$OVN_SB" external_ids:ovn-encap-type=geneve \
    external_ids:ovn-encap-ip=127.0.0.1 external_ids:ovn-bridge="$INT_BRIDGE" \
    external_ids:ovn-bridge-datapath-type=netdev \
    external_ids:ovn-bridge-mappings="$PHYSNET:$EX_BRIDGE,$STORAGE_PHYSNET:$STORAGE_BRIDGE" \
    external_ids:ovn-cms-options=enable-chassis-as-gw
vsctl --may-exist add-br "$INT_BRIDGE" -- set bridge "$INT_BRIDGE" datapath_type=netdev \
    fail-mode=secure other-config:disable-in-band=true
vsctl --may-exist add-br "$EX_BRIDGE" -- set bridge "$EX_BRIDGE" datapath_type=netdev
vsctl --may-exist add-br "$STORAGE_BRIDGE" -- set bridge "$STORAGE_BRIDGE" datapath_type=netdev

# The outside world: made fresh each start (a crash may have left the namespace behind)
ip netns delete "$NAMESPACE" 2>/dev/null || true
ip link delete "$VETH" 2>/dev/null || true
ip netns add "$NAMESPACE"
ip link add "$VETH" type veth peer name outside netns "$NAMESPACE"
sysctl -q -w "net.ipv6.conf.$VETH.disable_ipv6=1"
ip link set "$VETH" up
vsctl --may-exist add-port "$EX_BRIDGE" "$VETH"
ip -n "$NAMESPACE" link set lo up
ip -n "$NAMESPACE" addr add "$OUTSIDE" dev outside
ip -n "$NAMESPACE" link set outside up

stop() {
    trap - TERM INT
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # `down` may stop ovsdb-server at the same moment: then the port stays in its database,
    # and the next start adds it again by name (--may-exist), so no error line for that
    ovs-vsctl --timeout=2 --db="$OVN_DB" --if-exists del-port "$EX_BRIDGE" "$VETH" \
        2>/dev/null || true
    ip link delete "$VETH" 2>/dev/null || true
    ip netns delete "$NAMESPACE" 2>/dev/null || true
    exit 0
}
pid=""  # (stop may come before ovn-controller has started)
trap stop TERM INT
# ovn-controller 23.03 reads SB_Global's options without checking the row is there
# (pflow_output_get_debug): on a new southbound database, before ovn-northd has written that
# row, it crashed at start (SIGSEGV, nothing in its log) in about half of fresh starts here
for _ in $(seq 150); do
    [ -n "$(ovn-sbctl --timeout=5 --db="$OVN_SB" --bare --columns=_uuid list SB_Global \
            2>/dev/null)" ] && break
    sleep 0.2
done
ovn-controller "unix:${OVN_DB#unix:}" --pidfile="$OVN_RUNDIR/ovn-controller.pid" \
    -vconsole:off --log-file="$OVN_LOG" &
pid=$!

# Neutron binds ports to the bridge a chassis names in its Chassis_Private row (which OVN's
# metadata agent would write; we run none), else to "br-int": name ours once it registers.
for _ in $(seq 100); do
    ovn-sbctl --timeout=5 --db="$OVN_SB" set Chassis_Private localhost \
        "external_ids:neutron\:ovn-bridge=$INT_BRIDGE" 2>/dev/null && break
    sleep 0.2
done
# ... and reads that row again when the chassis next reports: make it report now
ovn-nbctl --timeout=30 --db="$OVN_NB" --wait=hv sync || true
wait "$pid"
