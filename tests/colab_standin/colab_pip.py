"""A `%pip` magic for the Colab stand-in kernel: the setup cell's GitHub install, served from a local copy.

COLAB_STANDIN_URL names the one requirement the setup cell may ask for (`course_lib @ git+https://github.com/
<repository>@<ref>`) and COLAB_STANDIN_SOURCE the folder that stands in for that ref. Anything else fails, so
a setup cell that asks for something new is noticed. pip runs for real, with --no-index (the machine is
offline) and --no-build-isolation (the environment has setuptools).
"""
import os
import shlex
import subprocess
import sys


def pip(line: str) -> None:
    """%pip install ... as Colab runs it, with the course's GitHub URL mapped to the local source."""
    url, source = os.environ["COLAB_STANDIN_URL"], os.environ["COLAB_STANDIN_SOURCE"]
    args = shlex.split(line)
    wanted = [a for a in args if not a.startswith("-")]
    if args[:1] != ["install"] or wanted != ["install", url]:
        raise RuntimeError(f"the Colab stand-in serves only `%pip install {url!r}`, but the cell ran `%pip {line}`")
    args = [f"course_lib @ file://{source}" if a == url else a for a in args]
    done = subprocess.run([sys.executable, "-m", "pip", *args, "--no-index", "--no-build-isolation"],
                          capture_output=True, text=True)
    print(done.stdout, end="")
    if done.returncode != 0:
        raise RuntimeError(f"pip failed installing the course from {source}:\n{done.stderr[-3000:]}")
    print("[colab stand-in] installed", url, "from", source)


def register() -> None:
    """Replace IPython's %pip in this kernel."""
    from IPython import get_ipython

    get_ipython().register_magic_function(pip, "line", "pip")
