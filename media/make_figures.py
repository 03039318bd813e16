"""Make the figures lesson 1 shows (run from the repository root):

    .venv/bin/python media/make_figures.py

- media/image-status-lifecycle.png: Glance image statuses, upload and import paths;
- media/image-format-sizes.png: virtual size vs bytes on disk of labkit's format samples.
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from labkit import formats  # noqa: E402

# status -> (x, y, colour)
STATUSES = {
    "queued": (0, 1, "#e8f0fe"), "saving": (2, 2, "#fef7e0"), "uploading": (2, 0, "#fef7e0"),
    "importing": (4, 0, "#fef7e0"), "active": (6, 1, "#e6f4ea"),
    "deactivated": (8, 2, "#f1f3f4"), "killed": (4.2, 2.6, "#fdecea"),
    "deleted /\npending_delete": (8, 0, "#f1f3f4"),
}
ARROWS = [  # from, to, label, where the label goes, bend of the arrow
    ("queued", "saving", "PUT /file", (0.75, 1.85), -0.2),
    ("saving", "active", "stored", (4.2, 1.75), 0),
    ("queued", "uploading", "PUT /stage", (0.7, 0.3), 0),
    ("uploading", "importing", "POST /import", (3, 0.12), 0),
    ("importing", "active", "done", (5.3, 0.45), 0),
    ("active", "deactivated", "deactivate", (7.4, 1.3), 0.25),
    ("deactivated", "active", "reactivate", (6.9, 2.05), 0.25),
    ("active", "deleted /\npending_delete", "DELETE", (7.4, 0.55), 0),
    ("saving", "killed", "store error", (3.0, 2.55), 0),
    ("saving", "queued", "failed upload (v2)", (0.0, 2.0), -0.3),
    ("importing", "queued", "failed import", (2.4, 1.05), 0.3),
]


def lifecycle(path):
    fig, ax = plt.subplots(figsize=(11, 4.2))
    for name, (x, y, colour) in STATUSES.items():
        ax.add_patch(FancyBboxPatch((x - 0.75, y - 0.28), 1.5, 0.56,
                                    boxstyle="round,pad=0.05", fc=colour, ec="#555"))
        ax.text(x, y, name, ha="center", va="center", fontsize=10)
    for start, end, label, (lx, ly), bend in ARROWS:
        (x1, y1, _), (x2, y2, _) = STATUSES[start], STATUSES[end]
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1),
                    arrowprops=dict(arrowstyle="->", color="#333", shrinkA=24, shrinkB=24,
                                    connectionstyle=f"arc3,rad={bend}"))
        ax.text(lx, ly, label, ha="center", fontsize=8, color="#1a4d8f")
    ax.text(-0.9, 3.0, "upload: queued → saving → active\nimport: queued → uploading → "
            "importing → active\n(web-download skips uploading)", fontsize=9, va="top")
    ax.set_xlim(-1, 9)
    ax.set_ylim(-0.6, 3.1)
    ax.axis("off")
    ax.set_title("Glance image statuses (API v2)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_sizes(path):
    """Virtual size vs bytes on disk of the same 64 MiB disk (2 MiB written) in each format.

    ISO has no bar: an ISO 9660 file is not a disk image of the 64 MiB disk but read-only
    media exactly as large as the files it holds (the sample: one small README), so there
    is no virtual disk to compare; the figure says so under the axis."""
    with tempfile.TemporaryDirectory() as folder:
        samples = formats.make_samples(folder)
        rows = [formats.detect_format(samples[f]) for f in
                ("raw", "qcow2", "vmdk", "vdi", "vhd", "vhdx") if f in samples.made]
        fig, ax = plt.subplots(figsize=(9, 4.2))
        names = [f"{r.format}\n({r.name})" for r in rows]
        xs = range(len(rows))
        ax.bar([x - 0.2 for x in xs], [r.virtual_size / formats.MiB for r in rows], 0.4,
               label="virtual size (the guest's disk)", color="#8ab4f8")
        ax.bar([x + 0.2 for x in xs], [r.disk_usage / formats.MiB for r in rows], 0.4,
               label="bytes on disk", color="#f6ae2d")
        for x, row in zip(xs, rows):  # the small bars get their number written above them
            ax.text(x + 0.2, row.disk_usage / formats.MiB + 1, f"{row.disk_usage / formats.MiB:.1f}",
                    ha="center", fontsize=7)
        ax.set_xticks(list(xs), names, fontsize=8)
        ax.set_ylabel("MiB")
        ax.set_title("The same 64 MiB disk holding 2 MiB of data, in each format", pad=28)
        # the legend sits above the plot, never on the bars
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False,
                  fontsize=8)
        fig.text(0.01, 0.01, "No ISO bar: an ISO 9660 file is read-only media as large as the "
                 "files it holds, not an image of this disk.", fontsize=7, color="#555")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        fig.savefig(path, dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    lifecycle(HERE / "image-status-lifecycle.png")
    format_sizes(HERE / "image-format-sizes.png")
    print("wrote", HERE / "image-status-lifecycle.png", "and", HERE / "image-format-sizes.png")
