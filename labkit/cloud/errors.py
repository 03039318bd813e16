"""What can go wrong with the pocket cloud, each with a message that says what to do."""


class CloudError(Exception):
    """Base class: str(error) is the whole message a learner sees."""


class PortInUse(CloudError):
    def __init__(self, service, port):
        self.service, self.port = service, port
        super().__init__(
            f"Port {port} on 127.0.0.1, which {service} needs, is already in use by another "
            f"program. If that is another pocket cloud (another state folder), stop it with "
            f"`labkit cloud down` there. Otherwise free the port, or give this cloud other "
            f"ports: `LABKIT_PORT_OFFSET=1000 labkit cloud reset` (ports are chosen when the "
            f"state is created).")


class ServiceCrashed(CloudError):
    def __init__(self, service, log, tail=""):
        self.service, self.log = service, log
        super().__init__(
            f"{service} stopped while starting. Its log is {log}"
            + (f"; it ends with:\n{tail}" if tail else "."))


class ServiceTimeout(CloudError):
    def __init__(self, service, seconds, log, tail=""):
        self.service, self.log = service, log
        super().__init__(
            f"{service} did not answer within {seconds:.0f} s, so labkit gave up waiting. "
            f"Its log is {log}" + (f"; it ends with:\n{tail}" if tail else "."))


class StateTooOld(CloudError):
    def __init__(self, state, found, wanted):
        super().__init__(
            f"The state folder {state} was made by a different labkit (state format {found}, "
            f"this labkit needs {wanted}). Run `labkit cloud reset` to start a new cloud "
            f"(this deletes the images and objects in the old one), or point LABKIT_STATE at "
            f"a new folder.")


class NoXattr(CloudError):
    def __init__(self, path, reason):
        super().__init__(
            f"Swift stores object metadata in extended attributes (xattr), and the "
            f"filesystem holding {path} does not support them ({reason}). Put the state "
            f"folder on ext4, xfs, btrfs or tmpfs: e.g. `export LABKIT_STATE=/tmp/labkit-state`.")


class InstallFailed(CloudError):
    def __init__(self, what, log, tail=""):
        super().__init__(
            f"Installing {what} failed. The full log is {log}"
            + (f"; it ends with:\n{tail}" if tail else "."))


class NotRunning(CloudError):
    pass
