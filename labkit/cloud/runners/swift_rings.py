"""Build Swift's three rings (one partition power 8, one replica, one device each).

usage: swift_rings.py ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT
Done in one process with Swift's RingBuilder (the CLI would start Python nine times).
"""
import os
import sys

from swift.common.ring import RingBuilder

swift_dir = f"{os.environ['LABKIT_STATE']}/swift"
ports = dict(zip(("account", "container", "object"), map(int, sys.argv[1:4])))
for kind, port in ports.items():
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": port,
                     "device": "sdb1", "weight": 1})
    builder.rebalance()
    builder.save(f"{swift_dir}/{kind}.builder")
    builder.get_ring().save(f"{swift_dir}/{kind}.ring.gz")
print("rings:", ", ".join(f"{k}:{p}" for k, p in ports.items()))
