"""JupyterHub for a class on one server: local users, the course's environment, a shared exchange and class folder.

Run it as root from this folder: `jupyterhub -f deploy/jupyterhub/jupyterhub_config.py` (see README.md here).
Every user logs in with their system account (PAM) and gets a Jupyter server of their own, started as that user
from the course's virtualenv, so `course_lib` and nbgrader are installed for everyone. Two shared folders:

- $DEEPFAKE_LAB_SHARED/exchange: nbgrader's exchange (release, fetch, submit, collect);
- $DEEPFAKE_LAB_SHARED/class: COURSE_CLASS_DIR, where lab 01's game also records each session for the room.

Both must exist and be writable by every student (chmod 1777, sticky so nobody removes another's file).
tests/test_jupyterhub.py starts this very file on 127.0.0.1 with a dummy login and a process spawner.
"""
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parents[1]  # the repository: its labs/ are what students open
VENV = Path(os.environ.get("DEEPFAKE_LAB_VENV", COURSE / ".venv"))  # `make lab`'s venv, plus jupyterhub
SHARED = Path(os.environ.get("DEEPFAKE_LAB_SHARED", "/srv/deepfake-lab"))
INSTRUCTORS = set(os.environ.get("DEEPFAKE_LAB_INSTRUCTORS", "").split())

c = get_config()  # noqa: F821 - provided by JupyterHub's config loader

c.JupyterHub.bind_url = os.environ.get("DEEPFAKE_LAB_HUB_URL", "http://:8000")
# Local users: everyone with an account on this machine may log in; instructors are the hub's admins.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allow_all = True
c.Authenticator.admin_users = INSTRUCTORS
c.JupyterHub.spawner_class = "localprocess"

# Each server runs from the course's virtualenv and opens JupyterLab.
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "PATH": os.pathsep.join([str(VENV / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),  # nbgrader needs alembic
    # Many learners share this machine's cores: labs start in FAST mode (each at most about a minute and
    # 1.5 GB); a learner can still run `%env COURSE_FAST=0` before a lab's parameters cell.
    "COURSE_FAST": os.environ.get("COURSE_FAST", "1"),
    "COURSE_CLASS_DIR": str(SHARED / "class"),
    "NBGRADER_EXCHANGE": str(SHARED / "exchange"),
    "JUPYTER_CONFIG_PATH": str(HERE),  # nbgrader_config.py: the course id and the exchange, for everyone
}
# Measured peaks: every lab in FAST mode stays under 1.5 GB; lab 03 in full mode peaks near 2.07 GB.
# Spawners that enforce limits (systemdspawner, Kubernetes) use these; the local spawner only passes them on.
c.Spawner.mem_guarantee = "1.5G"
c.Spawner.mem_limit = "2.5G"
c.Spawner.cpu_limit = 2
c.Spawner.start_timeout = 120  # a cold server imports JupyterLab; on a busy 2-core machine that takes a while
c.Spawner.http_timeout = 120
