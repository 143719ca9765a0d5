from collections.abc import Iterator

import flask

from injectkit import BackgroundTasks, Container
from injectkit.integrations.flask import inject, setup

container = Container()


class Session:
    pass


@container.provider
def open_session() -> Iterator[Session]:
    print("session opened")
    yield Session()
    print("session closed")


app = flask.Flask(__name__)


@app.get("/export")
@inject
def export(session: Session, tasks: BackgroundTasks, count: int = 2) -> Iterator[str]:
    # A generator view: Flask streams it; the request stays open until the last row.
    tasks.add_task(print, "task: export logged")
    for i in range(count):
        print(f"sending row {i}")
        yield f"row {i}\n"


setup(app, container)

with app.test_client() as client, client.get("/export") as response:
    print(response.get_data(as_text=True), end="")
print("response closed")

# Output:
# session opened
# sending row 0
# sending row 1
# row 0
# row 1
# task: export logged
# session closed
# response closed
