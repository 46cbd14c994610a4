"""nbgrader settings every user of a shared course server reads: the course id and the shared exchange.

Install it where Jupyter finds it for everyone (/etc/jupyter/nbgrader_config.py), or point JUPYTER_CONFIG_PATH
at this folder, as jupyterhub_config.py here does. Instructors also run nbgrader from the course folder (a
copy of the repository), whose own nbgrader_config.py adds the course's folders and stubs.
NBGRADER_EXCHANGE names the shared exchange folder; it must exist and be writable by every user
(chmod 1777, as nbgrader's exchange documentation says).
"""
import os

c = get_config()  # noqa: F821 - provided by Jupyter's config loader
c.CourseDirectory.course_id = "deepfake-lab"
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
