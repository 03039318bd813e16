"""Lesson 4's exercises: each check() looks at the cloud and says what is right or missing.

Hints and solutions use plain openstacksdk, or the `openstack` and `swift` CLIs (swift for
ACLs, which openstackclient cannot set); the checks look only at the cloud, so any way of
doing it passes. What the checks need from a learner working without the helpers: the
`day3-` name prefix and the container metadata Labkit-Lesson: 04 (with a hyphen: Swift's web
server drops headers whose names hold an underscore), so that cleanup finds it.
"""

from openstack import exceptions as sdk_exc

from .. import containers
from .base import Correct, Exercise, Incorrect, NotAttempted

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

    hints = ["conn.object_store.create_container(name=...), then "
             "conn.object_store.set_container_metadata(name, **{'labkit-lesson': '04'}) for the "
             "lesson mark (a hyphen, not an underscore). Not create_container(metadata=...): "
             "openstacksdk 4.x keeps that dict on the class and sends it with later creates.",
             "conn.object_store.create_object(container, name, data=...) uploads bytes; the "
             "object name carries the pseudo-folder: 'notes/hello.txt'.",
             "This SDK drops content_type= when it uploads data=...; send the header with a "
             "plain PUT: conn.object_store.put(f'{container}/{name}', data=..., "
             "headers={'Content-Type': 'text/plain'})"]
    solution = ("conn.object_store.create_container(name='day3-exercise')\n"
                "conn.object_store.set_container_metadata('day3-exercise', "
                "**{'labkit-lesson': '04'})\n"
                "conn.object_store.put('day3-exercise/notes/hello.txt', data=b'hello swift',\n"
                "                      headers={'Content-Type': 'text/plain'})")

    def evaluate(self, conn):
        if _container_or_none(conn, EXERCISE_CONTAINER) is None:
            return NotAttempted(f"There is no container {EXERCISE_CONTAINER} yet.")
        if not containers.is_marked(conn, EXERCISE_CONTAINER, containers.LESSON):
            return Incorrect(f"{EXERCISE_CONTAINER} lacks the lesson mark, so cleanup would "
                             f"not find it: set the container metadata labkit-lesson=04 (a "
                             f"hyphen: Swift drops header names with an underscore).")
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

    hints = ["`openstack container create NAME`, then `openstack container set --property "
             "labkit-lesson=04 NAME` (the mark), then `openstack object create NAME FILE`.",
             "openstackclient has no ACL option: python-swiftclient's `swift post -r ACL NAME` "
             "sets X-Container-Read. In the notebook it logs in with {swift_auth} (a token, "
             "never shown). A read ACL element lets anyone read objects; another one adds "
             "listings.",
             "-r '.r:*' (and no '.rlistings')."]
    solution = ("!openstack container create day3-exercise-public -f value -c container\n"
                "!openstack container set --property labkit-lesson=04 day3-exercise-public\n"
                "!cd {work} && echo public > index.txt && "
                "openstack object create day3-exercise-public index.txt -f value -c object\n"
                "!swift {swift_auth} post -r '.r:*' day3-exercise-public")

    def evaluate(self, conn):
        if _container_or_none(conn, PUBLIC_CONTAINER) is None:
            return NotAttempted(f"There is no container {PUBLIC_CONTAINER} yet.")
        if not containers.is_marked(conn, PUBLIC_CONTAINER, containers.LESSON):
            return Incorrect(f"{PUBLIC_CONTAINER} lacks the lesson mark: `openstack container "
                             f"set --property labkit-lesson=04 {PUBLIC_CONTAINER}`.")
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

    hints = ["Create the container and mark it as in exercise 1 (create_container, then "
             "set_container_metadata). The partner's project ID is partner_project.",
             "A write ACL element for every user of a project is '<project_id>:*'; the SDK "
             "sets X-Container-Write with set_container_metadata(container, write_ACL=...).",
             "conn.object_store.set_container_metadata('day3-exercise-dropbox', "
             "write_ACL=f'{partner_project}:*')"]
    solution = ("conn.object_store.create_container(name='day3-exercise-dropbox')\n"
                "conn.object_store.set_container_metadata('day3-exercise-dropbox',\n"
                "                                         write_ACL=f'{partner_project}:*',\n"
                "                                         **{'labkit-lesson': '04'})")

    def __init__(self, conn, partner_project_id):
        super().__init__(conn)
        self.partner_project_id = partner_project_id

    def evaluate(self, conn):
        meta = _container_or_none(conn, DROPBOX_CONTAINER)
        if meta is None:
            return NotAttempted(f"There is no container {DROPBOX_CONTAINER} yet.")
        if not containers.is_marked(conn, DROPBOX_CONTAINER, containers.LESSON):
            return Incorrect(f"{DROPBOX_CONTAINER} lacks the lesson mark: give it the "
                             f"metadata labkit-lesson=04.")
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
