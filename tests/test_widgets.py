"""The image widgets' Python API against the pocket cloud: create, edit, delete, the table.

Each test drives a form the way a notebook does (fill, submit, read the result) and then
looks at the cloud itself to check what happened, or that nothing was left behind.
"""

import os
import shutil
import time
from datetime import datetime, timezone

import pytest

from labkit import cleanup, formats, images, marks
from labkit.cloud.layout import Layout
from labkit.widgets import CreateImageForm, DeleteImagesForm, EditImageForm, ImageTable
from labkit import image_rules as v
from labkit.widgets.edit_image import raw_image

pytestmark = pytest.mark.cloud
LESSON = "t3"  # the mark these tests put on what they create; cleaned up after each test


@pytest.fixture(autouse=True)
def clean_after(learner):
    yield
    cleanup.cleanup(learner, lesson=LESSON, quiet=True)


@pytest.fixture
def raw_file(tmp_path):
    """A real raw disk image: 2 MiB of zeros with an MBR signature at the end of sector 0."""
    path = tmp_path / "disk.raw"
    data = bytearray(2 * 1024 * 1024)
    data[510:512] = b"\x55\xaa"
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def qcow2_file(tmp_path):
    """A real qcow2 file (labkit.formats writes one without needing qemu-img)."""
    return formats.write_qcow2(tmp_path / "disk.qcow2", size=16 * 1024 * 1024)


def form(conn, **kwargs):
    return CreateImageForm(conn, lesson=LESSON, **kwargs)


def images_named(conn, name):
    return list(conn.image.images(name=name))


def make_image(conn, name, data=b"\0" * 4096, **fields):
    """An image made with the upload engine directly (the forms' input for edit/delete)."""
    return images.create_image(conn, name, data=data, disk_format=fields.pop("disk_format",
                                                                              "raw"),
                               lesson=LESSON, **fields)


def wait_until(predicate, what, limit=60):
    """Poll a condition (a bound, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what} after {limit} s")
        time.sleep(0.2)


# --- Create Image -----------------------------------------------------------------------------
def test_create_from_a_file_on_the_server(learner, day3_name, raw_file):
    f = form(learner)
    result = f.fill(name=day3_name, file=str(raw_file), format="raw", min_ram=64,
                    architecture="x86_64", description="made by a test",
                    metadata={"os_distro": "cirros"}).submit()
    assert result.ok, result.errors
    assert result.message.startswith(v.QUEUED % day3_name)
    image = learner.image.get_image(result.image.id)
    assert (image.name, image.status, image.size) == (day3_name, "active", raw_file.stat().st_size)
    assert (image.disk_format, image.container_format) == ("raw", "bare")
    assert image.min_ram == 64 and image.visibility == "shared" and not image.is_protected
    raw = raw_image(learner, image.id)  # Glance's own field names
    assert raw["os_distro"] == "cirros" and raw["architecture"] == "x86_64"
    assert raw["description"] == "made by a test"
    assert raw[marks.KEY] == LESSON and marks.TAG in raw["tags"]
    assert f.progress.value == 1 and f.progress.bar_style == "success"
    assert "Your image" in f.message.value and f.errors == {}


def test_create_shows_the_equivalent_sdk_call_and_cli_line(learner, day3_name, raw_file):
    f = form(learner).fill(name=day3_name, file=str(raw_file), format="vhd", min_disk=2,
                           visibility="private", protected=True, metadata={"hw_disk_bus": "scsi"})
    html = f.equivalent.value
    assert "conn.image.create_image(name=&#x27;" + day3_name in html
    assert f"openstack image create --file {raw_file}" in html
    for part in ("--disk-format vhd", "--container-format ovf", "--private", "--protected",
                 "--min-disk 2", "--property hw_disk_bus=scsi", f"--property {marks.KEY}={LESSON}"):
        assert part in html
    assert "password" not in html.lower() and "token" not in html.lower()
    f.fill(name="plain-name")
    assert "day3-plain-name" in f.equivalent.value and "day3-plain-name" in f.name_help.value


def test_create_qcow2_with_the_horizon_container_mapping(learner, day3_name, qcow2_file):
    result = form(learner).fill(name=day3_name, file=str(qcow2_file), format="qcow2").submit()
    assert result.ok, result.errors
    assert learner.image.get_image(result.image.id).virtual_size == 16 * 1024 * 1024


def test_create_from_a_url_with_web_download(learner, day3_name, raw_file):
    mirror = Layout.default().state / "mirror"
    served = mirror / f"{day3_name}.raw"
    shutil.copy(raw_file, served)
    try:
        f = form(learner)
        assert "url" in f.sources  # the pocket cloud has web-download
        url = Layout.default().url("mirror", f"/{served.name}")
        f.fill(name=day3_name, url=url, format="raw")
        assert "openstack image import --method web-download" in f.equivalent.value
        result = f.submit()
        assert result.ok, result.errors
        image = learner.image.get_image(result.image.id)
        assert image.status == "active" and image.size == raw_file.stat().st_size
    finally:
        served.unlink()


def test_create_from_browser_bytes(learner, day3_name):
    data = b"\0" * 65536
    f = form(learner).fill(name=day3_name, data=data, format="raw")
    assert f.upload_label.value.endswith("65,536 bytes")
    result = f.submit()
    assert result.ok, result.errors
    assert learner.image.get_image(result.image.id).size == len(data)


def test_format_choices_come_from_the_cloud_schema(learner):
    f = form(learner)
    schema = images.image_schema(learner)
    expected = v.offered_formats(schema["disk_format"]["enum"],
                                 schema["container_format"]["enum"])
    assert list(f.format_input.options) == [(v.SELECT_FORMAT, "")] + expected
    assert f.format_input.value == ""  # Horizon starts on "Select format"
    assert f.visibility_input.value == "shared" and f.protected_input.value is False
    assert [label for label, _ in f.visibility_input.options] == \
        ["Private", "Shared", "Community", "Public"]
    assert f.min_disk_input.value == "0" and f.min_ram_input.value == "0"
    assert f.name_input.description.endswith("*") and "labkit-image-name" in \
        f.name_input._dom_classes


def test_kernel_and_ramdisk_only_for_ami_and_linked(learner, day3_name):
    kernel = make_image(learner, day3_name + "-k", disk_format="aki")
    ramdisk = make_image(learner, day3_name + "-r", disk_format="ari")
    f = form(learner)
    assert f.kernel_panel.layout.display == "none"
    f.fill(name=day3_name, data=b"\0" * 4096, format="ami", kernel=kernel.name,
           ramdisk=ramdisk.id)
    assert f.kernel_panel.layout.display == ""
    result = f.submit()
    assert result.ok, result.errors
    raw = raw_image(learner, result.image.id)
    assert (raw["disk_format"], raw["container_format"]) == ("ami", "ami")
    assert (raw["kernel_id"], raw["ramdisk_id"]) == (kernel.id, ramdisk.id)
    with pytest.raises(ValueError, match="No active kernel image called"):
        f.fill(kernel="day3-no-such-kernel")


# --- Create Image: bad input --------------------------------------------------------------------
def test_validation_errors_are_shown_and_nothing_is_created(learner):
    before = {i.id for i in learner.image.images()}
    f = form(learner)
    result = f.fill(name="", file="", format="", min_disk="-1", min_ram="lots").submit()
    assert not result.ok and result.image is None
    assert result.errors == {"name": v.NAME_REQUIRED, "file": v.FILE_REQUIRED,
                             "format": v.FORMAT_REQUIRED, "min_disk": v.MIN_DISK,
                             "min_ram": v.MIN_RAM}
    assert f.errors == result.errors
    line = f._error_lines["min_disk"]
    assert line.layout.display == "" and "must be an integer not less than 0" in line.value
    assert f._error_lines["description"].layout.display == "none"
    assert {i.id for i in learner.image.images()} == before
    # correcting the fields clears the messages
    f.fill(name="ok", data=b"\0" * 512, format="raw", min_disk=0, min_ram=0)
    assert f.validate() == {} and line.layout.display == "none"


def test_name_over_255(learner):
    result = form(learner).fill(name="x" * 300, data=b"\0", format="raw").submit()
    assert result.errors == {"name": "An image name less than 256 characters is required."}


def test_bytes_that_are_not_the_chosen_format_415(learner, day3_name):
    noise = os.urandom(256 * 1024)
    result = form(learner).fill(name=day3_name, data=noise, format="qcow2").submit()
    assert not result.ok
    assert "415" in result.errors["format"] and "disk format" in result.errors["format"]
    assert result.message.startswith("Unable to create new image")
    assert images_named(learner, day3_name) == []  # nothing half-created


def test_a_file_that_does_not_exist(learner, day3_name, tmp_path):
    missing = tmp_path / "no-such.qcow2"
    result = form(learner).fill(name=day3_name, file=str(missing), format="qcow2").submit()
    assert "does not exist on the Jupyter server" in result.errors["file"]
    assert images_named(learner, day3_name) == []


def test_a_duplicate_name(learner, day3_name):
    make_image(learner, day3_name)
    result = form(learner).fill(name=day3_name, data=b"\0" * 512, format="raw").submit()
    assert "already exists" in result.errors["name"]
    assert len(images_named(learner, day3_name)) == 1


def test_a_url_that_does_not_answer(learner, day3_name):
    url = Layout.default().url("mirror", f"/{day3_name}-missing.img")
    result = form(learner).fill(name=day3_name, url=url, format="raw").submit()
    assert "404" in result.errors["url"]
    assert images_named(learner, day3_name) == []


def test_an_unsupported_url_scheme(learner, day3_name):
    result = form(learner).fill(name=day3_name, url="ftp://example.org/c.img",
                                format="raw").submit()
    assert result.errors == {"url": "URL scheme not supported."}


def test_browser_upload_over_10_mb_is_refused_before_any_upload(learner, day3_name):
    big = b"\0" * (v.BROWSER_UPLOAD_LIMIT + 1)
    result = form(learner).fill(name=day3_name, data=big, format="raw").submit()
    message = result.errors["file"]
    assert "10 MB" in message and "give its path" in message and "URL" in message
    assert images_named(learner, day3_name) == []


def test_public_visibility_is_refused_for_a_member(learner, day3_name):
    result = form(learner).fill(name=day3_name, data=b"\0" * 512, format="raw",
                                visibility="public").submit()
    assert "Non admin users are not allowed to make images public" in result.errors["visibility"]
    assert images_named(learner, day3_name) == []


def test_an_admin_may_make_an_image_public(admin, day3_name):
    result = CreateImageForm(admin, lesson=LESSON).fill(
        name=day3_name, data=b"\0" * 512, format="raw", visibility="public").submit()
    try:
        assert result.ok, result.errors
        assert admin.image.get_image(result.image.id).visibility == "public"
    finally:
        cleanup.cleanup(admin, lesson=LESSON, quiet=True)


def test_fill_rejects_unknown_fields_and_values(learner):
    f = form(learner)
    with pytest.raises(TypeError, match="has no field colour"):
        f.fill(colour="blue")
    with pytest.raises(ValueError, match="visibility must be one of"):
        f.fill(visibility="everyone")
    with pytest.raises(TypeError, match="data must be bytes"):
        f.fill(data="text")


def test_a_bad_metadata_row_is_shown_under_the_metadata_step(learner, day3_name):
    f = form(learner).fill(name=day3_name, data=b"\0", format="raw",
                           metadata={"min_ram": "512"})
    result = f.submit()
    assert result.errors == {"metadata": v.NOT_A_PROPERTY % "min_ram"}
    assert images_named(learner, day3_name) == []


# --- Edit Image ---------------------------------------------------------------------------------
def test_edit_changes_only_what_the_form_changed(learner, day3_name):
    image = make_image(learner, day3_name, properties={"os_distro": "cirros", "keep": "me"})
    f = EditImageForm(learner, image.id)
    assert f.name_input.value == day3_name and f.format_input.disabled  # active: no format
    assert {k for k, _ in f.metadata.rows} == {"os_distro", "keep"}  # not labkit's mark
    assert f.changes() == {}
    new_name = day3_name + "-renamed"
    f.fill(name=new_name, description="edited", min_disk=1, min_ram=128, visibility="private",
           metadata={"os_distro": "ubuntu", "keep": "me", "os_version": "24.04"})
    assert f.changes() == {"name": new_name, "description": "edited", "min_disk": 1,
                           "min_ram": 128, "visibility": "private",
                           "properties": {"os_distro": "ubuntu", "os_version": "24.04"}}
    assert "openstack image set" in f.equivalent.value and "--private" in f.equivalent.value
    result = f.submit()
    assert result.ok, result.errors
    assert result.message == f"Image {new_name} was successfully updated."
    again = raw_image(learner, image.id)
    assert (again["name"], again["min_disk"], again["min_ram"], again["visibility"]) == \
        (new_name, 1, 128, "private")
    assert (again["os_distro"], again["keep"], again["os_version"], again["description"]) == \
        ("ubuntu", "me", "24.04", "edited")
    assert again[marks.KEY] == LESSON  # the mark survives an edit
    # removing a row removes the property
    result = EditImageForm(learner, image.id).fill(metadata={"os_distro": "ubuntu"}).submit()
    assert result.ok, result.errors
    assert "keep" not in raw_image(learner, image.id)


def test_edit_format_only_while_queued(learner, day3_name):
    active = make_image(learner, day3_name)
    with pytest.raises(ValueError, match="only while an image is queued"):
        EditImageForm(learner, active.id).fill(format="qcow2")
    queued = learner.image.create_image(day3_name + "-q", disk_format="raw",
                                        container_format="bare", tags=[marks.TAG],
                                        **marks.properties(LESSON))
    f = EditImageForm(learner, queued.id)
    assert not f.format_input.disabled
    result = f.fill(format="docker").submit()
    assert result.ok, result.errors
    again = learner.image.get_image(queued.id)
    assert (again.disk_format, again.container_format) == ("raw", "docker")


def test_edit_public_is_refused_for_a_member(learner, day3_name):
    image = make_image(learner, day3_name)
    f = EditImageForm(learner, image.id)
    result = f.fill(visibility="public").submit()
    assert "Non admin users are not allowed to make images public" in result.errors["visibility"]
    assert learner.image.get_image(image.id).visibility == "shared"


def test_edit_validation_and_duplicate_name(learner, day3_name):
    image = make_image(learner, day3_name)
    other = make_image(learner, day3_name + "-other")
    f = EditImageForm(learner, image.id)
    assert f.fill(name="", min_ram="-5").submit().errors == {"name": v.NAME_REQUIRED,
                                                             "min_ram": v.MIN_RAM}
    result = f.fill(name=other.name, min_ram=0).submit()
    assert "already exists" in result.errors["name"]
    assert learner.image.get_image(image.id).name == day3_name


def test_edit_an_image_that_does_not_exist(learner):
    with pytest.raises(images.ImageNotFound, match="No image called"):
        EditImageForm(learner, "day3-there-is-no-such-image")


# --- Delete Images ------------------------------------------------------------------------------
def test_delete_asks_for_confirmation_first(learner, day3_name):
    image = make_image(learner, day3_name)
    f = DeleteImagesForm(learner, [day3_name])
    assert f"openstack image delete {day3_name}" in f.equivalent.value
    result = f.submit()
    assert result.needs_confirmation and not result.ok and result.deleted == []
    assert v.CONFIRM_DELETE in result.message
    assert f.confirmation.layout.display == "" and v.CONFIRM_DELETE in f.confirm_text.value
    assert learner.image.get_image(image.id).status == "active"  # nothing deleted yet
    f.cancel()
    assert f.confirmation.layout.display == "none"
    result = f.submit()
    result = f.confirm()
    assert result.ok and result.deleted == [day3_name]
    assert result.message == f"Deleted Images: {day3_name}."
    assert images_named(learner, day3_name) == []


def test_delete_with_confirm_true_and_nothing_selected(learner, day3_name):
    make_image(learner, day3_name)
    f = DeleteImagesForm(learner)
    assert f.submit().errors == {"images": "Select at least one image to delete."}
    assert f.fill(images=day3_name).submit(confirm=True).deleted == [day3_name]
    assert images_named(learner, day3_name) == []


def test_a_protected_image_refuses_deletion_until_unprotected(learner, day3_name):
    image = make_image(learner, day3_name, protected=True)
    plain = make_image(learner, day3_name + "-plain")
    result = DeleteImagesForm(learner, [image.id, plain.id]).submit(confirm=True)
    assert not result.ok and result.deleted == [plain.name]  # the others still go
    assert "is protected" in result.errors[day3_name]
    assert learner.image.get_image(image.id).status == "active"
    assert EditImageForm(learner, image.id).fill(protected=False).submit().ok
    assert DeleteImagesForm(learner, [image.id]).submit(confirm=True).ok
    assert images_named(learner, day3_name) == []


def test_delete_refuses_another_projects_image(learner, partner, day3_name):
    theirs = images.create_image(partner, day3_name, data=b"\0" * 512, disk_format="raw",
                                 visibility="community", lesson=LESSON)
    try:
        with pytest.raises(ValueError, match="You are not allowed to delete images"):
            DeleteImagesForm(learner, [theirs.id])
    finally:
        cleanup.cleanup(partner, lesson=LESSON, quiet=True)


# --- the image table ------------------------------------------------------------------------------
def test_table_lists_images_with_horizons_columns(learner, day3_name):
    image = make_image(learner, day3_name, data=b"\0" * 3072)
    table = ImageTable(learner, only_marked=True)
    row = next(r for r in table.rows if r["id"] == image.id)
    assert row == {"id": image.id, "name": day3_name, "status": "active",
                   "visibility": "shared", "protected": False, "disk_format": "raw",
                   "size": 3072}
    for header in ("Name", "Status", "Visibility", "Protected", "Disk Format", "Size"):
        assert f">{header}</th>" in table.table_html.value
    assert "3.0 KB" in table.table_html.value
    assert not table.auto_refreshing


def test_table_refreshes_itself_while_an_image_is_in_transition(learner, day3_name):
    queued = learner.image.create_image(day3_name, disk_format="raw", container_format="bare",
                                        tags=[marks.TAG], **marks.properties(LESSON))
    table = ImageTable(learner, only_marked=True, interval=0.2)
    try:
        assert day3_name in table.in_transition() and table.auto_refreshing
        assert "Auto-refresh" in table.status_line.value
        learner.image.delete_image(queued)  # the table notices by itself, then stops polling
        wait_until(lambda: not table.auto_refreshing, "the table to stop auto-refreshing")
        assert all(r["name"] != day3_name for r in table.rows)
    finally:
        table.stop()


def test_forms_refresh_a_linked_table(learner, day3_name):
    table = ImageTable(learner, only_marked=True)
    result = form(learner, table=table).fill(name=day3_name, data=b"\0" * 512,
                                             format="raw").submit()
    assert result.ok, result.errors
    assert any(r["name"] == day3_name for r in table.rows)
    DeleteImagesForm(learner, [day3_name], table=table).submit(confirm=True)
    assert all(r["name"] != day3_name for r in table.rows)


# --- the widgets themselves (what a browser would click) ----------------------------------------
def test_buttons_and_browser_upload_drive_the_same_code(learner, day3_name):
    f = form(learner).fill(name=day3_name, format="raw")
    data = b"\0" * 2048
    f.upload_input.value = ({"name": "tiny.raw", "type": "application/octet-stream",
                             "size": len(data), "content": memoryview(data),
                             "last_modified": datetime.now(timezone.utc)},)
    assert f.upload_label.value == "tiny.raw: 2,048 bytes"
    assert "--file tiny.raw" in f.equivalent.value
    f.submit_button.click()
    assert f.result is not None and f.result.ok, f.result and (f.result.errors, f.result.message)
    assert learner.image.get_image(f.result.image.id).size == len(data)
    f.clear_upload_button.click()
    assert f.upload_label.value == "" and f.upload_input.value == ()
    assert f.validate() == {"file": v.FILE_REQUIRED}


def test_metadata_rows_add_and_remove(learner):
    f = form(learner)
    f.metadata.add_button.click()
    key_box, value_box, row = f.metadata._rows[0]
    key_box.value, value_box.value = "os_distro", "cirros"
    assert f.metadata.rows == [("os_distro", "cirros")]
    assert "--property os_distro=cirros" in f.equivalent.value
    row.children[2].click()  # the row's trash button
    assert f.metadata.rows == [] and "os_distro" not in f.equivalent.value


def test_server_file_chooser_fills_the_path(learner, tmp_path):
    (tmp_path / "images").mkdir()
    sample = tmp_path / "images" / "disk.raw"
    sample.write_bytes(b"\0" * 512)
    f = form(learner, start_folder=tmp_path)
    f.browse_button.value = True
    assert f.chooser.widget.layout.display == ""
    listing = f.chooser.listing
    listing.value = dict(listing.options)["images/"]  # open the folder
    assert f.chooser.folder == tmp_path / "images"
    listing.value = dict(listing.options)["disk.raw"]
    assert f.file_input.value == str(sample) and f.source_input.value == "file"
    listing.value = dict(listing.options)["../"]
    assert f.chooser.folder == tmp_path


def test_css_classes_for_browser_tests(learner, day3_name):
    make_image(learner, day3_name)
    create, edit = form(learner), EditImageForm(learner, day3_name)
    delete = DeleteImagesForm(learner)
    for widget, css in [(create.name_input, "labkit-image-name"),
                        (create.file_input, "labkit-image-file"),
                        (create.url_input, "labkit-image-url"),
                        (create.format_input, "labkit-image-format"),
                        (create.upload_input, "labkit-image-upload"),
                        (create.submit_button, "labkit-image-submit"),
                        (edit.name_input, "labkit-image-name"),
                        (edit.submit_button, "labkit-image-submit"),
                        (delete.delete_button, "labkit-delete-images"),
                        (delete.confirm_button, "labkit-delete-confirm")]:
        assert css in widget._dom_classes


# --- Horizon's labels and Glance's metadata definitions ------------------------------------
def test_labels_are_horizons(learner, day3_name):
    """Horizon's create-image.html labels the sharing fields "Visibility" and "Protected"."""
    made = make_image(learner, day3_name)
    for f in (form(learner), EditImageForm(learner, made.id)):
        assert f.visibility_input.description.rstrip(" *") == "Visibility"
        assert f.protected_input.description.rstrip(" *") == "Protected"
        assert [label for label, _ in f.visibility_input.options] == [
            "Private", "Shared", "Community", "Public"]


# These need Glance's metadefs loaded (glance-manage db_load_metadefs), as the pocket cloud
# does; on a cloud without them the catalog is empty and they fail, saying so.
def loaded_catalog(f):
    f.steps.selected_index = 1  # opening the Metadata step reads the catalog
    assert f.catalog.namespaces, "no metadefs loaded: run glance-manage db_load_metadefs"
    return f.catalog


def test_metadata_step_offers_glances_catalog(learner):
    catalog = loaded_catalog(form(learner))
    namespaces = [value for _, value in catalog.namespace_input.options]
    assert "OS::Compute::LibvirtImage" in namespaces
    catalog.namespace_input.value = "OS::Compute::LibvirtImage"
    assert "hw_disk_bus" in [value for _, value in catalog.property_input.options]
    catalog.property_input.value = "hw_disk_bus"
    assert {"virtio", "scsi", "ide"} <= set(catalog.value_choice.options)  # Glance's enum
    assert "Allowed values" in catalog.help.value


def test_a_catalog_choice_becomes_a_property_of_the_new_image(learner, day3_name, raw_file):
    f = form(learner)
    loaded_catalog(f).choose("OS::Compute::LibvirtImage", "hw_disk_bus", "virtio")
    assert ("hw_disk_bus", "virtio") in f.metadata.rows  # a free row, still editable
    result = f.fill(name=day3_name, file=str(raw_file), format="raw").submit()
    assert result.ok, result.message
    assert raw_image(learner, result.image.id)["hw_disk_bus"] == "virtio"


def test_a_value_outside_the_definition_is_refused(learner):
    catalog = loaded_catalog(form(learner))
    with pytest.raises(ValueError, match="not an allowed value of hw_disk_bus"):
        catalog.choose("OS::Compute::LibvirtImage", "hw_disk_bus", "floppy")
    with pytest.raises(ValueError, match="No metadata namespace"):
        catalog.choose("OS::Nothing::Here", "x", "y")


def test_the_edit_form_replaces_a_row_from_the_catalog(learner, day3_name):
    made = make_image(learner, day3_name, properties={"hw_disk_bus": "ide"})
    f = EditImageForm(learner, made.id)
    loaded_catalog(f).choose("OS::Compute::LibvirtImage", "hw_disk_bus", "scsi")
    assert [row for row in f.metadata.rows if row[0] == "hw_disk_bus"] == [("hw_disk_bus", "scsi")]
    assert f.submit().ok
    assert raw_image(learner, made.id)["hw_disk_bus"] == "scsi"
