"""Stand-in for `google.colab.output`: records calls to enable_custom_widget_manager (tests/test_colab.py)."""
calls = 0


def enable_custom_widget_manager():
    """On Colab, lets third-party widgets (ipywidgets' own, anywidget's) render; here, counts the calls."""
    global calls
    calls += 1


def disable_custom_widget_manager():
    """The opposite switch, as on Colab."""
