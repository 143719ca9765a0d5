from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Settings:
    def __init__(self, region: str = "eu") -> None:
        self.region = region


container.register(Settings, scope="app")


def current_user() -> str:
    return "ada"


@container.inject
def whoami(user: Annotated[str, Depends(current_user)], settings: Settings) -> str:
    return f"{user} in {settings.region}"


def user_from_settings(settings: Settings) -> str:  # its own parameters are injected
    return f"tester-{settings.region}"


print(whoami())
with container.override(Settings, Settings("us")):  # an instance: used as the value
    print(whoami())
with container.override(current_user, lambda: "grace"):  # a callable: called instead
    print(whoami())
with container.override(current_user, user_from_settings):
    print(whoami())
    with container.override(Settings, lambda: Settings("ap")):  # overrides nest
        print(whoami())
print(whoami())  # the originals are back

# Output:
# ada in eu
# ada in us
# grace in eu
# tester-eu in eu
# tester-ap in ap
# ada in eu
