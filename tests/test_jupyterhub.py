"""deploy/jupyterhub: the one-server config started for real, and the Zero to JupyterHub values checked.

The hub runs the shipped jupyterhub_config.py on 127.0.0.1 with configurable-http-proxy, swapping only the
login (DummyAuthenticator) and the spawner (SimpleLocalProcessSpawner, which needs no system accounts) so
that it runs in a temporary folder as the test's user. Two users are created and their servers started
through the hub's REST API; each runs the first code cells of lab 00 through the Jupyter server's kernel
API (REST to start a kernel, its websocket to execute), with the course's environment and shared folders.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from course_lib import authoring

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "jupyterhub"
USERS = ("ada", "bo")
FIRST_CELLS = 2  # lab 00's setup cell and its parameters cell (imports course_lib.config, seeds, prints the mode)
PROBE = "import os, course_lib\nprint(course_lib.__file__, os.getcwd(), os.environ['COURSE_CLASS_DIR'], sep='\\n')"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing() -> str:
    """Why the hub cannot start here ('' when it can)."""
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    missing = [name for name in ("jupyterhub", "jupyterhub-singleuser", "configurable-http-proxy")
               if shutil.which(name, path=path) is None]
    return ", ".join(missing)


class Hub:
    """A running JupyterHub: its URL, an admin service token, its log and shared folder; JSON calls to its API."""

    def __init__(self, url: str, token: str, log: Path, shared: Path):
        self.url, self.token, self.log, self.shared = url, token, log, shared

    def api(self, method: str, path: str, body=None, token: str | None = None):
        """Call the hub (or a user's server) at ``path``; return the decoded JSON reply or None."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {token or self.token}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read()
        return json.loads(text) if text else None


def _wait(what: str, check, timeout: float, log: Path):
    """Poll ``check`` until it returns a true value; fail with the hub's log after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            got = check()
            if got:
                return got
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout:.0f} s; the hub's log ends:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """The shipped config started on loopback; yields a Hub, then stops the servers and the hub (bounded)."""
    if _missing():
        pytest.skip(f"not installed: {_missing()}; `make test` installs jupyterhub (dev extra) and "
                    "configurable-http-proxy (npm, into .venv)")
    base = tmp_path_factory.mktemp("hub")
    shared = base / "shared"
    for folder in (shared / "exchange", shared / "class", base / "home"):
        folder.mkdir(parents=True)
        folder.chmod(0o1777)
    port, token = _free_port(), secrets.token_hex(32)
    (base / "test_config.py").write_text(f"""
c = get_config()
load_subconfig({str(DEPLOY / "jupyterhub_config.py")!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {_free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_free_port()}"
c.ConfigurableHTTPProxy.pid_file = {str(base / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{base / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(base / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(base / "home" / "{username}")!r}
c.Spawner.args = {["--allow-root"] if os.getuid() == 0 else []!r}
c.JupyterHub.services = [{{"name": "course-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "course-test", "services": ["course-test"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}]
""")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "JUPYTER_CONFIG", "COURSE_FAST"))}
    env.update(PATH=os.pathsep.join([str(BIN), env.get("PATH", "")]), DEEPFAKE_LAB_VENV=str(BIN.parent),
               DEEPFAKE_LAB_SHARED=str(shared))
    log = base / "hub.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(base / "test_config.py")], cwd=base,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", token, log, shared)
    try:
        _wait("the hub did not answer", lambda: process.poll() is None and hub.api("GET", "/hub/api/"), 120, log)
        yield hub
    finally:
        for user in USERS:
            try:
                hub.api("DELETE", f"/hub/api/users/{user}/server")
            except (urllib.error.URLError, OSError):
                pass
        os.killpg(process.pid, signal.SIGTERM)  # the hub stops the proxy and the servers it started
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def start_server(hub: Hub, user: str) -> str:
    """Create ``user``, start their server through the REST API, wait until ready; return a token of theirs."""
    hub.api("POST", f"/hub/api/users/{user}")
    hub.api("POST", f"/hub/api/users/{user}/server")
    _wait(f"{user}'s server did not start",
          lambda: hub.api("GET", f"/hub/api/users/{user}")["servers"].get("", {}).get("ready"), 180, hub.log)
    return hub.api("POST", f"/hub/api/users/{user}/tokens", {"expires_in": 900, "note": "test"})["token"]


def execute(hub: Hub, user: str, token: str, cells: list[str]) -> list[dict]:
    """Start a kernel on ``user``'s server and run ``cells`` over its websocket: [{'out': text, 'error': ...}]."""
    from tornado import httpclient, ioloop, websocket

    kernel = hub.api("POST", f"/user/{user}/api/kernels", {"name": "python3"}, token=token)["id"]

    async def run_all():
        request = httpclient.HTTPRequest(f"{hub.url.replace('http', 'ws', 1)}/user/{user}/api/kernels/{kernel}/channels",
                                         headers={"Authorization": f"token {token}"}, request_timeout=60)
        ws = await websocket.websocket_connect(request)
        session, results = uuid.uuid4().hex, []
        for code in cells:
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "session": session, "username": user, "msg_type": "execute_request",
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            out, error, replied, idle = [], None, False, False
            while not (replied and idle):
                msg = json.loads(await ws.read_message())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    error = f"{content['ename']}: {content['evalue']}"
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
            results.append({"out": "".join(out), "error": error})
        ws.close()
        return results

    try:
        return ioloop.IOLoop.current().run_sync(run_all, timeout=240)
    finally:
        hub.api("DELETE", f"/user/{user}/api/kernels/{kernel}", token=token)


def lab_first_cells() -> list[str]:
    """The sources of lab 00's first code cells, as a learner runs them."""
    nb = authoring.read(ROOT / "labs" / "00_welcome" / "00_welcome.ipynb")
    return [cell.source for cell in nb.cells if cell.cell_type == "code"][:FIRST_CELLS]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_two_users_run_lab_00_on_their_own_servers_through_the_hub(hub):
    cells = lab_first_cells() + [PROBE]
    for user in USERS:
        results = execute(hub, user, start_server(hub, user), cells)
        errors = [(i, r["error"]) for i, r in enumerate(results) if r["error"]]
        assert not errors, f"{user}: lab 00's first cells failed on the hub (cell index, error): {errors}"
        assert "FAST mode: True" in results[FIRST_CELLS - 1]["out"], (
            f"{user}: lab 00's parameters cell printed {results[FIRST_CELLS - 1]['out']!r}")
        module, cwd, class_dir = results[-1]["out"].split()
        assert Path(module).is_relative_to(ROOT), f"{user}'s kernel imports course_lib from {module}, not the course"
        assert Path(cwd).name == user, f"{user}'s kernel runs in {cwd}, not in their own home folder"
        assert Path(class_dir) == hub.shared / "class", f"{user}'s COURSE_CLASS_DIR is {class_dir}"


# --- Zero to JupyterHub (Kubernetes) values -----------------------------------------------------------------

VALUES = DEPLOY / "values.yaml"


def _gigabytes(quantity: str) -> float:
    """A Kubernetes memory quantity ('1.5G', '2560M', '2Gi') in GB."""
    units = {"Gi": 2**30, "Mi": 2**20, "G": 1e9, "M": 1e6}
    for suffix, scale in units.items():
        if str(quantity).endswith(suffix):
            return float(str(quantity)[: -len(suffix)]) * scale / 1e9
    raise AssertionError(f"values.yaml: memory {quantity!r} has no G/M/Gi/Mi unit")


# Keys of the z2jh chart's configuration reference (zero-to-jupyterhub.readthedocs.io, resources/reference),
# at the levels values.yaml sets; a typo in one of them is silently ignored by older charts.
DOCUMENTED = {
    (): {"hub", "proxy", "singleuser", "scheduling", "cull", "prePuller", "ingress", "imagePullSecret", "debug"},
    ("singleuser",): {"image", "defaultUrl", "memory", "cpu", "extraEnv", "storage", "extraFiles", "cmd",
                      "profileList", "lifecycleHooks", "networkPolicy", "nodeSelector", "extraResource",
                      "startTimeout", "uid", "fsGid", "serviceAccountName", "initContainers", "extraContainers"},
    ("singleuser", "storage"): {"type", "capacity", "extraVolumes", "extraVolumeMounts", "homeMountPath",
                                "dynamic", "static", "extraLabels"},
    ("singleuser", "memory"): {"guarantee", "limit"},
    ("singleuser", "cpu"): {"guarantee", "limit"},
    ("singleuser", "image"): {"name", "tag", "pullPolicy", "pullSecrets"},
    ("hub",): {"config", "extraConfig", "extraEnv", "db", "image", "resources", "networkPolicy", "service"},
    ("proxy",): {"service", "https", "secretToken", "chp", "traefik"},
    ("cull",): {"enabled", "timeout", "every", "users", "maxAge", "concurrency", "removeNamedServers"},
}


def test_values_yaml_uses_only_keys_the_chart_documents():
    values = yaml.safe_load(VALUES.read_text())
    for path, keys in DOCUMENTED.items():
        node = values
        for part in path:
            node = node[part]
        unknown = set(node) - keys
        assert not unknown, f"values.yaml: {'.'.join(path) or 'top level'} has keys the chart does not document: {unknown}"
    single = values["singleuser"]
    assert {"name", "tag"} <= set(single["image"]), "singleuser.image needs name and tag (the image built from binder/)"
    assert {"guarantee", "limit"} <= set(single["memory"]) and {"guarantee", "limit"} <= set(single["cpu"])
    storage = single["storage"]
    mounts = {m["name"]: m["mountPath"] for m in storage["extraVolumeMounts"]}
    volumes = {v["name"] for v in storage["extraVolumes"]}
    assert set(mounts) <= volumes, f"singleuser.storage mounts {sorted(set(mounts) - volumes)} with no volume"
    env = single["extraEnv"]
    for folder in (env["COURSE_CLASS_DIR"], env["NBGRADER_EXCHANGE"]):
        assert any(folder.startswith(path) for path in mounts.values()), f"{folder} is on no shared volume"


def test_values_yaml_memory_fits_the_measured_peaks():
    memory = yaml.safe_load(VALUES.read_text())["singleuser"]["memory"]
    assert _gigabytes(memory["guarantee"]) >= 1.5, "the guarantee must hold every FAST lab's 1.5 GB peak"
    assert _gigabytes(memory["limit"]) > 2.07, "the limit must hold lab 03's 2.07 GB full-mode peak"
