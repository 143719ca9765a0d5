from injectkit import Container

container = Container()


class Clock:
    pass


@container.inject
async def report(day: str, clock: Clock) -> str:  # Clock is not registered
    return day


# strict: no caller passes services (a framework calls the handler), as adapters do
container.validate(strict=True)
