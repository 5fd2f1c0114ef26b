import os
import pickle
import subprocess


def archive_folder(folder):
    """Compress a folder chosen by the caller into /tmp/backup.tar.gz."""
    subprocess.call("tar czf /tmp/backup.tar.gz " + folder, shell=True)


def load_settings(blob):
    """Restore settings received from a client."""
    return pickle.loads(blob)


def read_report(name):
    """Return the text of a report stored under /srv/reports."""
    with open(os.path.join("/srv/reports", name)) as handle:
        return handle.read()
