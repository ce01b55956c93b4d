"""A local Zoom emulator: real HTTP on 127.0.0.1, OAuth and report endpoints, synthetic data, faults.

Start it in-process (``with Sandbox() as sandbox: ...``) or as a process
(``python -m zoom_pandas.sandbox --port 8765``).
"""

from __future__ import annotations

from zoom_pandas.sandbox.data import SandboxData
from zoom_pandas.sandbox.faults import Faults
from zoom_pandas.sandbox.oauth import SandboxCredentials
from zoom_pandas.sandbox.server import Sandbox, shared_sandbox

__all__ = ["Faults", "Sandbox", "SandboxCredentials", "SandboxData", "shared_sandbox"]
