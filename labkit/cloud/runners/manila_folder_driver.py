"""A Manila share driver for the pocket cloud: each share a folder, exported by nfs-ganesha.

Manila has no in-tree driver for plain folders behind ganesha: its ganesha code is a
protocol helper (manila/share/drivers/ganesha) used by the CephFS and GlusterFS drivers,
and its LVM driver exports through the kernel's NFS server, which this machine lacks. So
this is a small driver of its own (manila_all.py runs beside it, so Manila imports it as
``manila_folder_driver``) around Manila's own helper:

- access rules: Manila's ``GaneshaNASHelper2`` writes one export file per share, with a
  CLIENT block per access level, and an index of them that ganesha.conf includes. Manila
  then asks ganesha over D-Bus to load the change; this ganesha runs without D-Bus and
  rereads its export files on SIGHUP instead (``ganesha.nfsd -h``: "SIGHUP: Reload LOG
  and EXPORT config"), so the manager below sends that and waits for ganesha's log line
  "Reread exports complete". ganesha enforces the rules: a ``ro`` client gets
  NFS4ERR_ROFS on a write, an address without a rule does not see the export at all.
- size: no hard limit. This machine's file system has no project quotas (ext4 mounted
  ``noquota``; no XFS), and a file system image per share would need a loop device. The
  driver measures the space a share's files take (``du``) and refuses to shrink below it
  (ShareShrinkingPossibleDataLoss: Manila keeps the size and tells the owner).
- snapshots: a copy of the folder (``cp -a``); a share from a snapshot starts as a copy.
"""

import math
import os
import signal
import time

from oslo_config import cfg
from oslo_log import log
from oslo_utils import timeutils
from oslo_utils import units

from manila import exception
from manila import utils
from manila.share import driver
from manila.share.drivers import ganesha
from manila.share.drivers.ganesha import manager as ganesha_manager
from manila.share.drivers.ganesha import utils as ganesha_utils

LOG = log.getLogger(__name__)

OPTS = [
    cfg.StrOpt("folder_shares_root", help="Where each share's folder is made."),
    cfg.StrOpt("folder_snapshots_root", help="Where each snapshot's copy is made."),
    cfg.HostAddressOpt("folder_export_address",
                       help="The file server's address on the storage network: export "
                            "locations are ADDRESS:/share-name."),
    cfg.StrOpt("folder_ganesha_pid_file", help="ganesha's pid file (it is sent SIGHUP)."),
    cfg.StrOpt("folder_ganesha_log", help="ganesha's log, where it says it reread exports."),
    cfg.IntOpt("folder_ganesha_wait", default=30,
               help="Seconds to wait for ganesha: to start, and to reread its exports."),
]

REREAD = "Reread exports complete"


class ReloadingGaneshaManager(ganesha_manager.GaneshaManager):
    """Manila's ganesha manager, with a SIGHUP where it would call D-Bus. The reload comes
    after the whole change (export file and index written, or removed), so ganesha reads
    the new state in one go.

    One change at a time, reload included: ganesha rereads every export file the index names,
    so a reload that lands while another change has written the index but not yet its export
    file (or removed the file first) fails to parse ("open error", no reread), and a waiter
    could take the other change's "reread" line for its own. Two access rules denied at once
    on two shares left both "denying" that way."""

    def __init__(self, execute, tag, pid_file, log_file, wait, **kwargs):
        self.pid_file, self.log_file, self.wait = pid_file, log_file, wait
        super().__init__(execute, tag, **kwargs)

    def _dbus_send_ganesha(self, method, *args, **kwargs):
        """No D-Bus: add_export, update_export and remove_export reload() when done."""

    @utils.synchronized("ganesha-export-change", external=True)
    def add_export(self, name, confdict):
        super().add_export(name, confdict)
        self.reload()

    @utils.synchronized("ganesha-export-change", external=True)
    def update_export(self, name, confdict):
        super().update_export(name, confdict)
        self.reload()

    @utils.synchronized("ganesha-export-change", external=True)
    def remove_export(self, name):
        super().remove_export(name)
        self.reload()

    def reload(self):
        """SIGHUP ganesha and wait until it has reread its exports."""
        start = os.path.getsize(self.log_file)
        os.kill(server_pid(self.pid_file), signal.SIGHUP)
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            with open(self.log_file, errors="replace") as log_:
                log_.seek(start)
                if REREAD in log_.read():
                    return
            time.sleep(0.1)
        raise exception.GaneshaException(
            f"ganesha did not reread its exports within {self.wait} s; see {self.log_file}")


def server_pid(pid_file):
    """ganesha's pid; GaneshaException when it is not running."""
    try:
        with open(pid_file) as f:
            pid = int(f.read().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        raise exception.GaneshaException(
            f"the file server (nfs-ganesha) is not running (no live pid in {pid_file}); "
            f"`labkit cloud up` starts it") from None
    return pid


class FolderNFSHelper(ganesha.GaneshaNASHelper2):
    """Manila's ganesha helper for folders (FSAL VFS), managed by ReloadingGaneshaManager."""

    def __init__(self, execute, config, **kwargs):
        super().__init__(execute, config, **kwargs)
        self.config = config

    def init_helper(self):
        self.ganesha = ReloadingGaneshaManager(
            self._execute, self.tag,
            pid_file=self.config.folder_ganesha_pid_file,
            log_file=self.config.folder_ganesha_log,
            wait=self.config.folder_ganesha_wait,
            ganesha_config_path=self.config.ganesha_config_path,
            ganesha_export_dir=self.config.ganesha_export_dir,
            ganesha_db_path=self.config.ganesha_db_path,
            ganesha_service_name=self.config.ganesha_service_name)
        self.export_template = self._default_config_hook()

    def _fsal_hook(self, base_path, share, access, sub_name=None):
        return {"Name": "VFS"}

    def _get_export_path(self, share, sub_name=None):
        return os.path.join(self.config.folder_shares_root, share["name"])

    def _get_export_pseudo_path(self, share, sub_name=None):
        return "/" + share["name"]


class FolderGaneshaDriver(driver.ExecuteMixin, driver.GaneshaMixin, driver.ShareDriver):
    """Shares are folders on this host, exported over NFSv4 by nfs-ganesha."""

    def __init__(self, *args, **kwargs):
        super().__init__(False, *args, config_opts=[OPTS], **kwargs)
        self.backend_name = self.configuration.safe_get("share_backend_name") or "folders"
        self.helper = None

    # --- set-up
    def do_setup(self, context):
        # ganesha starts beside Manila: give it a moment before saying it is missing
        deadline = time.monotonic() + self.configuration.folder_ganesha_wait
        while True:
            try:
                server_pid(self.configuration.folder_ganesha_pid_file)
                break
            except exception.GaneshaException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for root in (self.configuration.folder_shares_root,
                     self.configuration.folder_snapshots_root):
            os.makedirs(root, exist_ok=True)
        self.helper = FolderNFSHelper(ganesha_utils.RootExecutor(self._execute),
                                      self.configuration, tag=self.backend_name)
        self.helper.init_helper()

    def check_for_setup_error(self):
        server_pid(self.configuration.folder_ganesha_pid_file)

    def _update_share_stats(self, data=None):
        disk = os.statvfs(self.configuration.folder_shares_root)
        total = disk.f_blocks * disk.f_frsize / units.Gi
        free = disk.f_bavail * disk.f_frsize / units.Gi
        pool = {
            "pool_name": self.backend_name,
            "total_capacity_gb": round(total, 2),
            "free_capacity_gb": round(free, 2),
            "reserved_percentage": 0,
            "reserved_snapshot_percentage": 0,
            "reserved_share_extend_percentage": 0,
            # a share's folder takes only what its files take: sizes are promises
            "thin_provisioning": True,
            "max_over_subscription_ratio": 20.0,
            "snapshot_support": True,
            "create_share_from_snapshot_support": True,
            "revert_to_snapshot_support": False,
            "mount_snapshot_support": False,
            "dedupe": False,
            "compression": False,
            "qos": False,
        }
        super()._update_share_stats({
            "share_backend_name": self.backend_name,
            "vendor_name": "labkit",
            "driver_version": "1.0",
            "storage_protocol": "NFS",
            "snapshot_support": True,
            "create_share_from_snapshot_support": True,
            "pools": [pool],
        })

    # --- shares
    def _share_path(self, share):
        return os.path.join(self.configuration.folder_shares_root, share["name"])

    def _snapshot_path(self, snapshot):
        return os.path.join(self.configuration.folder_snapshots_root, snapshot["name"])

    def _export_locations(self, share):
        return [{"path": f"{self.configuration.folder_export_address}:/{share['name']}",
                 "is_admin_only": False, "metadata": {"preferred": True}}]

    def _check_protocol(self, share):
        if share["share_proto"].upper() != "NFS":
            raise exception.InvalidShare(
                reason=f"this back end exports NFS only, not {share['share_proto']}")

    def create_share(self, context, share, share_server=None):
        self._check_protocol(share)
        self._execute("mkdir", "-m", "0777", self._share_path(share), run_as_root=True)
        return self._export_locations(share)

    def create_share_from_snapshot(self, context, share, snapshot, share_server=None,
                                   parent_share=None):
        self._check_protocol(share)
        self._copy(self._snapshot_path(snapshot), self._share_path(share))
        return self._export_locations(share)

    def delete_share(self, context, share, share_server=None):
        if self.helper.ganesha.check_export_exists(share["name"]):
            self.helper.ganesha.remove_export(share["name"])
        self._execute("rm", "-rf", self._share_path(share), run_as_root=True)

    def ensure_share(self, context, share, share_server=None):
        return self._export_locations(share)

    def ensure_shares(self, context, shares):
        # export files outlive a restart: ganesha reads them again as it starts
        return {share["id"]: {"export_locations": self._export_locations(share),
                              "status": "available", "reapply_access_rules": False}
                for share in shares}

    def get_backend_info(self, context):
        return {"export_address": self.configuration.folder_export_address,
                "shares_root": self.configuration.folder_shares_root}

    def extend_share(self, share, new_size, share_server=None):
        """Nothing to do: the size is a promise, not a limit (see the module's note)."""

    def shrink_share(self, share, new_size, share_server=None):
        used = self._used_bytes(self._share_path(share))
        if used > new_size * units.Gi:
            LOG.warning("Not shrinking %(share)s to %(new)s GiB: its files take %(used)s "
                        "bytes.", {"share": share["name"], "new": new_size, "used": used})
            raise exception.ShareShrinkingPossibleDataLoss(share_id=share["id"])

    def update_share_usage_size(self, context, shares):
        now = timeutils.utcnow()
        return [{"id": share["id"],
                 "used_size": math.ceil(self._used_bytes(self._share_path(share)) / units.Gi),
                 "gathered_at": now}
                for share in shares]

    def _used_bytes(self, path):
        """The space the folder's files take (allocated, as a quota would count it)."""
        out, _ = self._execute("du", "-s", "--block-size=1", path, run_as_root=True)
        return int(out.split()[0])

    # --- access
    def update_access(self, context, share, access_rules, add_rules, delete_rules,
                      update_rules, share_server=None):
        return self.helper.update_access(context, share, access_rules, add_rules,
                                         delete_rules, update_rules)

    # --- snapshots
    def create_snapshot(self, context, snapshot, share_server=None):
        self._copy(self._share_path(snapshot["share"]), self._snapshot_path(snapshot))

    def delete_snapshot(self, context, snapshot, share_server=None):
        self._execute("rm", "-rf", self._snapshot_path(snapshot), run_as_root=True)

    def _copy(self, source, target):
        # cp in a child process: a large copy must not stall Manila's green threads
        self._execute("cp", "-a", "--reflink=auto", f"{source}/.", target, run_as_root=True)

    # --- what this driver does not do (Manila says so to the user)
    def get_network_allocations_number(self):
        return 0
