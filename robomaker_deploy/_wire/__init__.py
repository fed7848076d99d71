"""The wire layer: the service model the package carries, and every fact read from it.

Everything that must agree between the SDK and the emulator lives here and
nowhere else: the bundled model and how botocore loads it (``model``), how
wire names map to Python names (``names``), what a valid request looks like
(``validation``), which members hold secrets (``secrets``, from the model's
``sensitive`` trait) and how large a page may be (``model.page_limit``, from
the model's constraints). The SDK and the emulator both import this package;
it imports neither of them.
"""
