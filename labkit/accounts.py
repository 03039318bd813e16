"""Projects and users, found or created (re-runnable), one by one: used by `labkit workshop`.
(The pocket cloud makes its own from one listing of each: cloud/identities.py.)"""


def find_or_create_project(idc, name, description, tags=None):
    """Project `name` in the default domain; created (with tags) when it is not there."""
    project = idc.find_project(name, domain_id="default")
    if project is None:
        project = idc.create_project(name=name, domain_id="default", description=description,
                                     **({"tags": tags} if tags else {}))
    return project


def find_or_create_user(idc, name, password, project, roles, reset_password=False):
    """User `name` with `roles` on project; created when missing. reset_password: give an
    existing user this password (for a re-run whose caller does not know the old one)."""
    user = idc.find_user(name, domain_id="default")
    if user is None:
        user = idc.create_user(name=name, password=password, domain_id="default",
                               default_project_id=project.id)
    elif reset_password:
        idc.update_user(user, password=password)
    for role in roles:
        idc.assign_project_role_to_user(project, user, idc.find_role(role, ignore_missing=False))
    return user
