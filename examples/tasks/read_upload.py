import os

from flask import Flask, request, send_file

app = Flask(__name__)
UPLOADS = "/srv/uploads"


@app.route("/download")
def download():
    '''
    Read the file name from the request's "name" parameter and send that file
    from the UPLOADS folder to the client.
    '''
