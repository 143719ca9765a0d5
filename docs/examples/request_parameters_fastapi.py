from typing import Annotated

import anyio
import fastapi
import httpx

from injectkit import Container, Depends, NotFromRequest
from injectkit.integrations.fastapi import inject, setup
from injectkit.testing import explain

container = Container()


def get_pool(pool_size: int = 5, timeout: NotFromRequest[float] = 2.5) -> str:
    return f"pool of {pool_size}, timeout {timeout}s"


app = fastapi.FastAPI()


@app.get("/items/{item_id}")
@inject
async def item(item_id: int, pool: Annotated[str, Depends(get_pool)]) -> str:
    return f"item {item_id}: {pool}"


setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        schema = (await client.get("/openapi.json")).json()
        for parameter in schema["paths"]["/items/{item_id}"]["get"]["parameters"]:
            print(parameter["in"], parameter["name"], parameter["schema"])
        # A client sets pool_size; timeout is NotFromRequest: ?timeout=… is ignored.
        response = await client.get("/items/1?pool_size=9&timeout=999")
        print(response.json())
    print(explain(container, item))


anyio.run(main)

# Output:
# path item_id {'type': 'integer', 'title': 'Item Id'}
# query pool_size {'type': 'integer', 'default': 5, 'title': 'Pool Size'}
# item 1: pool of 9, timeout 2.5s
# item pulls in 1 provider(s):
#   request  get_pool
# from the request (path or query): pool_size=5
# from the framework: item_id
# never from the request: timeout=2.5
