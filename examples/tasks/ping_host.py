import subprocess


def ping(host):
    '''
    Ping the given host once and return True when it answers.
    '''
