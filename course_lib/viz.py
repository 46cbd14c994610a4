"""Plots and code display for the labs.

``show_source`` is how a lab shows the library code it teaches (a model, a training loop) without keeping a
second copy of it in the notebook: one source of truth, visible where it is taught.
"""
from __future__ import annotations

import inspect


def source(obj) -> str:
    """The source code of a library function, class or method, as text (lab 02 onwards)."""
    try:
        return inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise ValueError(f"cannot show the source of {obj!r}: {exc}") from None


def show_source(*objs):
    """Display the source of library functions or classes, syntax-highlighted, in the notebook (lab 02 onwards)."""
    from IPython.display import Code, display

    for obj in objs:
        display(Code(source(obj), language="python"))


def live_slot():
    """A display slot that a training loop can overwrite with ``slot.update(...)`` (lab 03)."""
    from IPython.display import display

    return display(display_id=True)


def show_image_in(slot, img, scale: int = 2):
    """Put an image (H×W×3 in [0, 1]) into a display slot from ``live_slot`` (lab 03)."""
    from IPython.display import Image

    from .media import png_bytes

    slot.update(Image(png_bytes(img, scale=scale)))
