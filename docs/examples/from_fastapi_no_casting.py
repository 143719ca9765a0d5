import anyio
import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from injectkit import Container
from injectkit.integrations.starlette import inject, setup

container = Container()


@container.inject
def page(number: int) -> str:
    return f"{number!r} ({type(number).__name__})"


print(page("2"))  # FastDepends would give 2, an int: injectkit passes the value as is
print(page(number="2"))


# Instead: convert where the string comes from, or in a provider you own.
def page_number(raw: str) -> int:
    return int(raw)


print(page(page_number("2")))


# The one place injectkit converts: an adapter reading a free parameter from the path or
# the query string turns it into its str, int, float, bool or Enum annotation.
@inject
async def listing(number: int) -> dict[str, str]:
    return {"number": f"{number!r} ({type(number).__name__})"}


app = Starlette(routes=[Route("/list", listing)])
setup(app, container)


async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for query in ("2", "two"):
            response = await client.get("/list", params={"number": query})
            body = response.json()
            print(response.status_code, body.get("number") or body["detail"][0]["msg"])


anyio.run(main)

# Output:
# '2' (str)
# '2' (str)
# 2 (int)
# 200 2 (int)
# 422 Input should be a valid integer, unable to parse string as an integer
