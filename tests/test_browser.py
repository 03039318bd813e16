"""Lesson 1's image forms in a real browser: JupyterLab + Chromium, driven by Playwright.

A learner's path: open lesson 1, run the cells up to the Create Image form, try to create an
image with no name (Horizon's message appears), fill the form (name, format, a file on the
server, visibility, protected), submit, and watch the image reach `active` in the live image
table; then, in cells typed into the notebook, edit it (unprotect) and delete it through the
Delete Images confirmation.

Screenshots of each form are taken on every run; `python media/make_screenshots.py` runs this
test with LABKIT_SCREENSHOTS=media so the lesson and README show real captures.
Needs Chromium (Debian package `chromium`; .ci/run installs it) and the `playwright` Python
package (no browser download: it drives /usr/bin/chromium).
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from labkit import images_metadefs
from labkit.cloud.process import free_ports

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LABKIT_CHROMIUM", "/usr/bin/chromium")
# headless as root in a container: no sandbox, no GPU, and no background traffic (no internet)
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
IMAGE = "day3-browser-cirros"

pytestmark = pytest.mark.cloud


@pytest.fixture(scope="module")
def chromium():
    """Chromium's path. Outside CI a machine without it skips this test, saying how to add
    it; in CI (CI=true) its absence is a failure, so the forms are always tested there."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    advice = (f"Chromium not found at {CHROMIUM}: install it (Debian/Ubuntu: "
              f"`sudo apt-get install chromium`) or set LABKIT_CHROMIUM to its path")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(advice)
    pytest.skip(advice)


@pytest.fixture(scope="module")
def lab(chromium, pocket, tmp_path_factory):
    """JupyterLab on loopback, serving a copy of notebooks/ (the browser's edits stay there)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "media", root / "media")
    port, token = free_ports()[0], secrets.token_hex(16)
    # no "news" opt-in pop-up (it would cover the forms in the screenshots; no internet)
    config = root / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}')
    log = open(root / "jupyter.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip", "127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(config)})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: see {root / 'jupyter.log'}")
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"JupyterLab did not answer within 90 s: see {root / 'jupyter.log'}")
    yield {"base": base, "token": token, "root": root}
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def page(lab, chromium):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        # tall enough for the whole Create Image form: a screenshot shows only what is in view
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        yield tab
        browser.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = Path(os.environ.get("LABKIT_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def sample_qcow2(tmp_path_factory):
    from labkit import formats

    return formats.make_samples(tmp_path_factory.mktemp("samples"))["qcow2"]


# --- driving JupyterLab ---------------------------------------------------------------

def run_js(page, body):
    """Run JavaScript with `app` (JupyterLab) and `panel` (the open notebook) in scope."""
    return page.evaluate(
        "async () => { const app = window.jupyterapp;"
        " const panel = app.shell.currentWidget; " + body + " }")


def wait_idle(page, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = run_js(page, "return panel.sessionContext.session?.kernel?.status;")
        busy = run_js(page, "return panel.content.widgets.some("
                            "c => c.model.type === 'code' && c.promptNode?.textContent === '[*]:');")
        if status == "idle" and not busy:
            return
        time.sleep(0.5)
    pytest.fail("the notebook's kernel stayed busy")


def run_through(page, source_fragment):
    """Select the first cell containing source_fragment; run every cell above it, then it."""
    index = run_js(page, f"""
        const i = panel.content.widgets.findIndex(
            c => c.model.sharedModel.getSource().includes({source_fragment!r}));
        panel.content.activeCellIndex = i; return i;""")
    assert index >= 0, f"lesson 1 has no cell containing {source_fragment!r}"
    run_js(page, "await app.commands.execute('notebook:run-all-above');")
    wait_idle(page)
    page.keyboard.press("Shift+Enter")
    wait_idle(page)
    failed = run_js(page, """
        return panel.content.widgets.map((c, i) => [i, c.model.type === 'code'
            ? c.model.sharedModel.toJSON().outputs || [] : []])
          .flatMap(([i, outs]) => outs.filter(o => o.output_type === 'error')
                                      .map(o => `cell ${i}: ${o.ename}: ${o.evalue}`));""")
    assert not failed, f"cells of lesson 1 failed in JupyterLab: {failed}"
    return index


def add_cell(page, code):
    """Add a code cell below the active one, with code in it, and run it (as a learner who
    types a cell would; done through JupyterLab's own commands so focus cannot misroute)."""
    run_js(page, "await app.commands.execute('notebook:insert-cell-below');"
                 f" panel.content.activeCell.model.sharedModel.setSource({code!r});"
                 " await app.commands.execute('notebook:run-cell');")
    wait_idle(page)


def image_row(page, name):
    return page.locator(".labkit-image-table tr", has_text=name).first


# --- the test ---------------------------------------------------------------------------

def test_create_edit_delete_an_image_in_the_browser(lab, page, screenshots, sample_qcow2,
                                                     learner):
    # served as `labkit lab` serves it: the folder above notebooks/, so ../media/ resolves
    page.goto(f"{lab['base']}/lab/tree/notebooks/01-working-with-images.ipynb"
              f"?token={lab['token']}")
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           "?.session?.kernel?.status === 'idle'", timeout=120_000)
    run_through(page, "display(table)")
    # the lesson's pictures (../media/) load, as they do for a learner in `labkit lab`
    pictures = run_js(page, """
        return [...document.querySelectorAll('.jp-RenderedMarkdown img')]
          .map(i => [i.getAttribute('src').split('?')[0], i.complete && i.naturalWidth > 0]);""")
    broken = [src for src, loaded in pictures if not loaded]
    assert pictures and not broken, f"pictures that do not load in JupyterLab: {broken}"
    form = page.locator(".labkit-create-image").first
    form.scroll_into_view_if_needed()

    # 1. Horizon's message for an empty name, shown in the form
    form.locator(".labkit-image-name input").fill("")
    form.locator(".labkit-image-submit button, button.labkit-image-submit").first.click()
    error = form.locator(".labkit-error-name")
    error.wait_for(state="visible")
    assert "name" in error.inner_text().lower()
    form.screenshot(path=screenshots / "create-image-validation.png")

    # 2. fill it as a learner: name, file on the server, format, visibility, protected
    form.locator(".labkit-image-name input").fill(IMAGE)
    error.wait_for(state="hidden", timeout=15_000)  # the error goes once the field is corrected
    form.locator(".labkit-image-file input").fill(str(sample_qcow2))
    form.locator(".labkit-image-format select").select_option(label="QCOW2 - QEMU Emulator")
    form.locator(".labkit-image-visibility button", has_text="Private").click()
    form.locator(".labkit-image-protected button", has_text="Yes").click()
    form.screenshot(path=screenshots / "create-image-form.png")

    # 2b. the Metadata step offers Glance's catalog (namespace, property, allowed values)
    libvirt = next(ns for ns in images_metadefs.image_catalog(learner)
                   if ns.namespace == "OS::Compute::LibvirtImage")
    disk_bus = next(d for d in libvirt.properties if d.name == "hw_disk_bus")
    form.locator(".lm-TabBar-tab", has_text="Metadata").first.click()
    form.locator(".labkit-metadata-catalog-note", has_text="from Glance's catalog").wait_for()
    form.locator(".labkit-metadata-namespace select").select_option(label=libvirt.label)
    form.locator(".labkit-metadata-property select").select_option(
        label=f"{disk_bus.title} ({disk_bus.name})")
    form.locator(".labkit-metadata-catalog-add").first.wait_for()
    form.screenshot(path=screenshots / "create-image-metadata.png")
    form.locator(".lm-TabBar-tab", has_text="Image Details").first.click()
    form.locator(".labkit-image-submit button, button.labkit-image-submit").first.click()

    # 3. the live table shows it active
    row = image_row(page, IMAGE)
    row.wait_for(state="visible", timeout=120_000)
    page.wait_for_function(
        f"[...document.querySelectorAll('.labkit-image-table tr')].some("
        f"r => r.textContent.includes({IMAGE!r}) && r.textContent.includes('active'))",
        timeout=120_000)
    page.locator(".labkit-image-table").first.screenshot(path=screenshots / "image-table.png")
    image = learner.image.find_image(IMAGE)
    assert image.status == "active" and image.visibility == "private" and image.is_protected

    # 4. edit it: unprotect, through the Edit Image form in a cell the learner types
    add_cell(page, f'edit_browser = EditImageForm(conn, "{IMAGE}", table=table)\n'
                        "edit_browser")
    edit = page.locator(".labkit-edit-image").last
    edit.scroll_into_view_if_needed()
    edit.locator(".labkit-image-protected button", has_text="No").click()
    edit.locator(".labkit-image-description input, .labkit-image-description textarea"
                 ).first.fill("edited in the browser")
    edit.screenshot(path=screenshots / "edit-image-form.png")
    edit.locator(".labkit-image-submit button, button.labkit-image-submit").first.click()
    deadline = time.monotonic() + 60
    while learner.image.find_image(IMAGE).is_protected and time.monotonic() < deadline:
        time.sleep(0.5)
    edited = learner.image.get(f"/images/{image.id}").json()  # Glance's own record
    assert edited["protected"] is False and edited["description"] == "edited in the browser"

    # 5. delete it through the confirmation
    add_cell(page, "delete_browser = DeleteImagesForm(conn, table=table)\ndelete_browser")
    delete = page.locator(".labkit-delete-images-form").last
    delete.scroll_into_view_if_needed()
    delete.locator(".labkit-delete-images-select select").select_option(label=f"{IMAGE} (active)")
    delete.locator(".labkit-delete-images button, button.labkit-delete-images").first.click()
    confirmation = delete.locator(".labkit-delete-confirmation")
    confirmation.wait_for(state="visible")
    assert "permanent and cannot be reversed" in confirmation.inner_text()
    delete.screenshot(path=screenshots / "delete-images-confirm.png")
    assert learner.image.find_image(IMAGE) is not None  # asked, not yet deleted
    delete.locator(".labkit-delete-confirm button, button.labkit-delete-confirm").first.click()
    deadline = time.monotonic() + 60
    while learner.image.find_image(IMAGE) is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert learner.image.find_image(IMAGE) is None
    for name in ("create-image-validation", "create-image-form", "create-image-metadata",
                 "image-table",
                 "edit-image-form", "delete-images-confirm"):
        shot = screenshots / f"{name}.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
