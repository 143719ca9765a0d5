from injectkit import Container

container = Container()


class Mailer:
    def send(self, to: str, text: str) -> str:
        raise RuntimeError("no mail server in this sandbox")


container.register(Mailer)


@container.inject
def invite(email: str, mailer: Mailer) -> str:
    return mailer.send(email, "You are invited")


class FakeMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> str:
        self.sent.append((to, text))
        return "queued"


def test_invite_sends_one_mail() -> None:
    fake = FakeMailer()
    with container.override(Mailer, fake):  # an instance is used as the value
        assert invite("ada@example.com") == "queued"
    assert fake.sent == [("ada@example.com", "You are invited")]


test_invite_sends_one_mail()
print("test passed")

# Output:
# test passed
