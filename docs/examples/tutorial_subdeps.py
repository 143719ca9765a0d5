from collections.abc import Iterator

from injectkit import Container

container = Container()


class Database:
    def __init__(self) -> None:
        self.rows = {1: "buy milk", 2: "write docs"}

    def close(self) -> None:
        print("database closed")


@container.provider  # scope="request" by default
def open_database() -> Iterator[Database]:
    print("database opened")
    db = Database()
    yield db  # the code after `yield` runs when the request ends
    db.close()


class NoteRepository:
    def __init__(self, db: Database) -> None:  # __init__ parameters are injected too
        self.db = db

    def get(self, note_id: int) -> str:
        return self.db.rows[note_id]


class NoteService:
    def __init__(self, repo: NoteRepository) -> None:
        self.repo = repo

    def title(self, note_id: int) -> str:
        return self.repo.get(note_id).capitalize()


container.register(NoteRepository)
container.register(NoteService)


@container.inject
def show_note(note_id: int, service: NoteService) -> str:
    print("handler runs")
    return service.title(note_id)


print(show_note(2))

# Output:
# database opened
# handler runs
# database closed
# Write docs
