from collections.abc import Iterator

import anyio

from injectkit import Container
from injectkit.testing import fake, fake_resource, override

container = Container()


class Mailer:
    def send(self, to: str) -> str:
        raise RuntimeError("no network in tests, please")


class Session:
    pass


class FakeMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, to: str) -> str:
        self.sent.append(to)
        return "queued"


@container.provider(scope="app")
def mailer() -> Mailer:
    return Mailer()


@container.provider
def session() -> Iterator[Session]:
    yield Session()


@container.inject
async def invite(email: str, mailer: Mailer, db: Session) -> str:
    return mailer.send(email)


async def main() -> None:
    mailer_fake = fake(FakeMailer())
    db_fake = fake_resource(Session())
    with override(container, {Mailer: mailer_fake, Session: db_fake}):
        print(await invite("ada@example.com"))
        print(await invite("grace@example.com"))
    print("sent:", mailer_fake.value.sent)
    print("mailer built", mailer_fake.calls, "time(s)")  # app-scoped: once
    print("sessions opened", db_fake.opened, "closed", db_fake.closed)

    with override(container, {Mailer: fake(raises=ConnectionError("smtp down"))}):
        try:
            await invite("linus@example.com")
        except ConnectionError as exc:
            print("failed:", exc)


anyio.run(main)

# Output:
# queued
# queued
# sent: ['ada@example.com', 'grace@example.com']
# mailer built 1 time(s)
# sessions opened 2 closed 2
# failed: smtp down
