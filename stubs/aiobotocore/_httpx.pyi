from types import ModuleType

httpx: ModuleType | None
