import anyio

from injectkit import BackgroundTasks, Container

container = Container()


def send_email(to: str, subject: str) -> None:
    print(f"email to {to}: {subject}")


@container.inject
async def sign_up(email: str, tasks: BackgroundTasks) -> dict[str, str]:
    tasks.add_task(send_email, email, subject="Welcome!")
    print("handler returns")
    return {"status": "created"}


async def main() -> None:
    print(await sign_up("ada@example.com"))


anyio.run(main)

# Output:
# handler returns
# email to ada@example.com: Welcome!
# {'status': 'created'}
