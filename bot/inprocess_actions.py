"""Run the custom actions inside the Rasa process instead of over HTTP.

Used by `python -m bot ask` (one process, nothing else running) and by tests. The request and
response go through JSON exactly as they would over HTTP, so the actions see the same data.
Production runs the separate action server (`make run` starts it).
"""
from __future__ import annotations

import json
from typing import Any, Optional

from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException


class InProcessActionEndpoint(EndpointConfig):
    def __init__(self, package: str = "actions") -> None:
        from rasa_extensions.action_validation import install

        install()  # Rasa validates each action response: with a schema compiled once
        super().__init__(url="inprocess://actions")
        self.executor = ActionExecutor()
        self.executor.register_package(package)

    async def request(
        self, method: str = "post", subpath: Optional[str] = None, content_type: Optional[str] = "application/json",
        compress: bool = False, **kwargs: Any,
    ) -> Optional[Any]:
        action_call = json.loads(json.dumps(kwargs.get("json") or {}))
        try:
            result = await self.executor.run(action_call)
        except ActionExecutionRejection as error:
            raise ClientResponseError(400, "rejected", json.dumps({"error": error.message, "action_name": error.action_name})) from error
        except ActionNotFoundException as error:
            raise ClientResponseError(404, "not found", json.dumps({"error": error.message, "action_name": error.action_name})) from error
        return json.loads(json.dumps(result))
