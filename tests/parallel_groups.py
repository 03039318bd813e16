"""Which tests share cloud state, so that in a parallel run (`make test`: pytest-xdist -n 2)
they run on one worker, one after another (conftest.py's scheduler asks `group`).

A lesson's cleanup removes what carries its mark; lesson 3's takes every marked security
group and key pair of the project, and for a moment lets members make images public (its
policy demo), which lesson 1 and the image tests check they cannot. Every other file is a
group of its own. tests/test_unit_parallel_groups.py reads the test files to check that
whatever shares a mark, or makes what lesson 3 takes, is grouped here.
"""

SHARED_STATE = {
    "lessons-1-and-3": ("01-working-with-images.ipynb", "test_lesson01_notebook.py",
                        "test_images.py", "test_images_exercises.py", "test_servers.py",
                        "test_browser.py", "test_widgets.py", "test_cloud_roundtrips.py",
                        "03-tightening-your-security.ipynb", "test_lesson03_notebook.py",
                        "test_security.py", "test_security_exercises.py",
                        "test_networking.py", "test_concurrent_learners.py",
                        "test_compute.py"),
    "lesson-2": ("02-network-shared-folders.ipynb", "test_lesson02_notebook.py",
                 "test_shares.py", "test_shares_exercises.py", "test_shares_nfs.py"),
    "lesson-4": ("04-working-with-containers.ipynb", "test_containers.py",
                 "test_containers_exercises.py"),
}
GROUP_OF = {file: name for name, files in SHARED_STATE.items() for file in files}


def group(file):
    """The group of a test file or notebook (by its name): its shared group, else itself."""
    return GROUP_OF.get(file, file)

