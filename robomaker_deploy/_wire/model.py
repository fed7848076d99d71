"""The project's own RoboMaker service model, and how it is handed to botocore.

Current botocore no longer ships RoboMaker, so the package carries the model
(``data/robomaker/2018-06-29``) and adds its folder to a session's data loader.
The same model drives client-side validation and the emulator's request
parsing, so the SDK and the emulator cannot drift apart.

Where the service enforced a rule that botocore's model left out, the bundled
model says it, so that the rule has one owner: ``sensitive`` on
``EnvironmentVariableValue`` (see ``secrets``) and the documented page-size
bounds on ``MaxResults`` (see :func:`page_limit`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from botocore.model import OperationModel, ServiceModel

__all__ = [
    "API_VERSION",
    "DATA_PATH",
    "SERVICE_NAME",
    "operation_model",
    "page_limit",
    "register_data_path",
    "service_model",
]

SERVICE_NAME = "robomaker"
API_VERSION = "2018-06-29"

#: Folder holding ``robomaker/2018-06-29/{service-2,paginators-1,endpoint-rule-set-1}.json``.
DATA_PATH = Path(__file__).parent.parent / "data"


@functools.cache
def service_model() -> ServiceModel:
    """The parsed service model, loaded once per process."""
    raw: dict[str, Any] = json.loads(
        (DATA_PATH / SERVICE_NAME / API_VERSION / "service-2.json").read_text(encoding="utf-8")
    )
    return ServiceModel(raw, service_name=SERVICE_NAME)


def operation_model(name: str) -> OperationModel:
    """The model of one operation, by its wire name (``CreateDeploymentJob``)."""
    return service_model().operation_model(name)


@functools.cache
def page_limit(operation: str) -> int:
    """The largest ``maxResults`` a listing operation accepts (200; 100 for ListRobotApplications)."""
    shape = operation_model(operation).input_shape
    assert shape is not None  # every operation of the model has an input
    limit = shape.members["maxResults"].metadata["max"]
    return int(limit)


def register_data_path(loader: Any) -> None:
    """Put the package's model folder first on a botocore ``Loader``'s search path.

    First, so that an old botocore that still ships RoboMaker loads ours: the
    wire is the same, and our model carries the extra traits described above.
    """
    path = str(DATA_PATH)
    if path not in loader.search_paths:
        loader.search_paths.insert(0, path)
