"""Horizon-faithful forms in ipywidgets (images, and Launch Instance), each with a Python
API (fill, submit, result).

    from labkit.widgets import CreateImageForm, EditImageForm, DeleteImagesForm, ImageTable
    table = ImageTable(conn)
    form = CreateImageForm(conn, table=table)    # the table refreshes after each submit
    form.fill(name="cirros", file="cirros.qcow2", format="qcow2").submit().ok
    LaunchInstanceForm(conn).fill(name="tiny", image="day3-tiny", flavor="m1.tiny").submit()
"""

from .create_image import CreateImageForm
from .delete_images import DeleteImagesForm
from .edit_image import EditImageForm
from .form import Result
from .image_table import ImageTable
from .launch_instance import LaunchInstanceForm

__all__ = ["CreateImageForm", "EditImageForm", "DeleteImagesForm", "ImageTable", "LaunchInstanceForm",
           "Result"]
