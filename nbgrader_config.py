"""nbgrader settings for instructors running nbgrader from the repository root.

The settings live in course_lib/authoring.py (configure_nbgrader), which `make labs` also uses:
source notebooks in solutions/, student versions in labs/, the course's code stub, a 300 s cell timeout
(nbgrader's default is 30 s) and no clutter (outputs/, checkpoints, caches) in a release.

To regenerate labs/, prefer `make labs`: it works in a throw-away course folder and leaves no gradebook.db.
nbgrader runs the `alembic` executable, so put the virtualenv's bin first on PATH (make does this).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from course_lib.authoring import configure_nbgrader  # noqa: E402

configure_nbgrader(get_config())  # noqa: F821 - get_config is provided by nbgrader's config loader
