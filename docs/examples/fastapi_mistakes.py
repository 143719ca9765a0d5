import textwrap
from typing import Annotated

import fastapi
from fastapi import FastAPI

from injectkit import Container, InjectionError
from injectkit.integrations.fastapi import inject

container = Container()


class Session:
    pass


container.register(Session)


def get_db(session: Session) -> Session:  # an injectkit dependency
    return session


def show(error: InjectionError) -> None:
    if error.path:
        print("chain:", " -> ".join(error.path))
    print(textwrap.fill(f"hint: {error.hint}", 80))


app = FastAPI()

# Mistake: the core decorator on a route.
try:

    @app.get("/me")
    @container.inject
    async def me(db: Session) -> str: ...

except InjectionError as error:
    show(error)

# Mistake: fastapi.Depends where injectkit.Depends was meant.
try:

    @app.get("/user")
    @inject
    async def user(db: Annotated[Session, fastapi.Depends(get_db)]) -> str: ...

except InjectionError as error:
    show(error)

# Mistake: a container's type without FromContainer.
try:

    @app.get("/items")
    @inject
    async def items(db: Session) -> list[str]: ...

except InjectionError as error:
    show(error)

# Output:
# chain: me
# hint: decorate it with the FastAPI adapter's inject instead (from
# injectkit.integrations.fastapi import inject; @app.get(...) then @inject); keep
# container.inject for the functions the route calls.
# chain: user -> get_db
# hint: if injectkit should call get_db (its parameters come from the container),
# write injectkit.Depends(get_db) (from injectkit import Depends), not
# fastapi.Depends.
# chain: items
# hint: if the container provides Session, write `db: FromContainer[Session]`, or
# mark it Annotated[Session, injectkit.Depends(...)].
