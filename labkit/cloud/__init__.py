"""The pocket cloud: real Keystone, Glance, Swift, Neutron and Nova API on 127.0.0.1."""

from .errors import CloudError
from .identities import CLOUD_NAMES
from .layout import Layout
from .pocket import PocketCloud

__all__ = ["CLOUD_NAMES", "CloudError", "Layout", "PocketCloud"]
