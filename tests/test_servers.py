"""labkit.servers and lesson 1's boot exercise against the pocket cloud's real Nova: bad input
gets a clear message (no server is left behind), a server that ends in ERROR shows Nova's fault,
cleanup removes servers first, and the exercise's check passes the notebook's solution only.

Boots cost CPU (TCG: ~10 s each), so these tests boot as little as they can: most cases are
refused by the API or end in the scheduler, before any virtual machine exists. The lessons'
boot cells run under nbval and tests/test_lesson01_notebook.py.
"""

from pathlib import Path

import pytest

import solutions
from labkit import cleanup, images, marks, servers
from labkit.exercises.images import BootTheTiny

pytestmark = pytest.mark.cloud
LESSON1 = Path(__file__).resolve().parents[1] / "notebooks" / "01-working-with-images.ipynb"


@pytest.fixture
def tiny_image(compute, tiny, learner, day3_name):
    """The tiny image uploaded to Glance as the learner (lesson 01's marks)."""
    image = images.create_image(learner, day3_name, filename=tiny.qcow2, disk_format="qcow2")
    yield image
    for server in servers.lesson_servers(learner, "01"):
        if server.name.startswith(day3_name) or server.name == BootTheTiny.name:
            servers.delete(learner, server)
    learner.image.delete_image(image.id, ignore_missing=True)


def _no_server_named(conn, name):
    return not list(conn.compute.servers(name=f"^{name}$"))


def test_bad_input_is_refused_with_a_message_and_leaves_no_server(tiny_image, learner,
                                                                   day3_name):
    with pytest.raises(servers.UnknownFlavor, match=r"No flavor called 'm9.huge'.*m1.tiny"):
        servers.launch(learner, day3_name, image=tiny_image.id, flavor="m9.huge")
    with pytest.raises(servers.ImageNotBootable, match="No image called 'day3-nowhere'"):
        servers.launch(learner, day3_name, image="day3-nowhere")

    queued = learner.image.create_image(marks.name(f"{day3_name}-queued"), disk_format="raw",
                                        container_format="bare", tags=[marks.TAG],
                                        **marks.properties("01"))
    try:
        with pytest.raises(servers.ImageNotBootable, match="is queued, not active.*upload"):
            servers.launch(learner, day3_name, image=queued.id)
    finally:
        learner.image.delete_image(queued)

    # the image's minimums against m1.tiny (1 GB disk, 512 MB RAM): Nova's API says no
    images.update_image(learner, tiny_image.id, min_disk=5)
    with pytest.raises(servers.Refused, match="400 Flavor's disk is smaller than the minimum"):
        servers.launch(learner, day3_name, image=tiny_image.id, flavor="m1.tiny")
    images.update_image(learner, tiny_image.id, min_disk=0, min_ram=1024)
    with pytest.raises(servers.Refused, match="400 Flavor's memory is too small"):
        servers.launch(learner, day3_name, image=tiny_image.id, flavor="m1.tiny")
    assert _no_server_named(learner, day3_name)


def test_an_architecture_no_host_offers_ends_in_error_with_the_schedulers_fault(
        tiny_image, learner, day3_name):
    images.update_image(learner, tiny_image.id, properties={"hw_architecture": "aarch64"})
    with pytest.raises(servers.ServerFailed) as failed:
        servers.launch(learner, day3_name, image=tiny_image.id, progress=False)
    assert "No valid host was found" in failed.value.fault
    assert "ended in ERROR" in str(failed.value)
    assert failed.value._render_traceback_() == [f"ServerFailed: {failed.value}"]
    verdict = servers.scheduler_verdict(learner, failed.value.server)
    assert "ImagePropertiesFilter: (start: 1, end: 0)" in verdict, verdict

    # cleanup removes the lesson's servers first, and waits until Nova lists them no more
    report = cleanup.cleanup(learner, lesson="01", quiet=True)
    kinds = [entry.kind for entry in report]
    assert kinds[0] == "server" and {"server", "image"} <= set(kinds), kinds
    assert all(entry.done for entry in report), report
    assert _no_server_named(learner, day3_name)


def test_boot_exercise_passes_the_notebooks_solution_only(tiny_image, learner, tmp_path):
    # the exercise boots from day3-tiny: the fixture's image under that name
    images.update_image(learner, tiny_image.id, name=BootTheTiny.image)
    assert BootTheTiny(learner).check().kind == "Not attempted"
    assert solutions.missing_from_notebook(LESSON1, (BootTheTiny,)) == []

    # the likely mistake: no config drive, so the tiny image never sees its user data
    wrong = learner.compute.create_server(
        name=BootTheTiny.name, image_id=tiny_image.id, networks="none",
        flavor_id=learner.compute.find_flavor("m1.tiny").id, metadata=marks.properties("01"))
    outcome = BootTheTiny(learner).check()
    assert outcome.kind == "Not yet" and "no config drive" in outcome.message
    servers.delete(learner, wrong)

    solutions.solve(BootTheTiny(learner), {"work": tmp_path})


def test_launch_instance_form_checks_as_horizon_before_sending(tiny_image, learner, day3_name):
    from labkit.widgets import LaunchInstanceForm

    empty = LaunchInstanceForm(learner).submit()
    assert not empty.ok and set(empty.errors) == {"name", "image", "flavor"}
    images.update_image(learner, tiny_image.id, min_ram=1024)
    form = LaunchInstanceForm(learner)  # reads the images and flavors when it is made
    small = form.fill(name=day3_name, image=tiny_image.name, flavor="m1.tiny").submit()
    assert not small.ok
    assert small.errors == {"flavor": "m1.tiny has 512 MB RAM; the image needs 1024 MB."}
    assert _no_server_named(learner, day3_name)  # nothing was sent
