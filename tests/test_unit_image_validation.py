"""Horizon's image-form rules and messages (labkit.image_rules): no cloud needed."""

import pytest

from labkit import image_rules as v

ALL_DISKS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"]
ALL_CONTAINERS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
OFFERED = [key for _, key in v.offered_formats(ALL_DISKS, ALL_CONTAINERS)]


def create_values(**changes):
    """A valid Create Image form (a server file, qcow2), with some fields changed."""
    values = {"name": "cirros", "description": "", "source_type": "file",
              "file": "cirros.qcow2", "upload_size": None, "url": "", "format": "qcow2",
              "architecture": "", "min_disk": "0", "min_ram": "0", "metadata": []}
    values.update(changes)
    return values


def create_errors(**changes):
    return v.validate_create(create_values(**changes), offered=OFFERED)


# --- formats ------------------------------------------------------------------------------
@pytest.mark.parametrize("choice, expected", [
    ("aki", ("aki", "aki")), ("ami", ("ami", "ami")), ("ari", ("ari", "ari")),
    ("docker", ("raw", "docker")), ("vhd", ("vhd", "ovf")), ("ova", ("vmdk", "ova")),
    ("qcow2", ("qcow2", "bare")), ("raw", ("raw", "bare")), ("iso", ("iso", "bare")),
    ("vhdx", ("vhdx", "bare")), ("vmdk", ("vmdk", "bare")), ("vdi", ("vdi", "bare")),
    ("ploop", ("ploop", "bare")),
])
def test_format_choice_maps_to_disk_and_container_as_horizon_does(choice, expected):
    assert v.disk_and_container(choice) == expected


@pytest.mark.parametrize("disk, container, choice", [
    ("raw", "docker", "docker"), ("vmdk", "ova", "ova"), ("vhd", "ovf", "vhd"),
    ("qcow2", "bare", "qcow2"), ("aki", "aki", "aki"),
])
def test_existing_image_formats_map_back_to_the_choice(disk, container, choice):
    assert v.format_choice(disk, container) == choice


def test_all_horizon_choices_offered_on_a_default_glance_in_horizons_order():
    offered = v.offered_formats(ALL_DISKS, ALL_CONTAINERS)
    assert [key for _, key in offered] == list(v.FORMAT_LABELS)
    assert ("QCOW2 - QEMU Emulator", "qcow2") in offered
    assert ("OVA - Open Virtual Appliance", "ova") in offered


def test_choices_are_intersected_with_the_schema_enum():
    offered = [key for _, key in v.offered_formats([None, "raw", "qcow2"], ALL_CONTAINERS)]
    assert offered == ["docker", "qcow2", "raw"]  # docker is raw in a docker container


def test_a_choice_whose_container_the_cloud_lacks_is_not_offered():
    offered = [key for _, key in v.offered_formats(ALL_DISKS, ["bare", "ovf"])]
    assert "docker" not in offered and "ova" not in offered and "ami" not in offered
    assert "vhd" in offered and "qcow2" in offered


def test_the_labels_are_horizons():
    assert v.FORMAT_LABELS["aki"] == "AKI - Amazon Kernel Image"
    assert v.FORMAT_LABELS["ploop"] == "PLOOP - Virtuozzo/Parallels Loopback Disk"
    assert v.FORMAT_LABELS["vhdx"] == "VHDX - Large Virtual Hard Disk"
    assert v.FORMAT_LABELS["raw"] == "Raw"


# --- a valid form, and each rule -----------------------------------------------------------
def test_a_valid_file_form_has_no_errors():
    assert create_errors() == {}


def test_a_valid_url_form_has_no_errors():
    assert create_errors(source_type="url", file="", url="https://example.org/c.img") == {}


@pytest.mark.parametrize("name", ["", "   ", None])
def test_empty_name(name):
    assert create_errors(name=name) == {"name": v.NAME_REQUIRED}
    assert v.NAME_REQUIRED == "An image name less than 256 characters is required."


def test_name_over_255_counting_the_day3_prefix():
    assert create_errors(name="x" * 250) == {}  # 255 with "day3-"
    assert create_errors(name="x" * 251) == {"name": v.NAME_REQUIRED}
    assert create_errors(name="day3-" + "x" * 250) == {}


def test_description_over_255():
    assert create_errors(description="d" * 255) == {}
    assert create_errors(description="d" * 256) == {"description": v.DESCRIPTION_TOO_LONG}


@pytest.mark.parametrize("field, message", [("min_disk", v.MIN_DISK), ("min_ram", v.MIN_RAM)])
@pytest.mark.parametrize("bad", ["-1", -1, "", None, "1.5", 1.5, "ten", "1e3", True, "٣"])
def test_minimums_must_be_whole_numbers_not_below_zero(field, message, bad):
    assert create_errors(**{field: bad}) == {field: message}


@pytest.mark.parametrize("good, number", [("0", 0), (0, 0), ("512", 512), (" 20 ", 20),
                                          (2048, 2048), (4.0, 4)])
def test_whole_number_accepts(good, number):
    assert v.whole_number(good) == number
    assert create_errors(min_ram=good) == {}


def test_minimum_messages_are_horizons():
    assert v.MIN_DISK == ("The minimum disk (GB) is required and must be an integer not "
                          "less than 0.")
    assert v.MIN_RAM == ("The minimum memory (MB) is required and must be an integer not "
                         "less than 0.")


def test_format_required_and_must_be_offered():
    assert create_errors(format="") == {"format": v.FORMAT_REQUIRED}
    assert create_errors(format="bogus") == {"format": "Invalid disk format bogus for image."}
    only_raw = v.validate_create(create_values(format="qcow2"), offered=["raw"])
    assert only_raw == {"format": "Invalid disk format qcow2 for image."}


def test_file_source_needs_a_file():
    assert create_errors(file="") == {"file": "A local file should be selected."}


def test_file_source_takes_a_browser_upload_instead_of_a_path():
    assert create_errors(file="", upload_size=1000) == {}


def test_path_and_upload_together_are_refused():
    assert create_errors(upload_size=1000) == {"file": v.BOTH_FILES}


def test_browser_upload_over_10_mb_is_refused_with_what_to_do():
    assert create_errors(file="", upload_size=v.BROWSER_UPLOAD_LIMIT) == {}
    errors = create_errors(file="", upload_size=v.BROWSER_UPLOAD_LIMIT + 1)
    assert "10 MB" in errors["file"] and "path" in errors["file"] and "URL" in errors["file"]


@pytest.mark.parametrize("url, message", [
    ("", v.URL_REQUIRED), ("   ", v.URL_REQUIRED),
    ("ftp://example.org/c.img", "URL scheme not supported."),
    ("file:///etc/passwd", "URL scheme not supported."),
    ("example.org/c.img", "URL scheme not supported."),
    ("http://", v.URL_INVALID),
    ("https://example.org/" + "a" * 240, v.TOO_LONG % 260),
])
def test_url_rules(url, message):
    assert create_errors(source_type="url", file="", url=url) == {"url": message}


def test_url_max_length_is_255():
    url = "http://example.org/" + "a" * (255 - len("http://example.org/"))
    assert create_errors(source_type="url", file="", url=url) == {}


def test_url_source_when_the_cloud_has_no_web_download():
    errors = v.validate_create(create_values(source_type="url", url="http://x.org/a"),
                               offered=OFFERED, sources=["file"])
    assert errors == {"source_type": v.URL_UNAVAILABLE}


def test_no_source_type_chosen():
    errors = create_errors(source_type=None)
    assert errors == {"source_type": "An image file or an external location must be specified."}


def test_a_cloud_with_no_creation_method():
    errors = v.validate_create(create_values(), offered=OFFERED, sources=[])
    assert errors == {"source_type": v.NO_METHODS}


def test_architecture_over_255():
    assert create_errors(architecture="x86_64") == {}
    assert create_errors(architecture="a" * 256) == {"architecture": v.TOO_LONG % 256}


def test_several_errors_at_once():
    errors = create_errors(name="", min_disk="-3", file="", format="")
    assert set(errors) == {"name", "min_disk", "file", "format"}


# --- metadata ---------------------------------------------------------------------------------
def test_metadata_rows():
    assert v.check_metadata([("os_distro", "cirros"), ("", ""), ("hw_disk_bus", "virtio")]) \
        is None
    assert v.metadata_dict([(" os_distro ", "cirros"), ("", "")]) == {"os_distro": "cirros"}


@pytest.mark.parametrize("rows, message", [
    ([("", "cirros")], v.NO_KEY % 1),
    ([("os_distro", "a"), ("os_distro", "b")], v.DUPLICATE_KEY % "os_distro"),
    ([("k" * 256, "v")], v.KEY_TOO_LONG % ("k" * 256)),
    ([("os_glance_import_task", "x")], v.RESERVED_KEY % "os_glance_import_task"),
    ([("min_ram", "5")], v.NOT_A_PROPERTY % "min_ram"),
    ([("visibility", "public")], v.NOT_A_PROPERTY % "visibility"),
    ([("stores", "fs")], v.NOT_A_PROPERTY % "stores"),
    ([("labkit_lesson", "02")], v.NOT_A_PROPERTY % "labkit_lesson"),
])
def test_metadata_rules(rows, message):
    assert v.check_metadata(rows) == message
    assert create_errors(metadata=rows) == {"metadata": message}


# --- edit -------------------------------------------------------------------------------------
def edit_values(**changes):
    values = {"name": "day3-cirros", "description": "", "format": "qcow2", "min_disk": "0",
              "min_ram": "0", "visibility": "private", "protected": False, "metadata": []}
    values.update(changes)
    return values


def test_edit_format_is_only_checked_while_queued():
    assert v.validate_edit(edit_values(format="bogus"), offered=OFFERED, status="active") == {}
    assert v.validate_edit(edit_values(format="bogus"), offered=OFFERED, status="queued") == \
        {"format": "Invalid disk format bogus for image."}


def test_edit_shares_the_create_rules():
    errors = v.validate_edit(edit_values(name="", min_ram="-1", description="d" * 256),
                             offered=OFFERED, status="active")
    assert errors == {"name": v.NAME_REQUIRED, "min_ram": v.MIN_RAM,
                      "description": v.DESCRIPTION_TOO_LONG}


# --- the fixed texts --------------------------------------------------------------------------
def test_horizons_texts():
    assert v.QUEUED % "day3-cirros" == "Your image day3-cirros has been queued for creation."
    assert v.CONFIRM_DELETE == "Deletion of images is permanent and cannot be reversed."
    assert v.PUBLIC_NOT_ALLOWED == "Non admin users are not allowed to make images public."
    assert v.NO_SOURCE == "An image file or an external location must be specified."
    assert [label for label, _ in v.VISIBILITIES] == ["Private", "Shared", "Community", "Public"]
    assert v.DEFAULT_VISIBILITY == "shared"
    assert v.PROTECTED_CHOICES == [("Yes", True), ("No", False)]
