from injectkit import Container, Depends

container = Container()


def get_db() -> str:
    return "postgres://localhost/app"


@container.inject
def handler(db: Depends(get_db)) -> str:  # a colon where FastAPI's `=` goes
    return db


handler()
