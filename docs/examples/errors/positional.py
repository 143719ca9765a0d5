from injectkit import Container

container = Container()


class Mailer:
    pass


container.register(Mailer)


@container.inject
def invite(email: str, mailer: Mailer) -> None:
    pass


invite("ada@example.com", Mailer())  # injected parameters cannot be passed
