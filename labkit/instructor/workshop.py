"""One project per student, for an instructor-led workshop: `labkit workshop create|delete`.

For student NN it makes, as the cloud's admin:
- project and user ``day3-studentNN`` (role member), the learner of the lessons;
- project and user ``day3-studentNN-partner`` (role member), the "second project" that the
  sharing and isolation parts need, so that students never hold each other's passwords;
- quotas fit for the course, where the cloud has the service;
- ``<output>/day3-studentNN/clouds.yaml`` (mode 0600) with the clouds ``day3`` and
  ``day3-partner``. Give each student their folder and `OS_CLOUD=day3
  LABKIT_PARTNER_CLOUD=day3-partner`.
Projects are tagged ``labkit-workshop``: delete touches only those. Both commands can be
re-run: create fills in what is missing (and gives each student a new password), delete
removes what is left.
"""

import secrets
from pathlib import Path

import yaml

from .. import capabilities, cleanup, marks
from ..accounts import find_or_create_project, find_or_create_user
from ..private import write_private

TAG = "labkit-workshop"
QUOTAS = {
    "compute": {"key_pairs": 20, "instances": 4, "cores": 8, "ram": 8192},
    "network": {"security_groups": 20, "security_group_rules": 200},
}


def student_name(number):
    return marks.name(f"student{number:02d}")


def _set_quotas(admin, project):
    if capabilities.has_service(admin, "compute"):
        admin.set_compute_quotas(project.id, **QUOTAS["compute"])
    if capabilities.has_service(admin, "network"):
        admin.network.update_quota(project.id, **QUOTAS["network"])


def _cloud_entry(auth_url, user, password, project, region):
    return {"auth": {"auth_url": auth_url, "username": user, "password": password,
                     "project_name": project, "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": region, "interface": "public", "identity_api_version": 3}


def create(admin, students, output):
    """Create (or complete) students 1..students; returns the clouds.yaml paths written."""
    idc = admin.identity
    auth_url = admin.config.get_auth_args()["auth_url"]
    region = admin.config.get_region_name() or "RegionOne"
    written = []
    for number in range(1, students + 1):
        clouds = {}
        for suffix, cloud in (("", "day3"), ("-partner", "day3-partner")):
            name = student_name(number) + suffix
            project = find_or_create_project(idc, name, "OpenStack Day 3 workshop (labkit)",
                                             tags=[TAG])
            password = secrets.token_urlsafe(18)
            # a re-run does not know the old password, so the student gets a new one
            find_or_create_user(idc, name, password, project, ["member"], reset_password=True)
            _set_quotas(admin, project)
            clouds[cloud] = _cloud_entry(auth_url, name, password, name, region)
        folder = Path(output) / student_name(number)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        path = folder / "clouds.yaml"
        write_private(path, "# OpenStack Day 3 workshop: export OS_CLIENT_CONFIG_FILE=this file "
                            "OS_CLOUD=day3 LABKIT_PARTNER_CLOUD=day3-partner\n"
                      + yaml.safe_dump({"clouds": clouds}, sort_keys=False))
        written.append(path)
    return written


def workshop_projects(admin):
    return [p for p in admin.identity.projects(domain_id="default", tags=TAG)
            if marks.has_prefix(p.name)]


def delete(admin, output, say=print):
    """Remove the students' lesson resources, then their users and projects."""
    from ..connect import open_cloud

    idc = admin.identity
    gone = []
    for project in workshop_projects(admin):
        user = idc.find_user(project.name, domain_id="default")
        clouds_yaml = Path(output) / project.name.removesuffix("-partner") / "clouds.yaml"
        cloud = "day3-partner" if project.name.endswith("-partner") else "day3"
        if user is not None and clouds_yaml.is_file():
            try:
                conn = open_cloud(cloud, clouds_yaml)
                cleanup.cleanup(conn, quiet=True, local=False)  # the students' clouds only
            except Exception as exc:  # the resources may already be gone; go on
                say(f"  {project.name}: cleanup as the student failed ({exc}); deleting anyway")
        if user is not None:
            idc.delete_user(user, ignore_missing=True)
        idc.delete_project(project, ignore_missing=True)
        gone.append(project.name)
    return gone
