"""Glance's metadata definitions catalog ("metadefs"): the image properties a cloud
describes, with their titles, types and allowed values, as Horizon's "Update Metadata" shows.

    catalog = image_catalog(conn)        # [] when the cloud has no metadefs loaded
    catalog[0].namespace, catalog[0].properties[0].name, ....enum

Two calls of Glance's metadefs API (api-ref:
https://docs.openstack.org/api-ref/image/v2/metadefs-index.html):
- ``GET /v2/metadefs/namespaces?resource_types=OS::Glance::Image`` lists the namespaces
  that apply to images (OS::Compute::LibvirtImage, OS::Compute::Hypervisor, ...);
- ``GET /v2/metadefs/namespaces/{namespace}?resource_type=OS::Glance::Image`` gives one
  namespace with its properties and objects, property names already carrying the prefix the
  namespace uses for images (Glance's api/v2/metadef_namespaces.py, ``_prefix_property_name``).

An operator loads Glance's shipped definitions with ``glance-manage db_load_metadefs``; a
cloud that never did has an empty catalog, and the forms then offer free rows only.
"""

from dataclasses import dataclass, field

RESOURCE_TYPE = "OS::Glance::Image"


@dataclass
class PropertyDefinition:
    """One property a namespace describes: its key on the image and what it may hold."""

    name: str  #: the image property key, e.g. hw_disk_bus
    title: str = ""
    description: str = ""
    type: str = "string"  #: string, integer, number, boolean or array
    enum: list = field(default_factory=list)  #: the allowed values; [] means any
    default: object = None

    @property
    def choices(self):
        """The values a form should offer: the enum, true/false for booleans, else []."""
        if self.enum:
            return [str(value) for value in self.enum]
        if self.type == "boolean":
            return ["true", "false"]
        return []


@dataclass
class Namespace:
    """A metadefs namespace that applies to images, with its properties."""

    namespace: str  #: e.g. OS::Compute::LibvirtImage
    display_name: str = ""
    description: str = ""
    properties: list = field(default_factory=list)  #: [PropertyDefinition], sorted by name

    @property
    def label(self):
        return f"{self.display_name} ({self.namespace})" if self.display_name else self.namespace


def _definition(name, body):
    items = body.get("items") or {}
    return PropertyDefinition(
        name=name, title=body.get("title") or name, description=body.get("description") or "",
        type=body.get("type") or "string", enum=list(body.get("enum") or items.get("enum") or []),
        default=body.get("default"))


def _namespace_names(conn):
    """Every namespace for images, following Glance's pagination (`next` links)."""
    names, params = [], {"resource_types": RESOURCE_TYPE, "limit": 100}
    while True:
        answer = conn.image.get("/metadefs/namespaces", params=params)
        answer.raise_for_status()
        body = answer.json()
        names += [item["namespace"] for item in body.get("namespaces", [])]
        if not body.get("next") or not body.get("namespaces"):
            return names
        params = {**params, "marker": names[-1]}


def namespace(conn, name):
    """One namespace for images, with its own properties and those of its objects."""
    answer = conn.image.get(f"/metadefs/namespaces/{name}",
                            params={"resource_type": RESOURCE_TYPE})
    answer.raise_for_status()
    body = answer.json()
    definitions = {key: _definition(key, value)
                   for key, value in (body.get("properties") or {}).items()}
    for thing in body.get("objects") or []:  # e.g. OS::Compute::VirtCPUTopology's objects
        for key, value in (thing.get("properties") or {}).items():
            definitions.setdefault(key, _definition(key, value))
    return Namespace(namespace=body["namespace"], display_name=body.get("display_name") or "",
                     description=body.get("description") or "",
                     properties=sorted(definitions.values(), key=lambda d: d.name))


def image_catalog(conn):
    """The namespaces (with properties) that apply to images, by display name; [] if none."""
    found = [namespace(conn, name) for name in _namespace_names(conn)]
    return sorted([ns for ns in found if ns.properties], key=lambda ns: ns.label.lower())
