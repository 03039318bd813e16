"""What Nova's ImagePropertiesFilter does with an image's properties, on described hosts.

The pocket cloud runs no compute hosts, so this is the filter's decision rule, written out
from nova/scheduler/filters/image_props_filter.py (2026.1), applied to hosts you describe:

    hosts = [Host("kvm-1", [("x86_64", "kvm", "hvm")], "8.2.0"), ...]
    allowed_hosts({"hw_architecture": "aarch64"}, hosts)

A host advertises ``supported_instances``: (architecture, hypervisor type, VM mode) triples.
The image asks through ``hw_architecture`` (formerly ``architecture``), ``img_hv_type``,
``hw_vm_mode`` and ``img_hv_requested_version`` (e.g. ">=8.0").
"""

from dataclasses import dataclass

from oslo_utils import versionutils

#: the image properties the filter reads
FILTER_PROPERTIES = ("hw_architecture", "img_hv_type", "hw_vm_mode", "img_hv_requested_version")
_ARCH_ALIASES = {"i386": "i686", "i486": "i686", "i586": "i686", "x86_32": "i686",
                 "x86_32p": "i686", "amd64": "x86_64"}
_HV_ALIASES = {"xapi": "xen"}
_MODE_ALIASES = {"pv": "xen", "hv": "hvm", "baremetal": "hvm"}


@dataclass
class Host:
    name: str
    supported_instances: list  #: [(architecture, hypervisor_type, vm_mode), ...]
    hypervisor_version: str = ""  #: e.g. "8.2.0"


def _canonical(value, aliases):
    if value is None:
        return None
    value = value.lower()
    return aliases.get(value, value)


def image_wants(properties, default_architecture=None):
    """The (architecture, hypervisor type, VM mode) the image asks for (None: anything)."""
    return (_canonical(properties.get("hw_architecture", default_architecture), _ARCH_ALIASES),
            _canonical(properties.get("img_hv_type"), _HV_ALIASES),
            _canonical(properties.get("hw_vm_mode"), _MODE_ALIASES))


def host_passes(properties, host, default_architecture=None):
    """True if Nova's ImagePropertiesFilter would let an instance of this image on host."""
    wanted = image_wants(properties, default_architecture)
    if not any(wanted):
        return True  # the image asks for nothing: every host will do
    if not host.supported_instances:
        return False
    required = properties.get("img_hv_requested_version")
    for offered in host.supported_instances:
        offered = tuple(_canonical(v, {}) for v in offered)
        if all(want is None or want in offered for want in wanted):
            if not (required and host.hypervisor_version):
                return True
            if versionutils.VersionPredicate(required).satisfied_by(host.hypervisor_version):
                return True
    return False


def allowed_hosts(properties, hosts, default_architecture=None):
    """The names of the hosts that pass."""
    return [h.name for h in hosts if host_passes(properties, h, default_architecture)]


#: a small, varied data centre for the lesson
EXAMPLE_HOSTS = [
    Host("kvm-x86-new", [("x86_64", "kvm", "hvm"), ("i686", "kvm", "hvm")], "8.2.0"),
    Host("kvm-x86-old", [("x86_64", "kvm", "hvm")], "4.2.1"),
    Host("kvm-arm", [("aarch64", "kvm", "hvm")], "8.2.0"),
    Host("xen-pv", [("x86_64", "xen", "xen")], "4.17.0"),
    Host("hyperv", [("x86_64", "hyperv", "hvm")], "10.0.0"),
]
