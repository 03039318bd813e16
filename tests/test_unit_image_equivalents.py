"""The SDK call and CLI line shown for an image create, update and delete (no cloud)."""

import shlex
from types import SimpleNamespace

from labkit import marks, show
from labkit.image_equivalents import (NOTHING_TO_CHANGE, SELECT_IMAGES, create_lines,
                                      delete_lines, update_lines)

MARK = f"--property {marks.KEY}=01"


def create(name="cirros", **overrides):
    arguments = dict(source="file", location="cirros.qcow2", disk_format="qcow2",
                     container_format="bare")
    return create_lines(name, **{**arguments, **overrides})


def test_create_from_a_file_is_one_command_with_the_marks():
    sdk, cli = create()
    assert cli == ("openstack image create --file cirros.qcow2 --disk-format qcow2 "
                   f"--container-format bare --tag {marks.TAG} {MARK} day3-cirros")
    assert sdk == ("conn.image.create_image(name='day3-cirros', filename='cirros.qcow2', "
                   "disk_format='qcow2', container_format='bare', "
                   f"tags=[{marks.TAG!r}], {marks.KEY}='01')")


def test_create_from_a_url_is_create_then_import_with_web_download():
    url = "http://127.0.0.1:8000/cirros.qcow2"
    sdk, cli = create(source="url", location=url)
    first, second = cli.split(" && ")
    assert first.startswith("openstack image create --disk-format qcow2")
    assert "--import" not in first and "--uri" not in first and "--file" not in first
    assert first.endswith(" day3-cirros")
    assert second == f"openstack image import --method web-download --uri {url} day3-cirros"
    assert sdk.endswith(f"import_method='web-download', uri={url!r})")


def test_a_name_with_spaces_is_one_quoted_shell_word_everywhere():
    _, cli = create("my image", source="url", location="http://h/x.img")
    assert cli.count("'day3-my image'") == 2
    assert shlex.split(cli.split(" && ")[1])[-1] == "day3-my image"
    _, cli = update_lines("id-1", {"name": "day3-new name"})
    assert cli == "openstack image set --name 'day3-new name' id-1"
    _, cli = delete_lines([SimpleNamespace(id="id-1", name="day3-my image")])
    assert shlex.split(cli) == ["openstack", "image", "delete", "day3-my image"]


def test_create_leaves_defaults_out_and_shows_what_differs():
    sdk, cli = create()
    for default in ("--unprotected", "--min-disk", "--min-ram", "--private", "is_protected"):
        assert default not in cli + sdk
    sdk, cli = create(visibility="private", protected=True, min_disk=2, min_ram=512,
                      properties={"hw_disk_bus": "scsi", "hw:cpu_policy": "dedicated"})
    for part in ("--private", "--protected", "--min-disk 2", "--min-ram 512",
                 "--property hw_disk_bus=scsi", "--property hw:cpu_policy=dedicated"):
        assert part in cli
    assert "is_protected=True" in sdk and "min_disk=2" in sdk
    assert "**{'hw:cpu_policy': 'dedicated'}" in sdk  # no Python name: passed as a dict


def test_create_from_uploaded_bytes_names_the_file_but_not_the_bytes():
    sdk, cli = create(source="data", location="tiny.raw")
    assert "data=<the uploaded bytes>" in sdk and "--file tiny.raw" in cli
    sdk, cli = create(source="data", location=None)
    assert "--file '<the uploaded file>'" in cli


def test_update_protected_and_unprotected():
    sdk, cli = update_lines("id-1", {"protected": True})
    assert (sdk, cli) == ("conn.image.update_image('id-1', is_protected=True)",
                          "openstack image set --protected id-1")
    sdk, cli = update_lines("id-1", {"protected": False, "visibility": "shared"})
    assert cli == "openstack image set --unprotected --shared id-1"
    assert sdk == "conn.image.update_image('id-1', is_protected=False, visibility='shared')"


def test_removing_a_property_is_image_unset():
    sdk, cli = update_lines("id-1", {"min_ram": 256,
                                     "properties": {"os_distro": None, "hw_rng": "yes"}})
    assert cli == ("openstack image set --min-ram 256 --property hw_rng=yes id-1 && "
                   "openstack image unset --property os_distro id-1")
    assert sdk.startswith("conn.image.update_image('id-1', min_ram=256, hw_rng='yes'); ")
    assert "remove os_distro with a JSON-patch" in sdk
    sdk, cli = update_lines("id-1", {"os_distro": None})  # labkit.images' flat form
    assert cli == "openstack image unset --property os_distro id-1"
    assert sdk.startswith("remove os_distro")


def test_new_tags_are_set_and_dropped_tags_unset():
    _, cli = update_lines("id-1", {"tags": ["new", marks.TAG]}, current_tags=["old", marks.TAG])
    assert cli == "openstack image set --tag new id-1 && openstack image unset --tag old id-1"


def test_no_change_and_no_selection_say_so():
    assert update_lines("id-1", {}) == (NOTHING_TO_CHANGE, NOTHING_TO_CHANGE)
    assert delete_lines([]) == (SELECT_IMAGES, SELECT_IMAGES)


def test_delete_several_images():
    chosen = [SimpleNamespace(id="a1", name="day3-a"), SimpleNamespace(id="b2", name="day3-b")]
    sdk, cli = delete_lines(chosen)
    assert sdk == "conn.image.delete_image('a1'); conn.image.delete_image('b2')"
    assert cli == "openstack image delete day3-a day3-b"


def test_equivalent_html_escapes_the_lines():
    html = show.equivalent_html("f('<x>')", "openstack image delete 'a&b'")
    assert "f(&#x27;&lt;x&gt;&#x27;)" in html and "a&amp;b" in html
    assert html.count("<code>") == 2
    assert show.equivalent_html(cli="openstack image list").count("<code>") == 1
