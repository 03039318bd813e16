"""The services of the pocket cloud, in start order. A new service is one more line."""

from . import glance, keystone, libvirtd, manila, mirror, neutron, nova, placement, swift

SERVICES = [keystone.SERVICE, glance.SERVICE, swift.SERVICE, neutron.SERVICE, placement.SERVICE,
            libvirtd.SERVICE, nova.SERVICE, manila.SERVICE, mirror.SERVICE]


def by_name(name):
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(name)
