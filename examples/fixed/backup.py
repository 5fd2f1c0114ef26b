import json
import os
import subprocess

REPORTS = "/srv/reports"


def archive_folder(folder):
    """Compress a folder chosen by the caller into /tmp/backup.tar.gz."""
    subprocess.run(["tar", "czf", "/tmp/backup.tar.gz", "--", folder], check=True)


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
