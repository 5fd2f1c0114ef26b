import json
import os
import tarfile
import tempfile

REPORTS = "/srv/reports"


def archive_folder(folder):
    """Compress a folder chosen by the caller into /tmp/backup.tar.gz."""
    # tarfile instead of a shell: the folder name is never parsed as a command.
    with tarfile.open(os.path.join(tempfile.gettempdir(), "backup.tar.gz"), "w:gz") as archive:
        archive.add(folder, arcname=os.path.basename(os.path.normpath(folder)))


def load_settings(blob):
    """Restore settings received from a client."""
    return json.loads(blob)


def read_report(name):
    """Return the text of a report stored under /srv/reports."""
    path = os.path.realpath(os.path.join(REPORTS, name))
    if not path.startswith(REPORTS + os.sep):
        raise ValueError("report outside the reports folder")
    with open(path) as handle:
        return handle.read()
