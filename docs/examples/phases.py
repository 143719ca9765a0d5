from collections.abc import Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Settings:
    dsn = "sqlite://"


class Session:
    def __init__(self, settings: Settings) -> None:
        self.dsn = settings.dsn


container.register(Settings, scope="app")


@container.provider
def session(settings: Settings) -> Iterator[Session]:
    yield Session(settings)


def current_user(token: str) -> str:
    return token.upper()


@container.inject
def profile(user: Annotated[str, Depends(current_user)], db: Session) -> str:
    return f"{user} on {db.dsn}"


container.validate()  # phases 1 and 2 for every injected function; nothing runs
print(container.graph(profile).to_text())
print(container.plan_source(profile))  # phase 3: the generated plan
print(profile(token="ada"))

# Output:
# profile
#     user <- current_user
#     db <- session
# session [request, yield]
#     settings <- Settings
# Settings [app]
# current_user [request]
#     token <- token (from the call)
# token (from the call)
# ...def ...
# ...
# ADA on sqlite://
