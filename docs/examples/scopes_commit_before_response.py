from collections.abc import Callable, Iterator
from typing import Annotated

from injectkit import Container, Depends

container = Container()


class Session:
    def __init__(self) -> None:
        self.pending: list[str] = []


def open_session() -> Iterator[Session]:
    session = Session()
    try:
        yield session
    except Exception as exc:
        print(f"  rollback ({exc})")
        raise
    print(f"  commit {session.pending}")  # when the handler returns: before the response


# Style 1: the type, registered function-scoped.
container.register(Session, open_session, scope="function")


@container.inject
def create_note(title: str, session: Session) -> str:
    if not title:
        raise ValueError("a note needs a title")
    session.pending.append(title)
    return "201 Created"


# Style 2: the same provider through Depends, function-scoped.
@container.inject
def create_tag(
    name: str, session: Annotated[Session, Depends(open_session, scope="function")]
) -> str:
    session.pending.append(name)
    return "201 Created"


def serve(handler: Callable[..., str], **query: str) -> None:
    """What an adapter does per request: open the scope, call the handler, send the
    response, then close the scope (background tasks, request-scoped finalizers)."""
    with container.request() as request:
        try:
            status = request.call_sync(handler, **query)
        except ValueError:
            status = "422 Unprocessable"
        print(f"  response sent: {status}")
    print("  request closed")


print("POST /notes?title=hello")
serve(create_note, title="hello")
print("POST /tags?name=news")
serve(create_tag, name="news")
print("POST /notes?title=")
serve(create_note, title="")

# Output:
# POST /notes?title=hello
#   commit ['hello']
#   response sent: 201 Created
#   request closed
# POST /tags?name=news
#   commit ['news']
#   response sent: 201 Created
#   request closed
# POST /notes?title=
#   rollback (a note needs a title)
#   response sent: 422 Unprocessable
#   request closed
