"""Where the emulator answers what the model does not declare, as the testing guide's fidelity notes say."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiobotocore.client import AioBaseClient

from robomaker_deploy._wire.model import service_model
from tests.support.raw import error_of

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "testing.md"
MISSING = {
    "DeleteFleet": ("fleet", "arn:aws:robomaker:us-east-1:123456789012:deployment-fleet/gone/1"),
    "DeleteRobot": ("robot", "arn:aws:robomaker:us-east-1:123456789012:robot/gone/1"),
    "DeleteRobotApplication": (
        "application",
        "arn:aws:robomaker:us-east-1:123456789012:robot-application/gone/1",
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("operation", list(MISSING))
async def test_deleting_what_is_not_there_is_an_undeclared_resource_not_found(
    client: AioBaseClient, operation: str
) -> None:
    declared = {error.name for error in service_model().operation_model(operation).error_shapes}
    assert "ResourceNotFoundException" not in declared
    member, arn = MISSING[operation]
    method = getattr(client, "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_"))
    code, status, message = await error_of(method(**{member: arn}))
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert arn in message
    notes = GUIDE.read_text()
    assert "Deleting a fleet, robot or robot application that does not" in notes
    assert "answers `ResourceNotFoundException`, which the model does not list" in notes
