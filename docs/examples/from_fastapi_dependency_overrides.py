from typing import Annotated

import anyio
import fastapi
import httpx

import injectkit
from injectkit.integrations.fastapi import inject, setup

container = injectkit.Container()
app = fastapi.FastAPI()


def fastapi_user() -> str:
    return "real (fastapi.Depends)"


def injectkit_user() -> str:
    return "real (injectkit.Depends)"


@app.get("/users")
@inject
async def users(
    a: Annotated[str, fastapi.Depends(fastapi_user)],
    b: Annotated[str, injectkit.Depends(injectkit_user)],
) -> dict[str, str]:
    return {"a": a, "b": b}


setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        app.dependency_overrides[fastapi_user] = lambda: "fake"
        app.dependency_overrides[injectkit_user] = lambda: "fake"  # has no effect
        print((await client.get("/users")).json())

        # injectkit's dependencies are overridden on the container:
        with container.override(injectkit_user, lambda: "fake"):
            print((await client.get("/users")).json())
        app.dependency_overrides.clear()


anyio.run(main)

# Output:
# {'a': 'fake', 'b': 'real (injectkit.Depends)'}
# {'a': 'fake', 'b': 'fake'}
