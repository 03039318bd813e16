"""Delete Images: choose images, confirm, delete (Horizon's confirmation and messages).

    form = DeleteImagesForm(conn)
    form.fill(images=["day3-cirros"]).submit()     # asks for confirmation, deletes nothing
    form.confirm()                                  # deletes; result.deleted, result.errors

Deletion is permanent. A protected image is refused (as Horizon refuses it): edit it to
Protected "No" first.
"""

import html
from types import SimpleNamespace

import ipywidgets as w

from .. import image_equivalents as equivalents
from .. import images, show
from .. import image_rules as v
from .form import Form, Result, one_line

SELECT_SOME = "Select at least one image to delete."
PROTECTED = ("%s is protected: set Protected to No (Edit Image) before deleting it; "
             "Glance refuses to delete a protected image.")


class DeleteImagesForm(Form):
    """Horizon's Delete Images action for the images this project owns."""

    fillable = {"images": "_set_images"}

    def __init__(self, conn, images_=None, *, table=None):
        super().__init__()
        self.conn, self.table = conn, table
        self.images_input = w.SelectMultiple(options=[], rows=8, description="Images",
                                             layout=w.Layout(width="560px"))
        self.images_input.add_class("labkit-delete-images-select")
        self.delete_button = w.Button(description="Delete Images", button_style="danger",
                                      icon="trash")
        self.delete_button.add_class("labkit-delete-images")
        self.confirm_text = w.HTML("")
        self.confirm_button = w.Button(description="Delete Images", button_style="danger")
        self.confirm_button.add_class("labkit-delete-confirm")
        self.cancel_button = w.Button(description="Cancel")
        self.cancel_button.add_class("labkit-delete-cancel")
        self.confirmation = w.VBox([self.confirm_text,
                                    w.HBox([self.cancel_button, self.confirm_button])],
                                   layout=w.Layout(display="none", border="1px solid #d9534f",
                                                   padding="6px", max_width="760px"))
        self.confirmation.add_class("labkit-delete-confirmation")
        self.widget = w.VBox([w.HTML("<h3 style='margin:4px 0'>Delete Images</h3>"),
                              self.with_error(self.images_input, "images"), self.delete_button,
                              self.confirmation, self.message, self.equivalent])
        self.widget.add_class("labkit-delete-images-form")
        self.images_input.observe(self._selection_changed, "value")
        self.on_click(self.delete_button, self.submit)
        self.on_click(self.confirm_button, self.confirm)
        self.cancel_button.on_click(lambda _: self.cancel())
        self.load()
        if images_:
            self._set_images(images_)
        self._selection_changed()

    def load(self):
        """List the project's images (what this user may delete) as the choices."""
        chosen = set(self.images_input.value)
        project = self.conn.current_project_id
        found = sorted(self.conn.image.images(owner=project), key=lambda i: i.name or "")
        self._names = {i.id: i.name for i in found}
        self.images_input.options = [
            (f"{i.name} ({i.status}{', protected' if i.is_protected else ''})", i.id)
            for i in found]
        self.images_input.value = tuple(i.id for i in found if i.id in chosen)

    def _set_images(self, names_or_ids):
        if isinstance(names_or_ids, str):
            names_or_ids = [names_or_ids]
        ids = [images.find_image(self.conn, name).id for name in names_or_ids]
        offered = {image_id for _, image_id in self.images_input.options}
        if not set(ids) <= offered:
            self.load()
            offered = {image_id for _, image_id in self.images_input.options}
        foreign = [name for name, image_id in zip(names_or_ids, ids) if image_id not in offered]
        if foreign:
            raise ValueError(v.NOT_ALLOWED_DELETE % ", ".join(map(str, foreign))
                             + " (they belong to another project).")
        self.images_input.value = tuple(ids)

    def selected(self):
        """The selected images, as openstacksdk Image objects (fresh from the cloud)."""
        return [self.conn.image.get_image(image_id) for image_id in self.images_input.value]

    def _selection_changed(self, *_):
        self.cancel()
        chosen = [SimpleNamespace(id=image_id, name=self._names[image_id])
                  for image_id in self.images_input.value]
        self.equivalent.value = show.equivalent_html(*equivalents.delete_lines(chosen))

    def submit(self, confirm=False):
        """Ask for confirmation (nothing is deleted), or with confirm=True delete at once."""
        if not self.images_input.value:
            return self.finish(Result(False, errors={"images": SELECT_SOME},
                                      message=SELECT_SOME))
        if confirm:
            return self.confirm()
        names = ", ".join(image.name for image in self.selected())
        self.confirm_text.value = (f"<h4 style='margin:2px 0'>{v.DELETE_TITLE}</h4>"
                                   f"<p>{html.escape(v.DELETE_SELECTED % names)}</p>"
                                   f"<p><b>{v.CONFIRM_DELETE}</b></p>")
        self.confirmation.layout.display = ""
        return self.finish(Result(False, needs_confirmation=True,
                                  message=f"{v.CONFIRM_DELETE} Confirm to delete {names}."))

    def cancel(self):
        self.confirmation.layout.display = "none"

    def confirm(self):
        """Delete the selected images: protected ones are refused, the others deleted."""
        self.cancel()
        if not self.images_input.value:
            return self.finish(Result(False, errors={"images": SELECT_SOME},
                                      message=SELECT_SOME))
        deleted, errors = [], {}
        for image in self.selected():
            if image.is_protected:
                errors[image.name] = PROTECTED % image.name
                continue
            try:
                images.delete_image(self.conn, image.id)
                deleted.append(image.name)
            except Exception as exc:  # one refusal must not stop the others
                errors[image.name] = one_line(exc)
        self.load()
        if self.table is not None:
            self.table.refresh()
        parts = [v.DELETED % ", ".join(deleted)] if deleted else []
        parts += [v.DELETE_FAILED % "; ".join(m.rstrip(".") for m in errors.values())] \
            if errors else []
        result = Result(not errors, errors=dict(errors), message=" ".join(parts),
                        deleted=deleted)
        if errors:  # the per-image messages have no field line: show them above
            result.errors["images"] = " ".join(errors.values())
        return self.finish(result)
