"""Start here (lesson 00): the one "Your turn" exercise, which shows how every check works."""

from .base import Correct, Exercise, Incorrect, NotAttempted


class WhichProject(Exercise):
    """Which project does your token act in? Set ex.answer to its name."""

    hints = ["Look at the table in part 1.",
             "It is the `project` row; in the SDK, "
             "conn.session.auth.get_access(conn.session).project_name",
             "ex.answer = conn.session.auth.get_access(conn.session).project_name"]
    solution = "ex.answer = conn.session.auth.get_access(conn.session).project_name"
    answer = ...

    def evaluate(self, conn):
        access = conn.session.auth.get_access(conn.session)  # what the token says
        if self.answer is ...:
            return NotAttempted("Set ex.answer to your project's name, then check again.")
        if self.answer == access.project_id:
            return Incorrect("That is your project's ID; the task asks for its name.")
        if self.answer != access.project_name:
            return Incorrect(f"{self.answer!r} is not the project your token is scoped to.")
        return Correct(f"Yes: your token acts in project {access.project_name!r}.")
