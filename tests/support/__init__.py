"""What the tests share, one module per kind of help.

* ``world``: small worlds built through the SDK (application versions, fleets, deployments);
* ``raw``: plain aiobotocore clients on the project's model, for testing the emulator's wire;
* ``leaks``: checks that waiters, pagers and tasks leave nothing behind, and call counting;
* ``hostile``: a server that answers whatever the test says (odd, huge, endless or slow bodies);
* ``clocks``: a fake clock, and the emulator's virtual one, for waiters that must not wait;
* ``wire_cases``: the requests whose bytes must equal botocore 1.40.59's (and the recorder).

Worlds of thousands of records are seeded in process with ``robomaker_deploy.emulator._seeding``;
the emulator fixtures come from the package's pytest plugin, the shared ones from ``tests/conftest.py``.
"""
