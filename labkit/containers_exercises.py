"""Lesson 4's exercises: each check() looks at the cloud and says what is right or missing."""

from openstack import exceptions as sdk_exc

from . import containers
from .exercises import Correct, Exercise, Incorrect, NotAttempted

EXERCISE_CONTAINER = "day3-exercise"
PUBLIC_CONTAINER = "day3-exercise-public"
DROPBOX_CONTAINER = "day3-exercise-dropbox"


def _container_or_none(conn, name):
    try:
        return conn.object_store.get_container_metadata(name)
    except sdk_exc.NotFoundException:
        return None


class UploadNote(Exercise):
    """Create day3-exercise (marked) holding notes/hello.txt: 'hello swift', text/plain."""

    hints = ["containers.create_container(conn, 'exercise') makes a marked day3-exercise.",
             "containers.upload_bytes(conn, container, name, data, content_type=...)",
             "The object name carries the pseudo-folder: 'notes/hello.txt'."]
    solution = ("name = containers.create_container(conn, 'exercise')\n"
                "containers.upload_bytes(conn, name, 'notes/hello.txt', b'hello swift',\n"
                "                        content_type='text/plain')")

    def evaluate(self, conn):
        if _container_or_none(conn, EXERCISE_CONTAINER) is None:
            return NotAttempted(f"There is no container {EXERCISE_CONTAINER} yet.")
        if not containers.is_marked(conn, EXERCISE_CONTAINER, containers.LESSON):
            return Incorrect(f"{EXERCISE_CONTAINER} lacks the lesson mark: create it with "
                             f"containers.create_container, which adds it.")
        try:
            obj = conn.object_store.get_object_metadata("notes/hello.txt", EXERCISE_CONTAINER)
        except sdk_exc.NotFoundException:
            names = [o.name for o in conn.object_store.objects(EXERCISE_CONTAINER)]
            return Incorrect(f"No object notes/hello.txt; the container holds {names}.")
        body = conn.object_store.download_object("notes/hello.txt", EXERCISE_CONTAINER)
        if body.strip() != b"hello swift":
            return Incorrect(f"The object holds {body[:40]!r}, not b'hello swift'.")
        if not (obj.content_type or "").startswith("text/plain"):
            return Incorrect(f"Its content type is {obj.content_type}, not text/plain.")
        return Correct("notes/hello.txt is there, with the right bytes and content type.")


class PublicWithoutListing(Exercise):
    """day3-exercise-public: anyone may GET its objects, but nobody may list it anonymously."""

    hints = ["Create the container and upload any object into it first.",
             "A read ACL element lets anyone read objects; another one adds listings.",
             "read='.r:*' (and no '.rlistings')."]
    solution = ("name = containers.create_container(conn, 'exercise-public')\n"
                "containers.upload_bytes(conn, name, 'index.txt', b'public')\n"
                "containers.set_acl(conn, name, read='.r:*')")

    def evaluate(self, conn):
        if _container_or_none(conn, PUBLIC_CONTAINER) is None:
            return NotAttempted(f"There is no container {PUBLIC_CONTAINER} yet.")
        names = [o.name for o in conn.object_store.objects(PUBLIC_CONTAINER)]
        if not names:
            return Incorrect(f"{PUBLIC_CONTAINER} is empty: upload an object to share.")
        url = containers.object_url(conn, PUBLIC_CONTAINER, names[0])
        answer = containers.http_request(url)
        if answer.status != 200:
            return Incorrect(f"An anonymous GET of {names[0]} gets {answer}: the read ACL "
                             f"does not let everyone read yet.")
        listing = containers.http_request(containers.object_url(conn, PUBLIC_CONTAINER))
        if listing.status == 200:
            return Incorrect("Anyone can list the container too: drop '.rlistings'.")
        return Correct(f"Anonymous GET of {names[0]}: 200; anonymous listing: "
                       f"{listing.status}.")


class PartnerDropbox(Exercise):
    """day3-exercise-dropbox: the partner project may write objects, but not read them."""

    hints = ["The partner's project ID is partner.current_project_id.",
             "containers.project_acl(project_id) makes the '<project_id>:*' element.",
             "containers.set_acl(conn, name, write=containers.project_acl(pid))"]
    solution = ("name = containers.create_container(conn, 'exercise-dropbox')\n"
                "containers.set_acl(conn, name, write=containers.project_acl(partner_project))")

    def __init__(self, conn, partner_project_id):
        super().__init__(conn)
        self.partner_project_id = partner_project_id

    def evaluate(self, conn):
        meta = _container_or_none(conn, DROPBOX_CONTAINER)
        if meta is None:
            return NotAttempted(f"There is no container {DROPBOX_CONTAINER} yet.")
        writers = containers.parse_acl(meta.write_ACL or "", "write")
        readers = containers.parse_acl(meta.read_ACL or "", "read")
        grant = {containers.project_acl(self.partner_project_id), "*:*"}
        if not grant & set(writers):
            return Incorrect(f"The write ACL is {meta.write_ACL or 'empty'}: it should name "
                             f"the partner project ({self.partner_project_id}:*).")
        if readers:
            return Incorrect(f"The read ACL {meta.read_ACL} lets others read: a drop box "
                             f"only accepts objects.")
        return Correct("The partner project can drop objects in, and cannot read them.")
