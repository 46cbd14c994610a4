"""A headless front end for ipywidgets: a real kernel of another environment, driven through Jupyter's
messaging protocol as a browser's widget manager drives it (no test here).

`Kernel.execute` runs code and gathers what the kernel sent back (text, errors, displays, widget models
opened). `Kernel.set_state` and `Kernel.click` send the comm messages a front end sends when a learner moves a
control or clicks a button; the kernel runs the widget's observers and sends `update` messages for every
widget they changed, which `Kernel.updated` collects. Both ipywidgets 7 (protocol 2) and 8 use these messages.
"""
from __future__ import annotations

import json
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Reply:
    """What the kernel sent while handling one request."""

    text: str = ""
    errors: list = field(default_factory=list)  # "Name: message" of each error output
    opened: dict = field(default_factory=dict)  # comm_id -> the widget model's initial state
    updated: dict = field(default_factory=dict)  # comm_id -> the keys of the state updates it sent
    displayed: list = field(default_factory=list)  # the mime types of each display

    def add(self, msg: dict) -> None:
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "stream":
            self.text += content["text"]
        elif kind == "error":
            self.errors.append(f"{content['ename']}: {content['evalue']}")
        elif kind in ("display_data", "execute_result"):
            self.displayed.append(sorted(content["data"]))
        elif kind == "comm_open":
            self.opened[content["comm_id"]] = content["data"].get("state", {})
        elif kind == "comm_msg" and content["data"].get("method") in ("update", "echo_update"):
            self.updated.setdefault(content["comm_id"], set()).update(content["data"].get("state", {}))


class Kernel:
    """An IPython kernel started from ``argv`` (a kernelspec's), with its output logged to ``log``."""

    def __init__(self, argv: list[str], env: dict, cwd: Path, log: Path, timeout: float = 120):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        specs = log.parent / f"{log.stem}-kernels"
        (specs / "standin").mkdir(parents=True, exist_ok=True)
        (specs / "standin" / "kernel.json").write_text(json.dumps(
            {"argv": argv, "display_name": "stand-in", "language": "python"}))
        self.log = log
        self._log_file = open(log, "w")
        self.km = KernelManager(kernel_name="standin",
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)],
                                                                      ensure_native_kernel=False))
        self.km.start_kernel(env=env, cwd=str(cwd), stdout=self._log_file, stderr=self._log_file)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=timeout)

    def log_tail(self, n: int = 3000) -> str:
        """The end of what the kernel process printed (its own errors, such as an observer's traceback)."""
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-n:]

    def _gather(self, msg_id: str, timeout: float) -> Reply:
        reply, deadline = Reply(), time.monotonic() + timeout
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"the kernel did not finish within {timeout:.0f} s; so far it printed "
                                   f"{reply.text[-1000:]!r}") from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return reply
            reply.add(msg)

    def execute(self, code: str, timeout: float = 300) -> Reply:
        """Run ``code`` as a cell and gather everything the kernel sent for it."""
        return self._gather(self.kc.execute(code), timeout)

    def _comm_msg(self, comm_id: str, data: dict, timeout: float) -> Reply:
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.kc.shell_channel.send(msg)
        return self._gather(msg["header"]["msg_id"], timeout)

    def set_state(self, comm_id: str, state: dict, timeout: float = 120) -> Reply:
        """What a front end sends when a learner moves a control: its new synced state (``{"value": 0.5}``;
        selection widgets sync the chosen option's ``index``)."""
        return self._comm_msg(comm_id, {"method": "update", "state": state, "buffer_paths": []}, timeout)

    def click(self, comm_id: str, timeout: float = 120) -> Reply:
        """What a front end sends when a learner clicks a button."""
        return self._comm_msg(comm_id, {"method": "custom", "content": {"event": "click"}}, timeout)

    def close(self) -> None:
        """Stop the kernel and its channels."""
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
        finally:
            self._log_file.close()
