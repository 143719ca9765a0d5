from injectkit import Container

container = Container()


class Mailer:
    pass


@container.inject
def signup(email: str, mailer: Mailer) -> None:  # Mailer is not registered
    pass


signup("ada@example.com")
