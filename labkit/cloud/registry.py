"""The services of the pocket cloud, in start order. A new service is one more line."""

from . import (file_server, glance, keystone, libvirtd, manila, mirror, neutron, nova, ovn,
               placement, postgres, swift)

SERVICES = [postgres.SERVICE, keystone.SERVICE, glance.SERVICE, swift.SERVICE, ovn.SERVICE,
            neutron.SERVICE, placement.SERVICE, libvirtd.SERVICE, nova.SERVICE,
            file_server.SERVICE, manila.SERVICE, mirror.SERVICE]


def by_name(name):
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(name)


def default_ports():
    """Every listening process and its port before LABKIT_PORT_OFFSET."""
    return {name: port for service in SERVICES for name, port in service.ports.items()}
