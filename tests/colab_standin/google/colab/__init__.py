"""Stand-in for Google Colab's `google.colab` package (tests/test_colab.py; see ../../README.md)."""
from . import output  # noqa: F401  (Colab's code does `from google.colab import output`)
