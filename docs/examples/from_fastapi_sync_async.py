from typing import Annotated

import anyio

from injectkit import Container, Depends, InjectionError

container = Container()


async def fetch_user() -> str:
    await anyio.sleep(0)
    return "ada"


@container.inject
def profile(user: Annotated[str, Depends(fetch_user)]) -> str:
    return f"profile of {user}"


try:
    container.validate(profile)  # also raised by profile() itself, before anything runs
except InjectionError as exc:
    print(exc)


# Instead: make the handler async (or give the dependency a sync provider).
@container.inject
async def async_profile(user: Annotated[str, Depends(fetch_user)]) -> str:
    return f"profile of {user}"


print(anyio.run(async_profile))

# Output:
# fetch_user is an async provider, but profile is
# resolved synchronously.
#   chain: profile -> fetch_user
#   hint: give fetch_user a sync provider (a def, or a sync generator); where the
#         framework allows it, make the handler async instead (or use
#         `await scope.call(...)` rather than call_sync).
# profile of ada
