"""Create Neutron's database from its models.

Neutron's alembic migrations no longer run on PostgreSQL: `neutron-db-manage upgrade heads`
stops at a MySQL-only statement (`ALTER TABLE tags CONVERT TO CHARACTER SET utf8mb4`,
a syntax error on PostgreSQL). So the schema is built from the models (as Neutron's own
functional tests do) and then stamped at the heads by `neutron-db-manage stamp heads`. The
alembic data migration c33da356b165 seeds the default security-group rule templates; it is
replayed here, or new security groups would get no default egress rules.

usage: neutron_schema.py NEUTRON_CONF
"""
import configparser
import sys
import uuid

import sqlalchemy as sa
from neutron.db.migration.models import head

DEFAULT_RULES = [  # direction, ethertype, remote group, in default SG, in other SGs
    ("egress", "IPv4", None, True, True),
    ("egress", "IPv6", None, True, True),
    ("ingress", "IPv4", "PARENT", True, False),
    ("ingress", "IPv6", "PARENT", True, False),
]

conf = configparser.ConfigParser(interpolation=None)
conf.read(sys.argv[1])
engine = sa.create_engine(conf["database"]["connection"])
head.get_metadata().create_all(engine)
with engine.begin() as db:
    if not db.execute(sa.text("select count(*) from securitygroupdefaultrules")).scalar():
        for direction, ethertype, remote_group, in_default, in_others in DEFAULT_RULES:
            attr = db.execute(sa.text(
                "insert into standardattributes (resource_type, description, revision_number,"
                " created_at, updated_at) values ('securitygroupdefaultrules',"
                " 'Legacy default SG rule', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                " returning id")).scalar()
            db.execute(sa.text(
                "insert into securitygroupdefaultrules (id, standard_attr_id, remote_group_id,"
                " direction, ethertype, used_in_default_sg, used_in_non_default_sg)"
                " values (:id, :attr, :rg, :d, :e, :u1, :u2)"),
                dict(id=str(uuid.uuid4()), attr=attr, rg=remote_group, d=direction,
                     e=ethertype, u1=in_default, u2=in_others))
print("neutron schema ready")
