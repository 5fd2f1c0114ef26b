import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def user_lookup():
    name = request.args.get("name", "")
    conn = sqlite3.connect("users.db")
    cursor = conn.cursor()
    cursor.execute("SELECT id, email FROM users WHERE name = ?", (name,))
    row = cursor.fetchone()
    return {"id": row[0], "email": row[1]} if row else ({}, 404)


if __name__ == "__main__":
    app.run()
