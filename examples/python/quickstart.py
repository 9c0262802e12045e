#!/usr/bin/env python3
"""A complete fakealianza client with Python's standard library only.

Logs in, creates an account and an end user, activates a number and routes
it to the user, survives a rejected token (401) by logging in again, and
fetches the newest CDR file of the datafeed over SFTP with OpenSSH's sftp
(Python's standard library has no SFTP client).

Settings come from the environment; the defaults fit `fakealianza` started
with no flags:

  FAKEALIANZA_URL            http://127.0.0.1:8080
  FAKEALIANZA_USER           admin@example.com
  FAKEALIANZA_PASSWORD       fakealianza
  FAKEALIANZA_PARTITION      fakePartitionAlpha0001
  FAKEALIANZA_SFTP           127.0.0.1:10022 ("off" skips the CDR step)
  FAKEALIANZA_SFTP_USER      datafeed
  FAKEALIANZA_SFTP_PASSWORD  fakealianza
"""

import datetime
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

BASE = os.environ.get("FAKEALIANZA_URL", "http://127.0.0.1:8080")
USER = os.environ.get("FAKEALIANZA_USER", "admin@example.com")
PASSWORD = os.environ.get("FAKEALIANZA_PASSWORD", "fakealianza")
PARTITION = os.environ.get("FAKEALIANZA_PARTITION", "fakePartitionAlpha0001")
SFTP = os.environ.get("FAKEALIANZA_SFTP", "127.0.0.1:10022")
SFTP_USER = os.environ.get("FAKEALIANZA_SFTP_USER", "datafeed")
SFTP_PASSWORD = os.environ.get("FAKEALIANZA_SFTP_PASSWORD", "fakealianza")


class APIError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Client:
    """Calls the API with a token, logging in again once when it is refused."""

    def __init__(self, base, username, password):
        self.base, self.username, self.password = base, username, password
        self.token = None
        self.logins = 0

    def _send(self, method, path, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("X-AUTH-TOKEN", token)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            raise APIError(e.code, e.read().decode(errors="replace")) from None
        return json.loads(raw) if raw else None

    def login(self):
        answer = self._send("POST", "/v2/authorize",
                            {"username": self.username, "password": self.password})
        self.token = answer["authToken"]
        self.logins += 1

    def call(self, method, path, body=None):
        if self.token is None:
            self.login()
        try:
            return self._send(method, path, body, self.token)
        except APIError as e:
            if e.status != 401:
                raise
            # Expired, logged out or unknown: log in again, try once more.
            print(f"  token refused (401 {e.body}); logging in again")
            self.login()
            return self._send(method, path, body, self.token)


def fetch_newest_cdr_file(now):
    """Downloads the newest published CDR file with OpenSSH sftp; returns its rows."""
    host, port = SFTP.rsplit(":", 1)
    # A file appears once its hour has closed plus the lag (5 minutes).
    hour = (now - datetime.timedelta(minutes=65)).replace(minute=0, second=0, microsecond=0)
    name = f"cdr_{PARTITION}_{hour:%Y%m%dT%H}00Z.csv.gz"
    remote = f"/cdr/{hour:%Y/%m/%d}/{name}"
    with tempfile.TemporaryDirectory() as tmp:
        askpass = os.path.join(tmp, "askpass")
        with open(askpass, "w") as f:
            f.write('#!/bin/sh\nprintf "%s\\n" "$FA_SFTP_PASSWORD"\n')
        os.chmod(askpass, 0o700)
        env = dict(os.environ, SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force",
                   FA_SFTP_PASSWORD=SFTP_PASSWORD)
        subprocess.run(
            ["sftp", "-P", port, "-o", "BatchMode=no",
             "-o", "StrictHostKeyChecking=accept-new", "-o", "LogLevel=ERROR",
             "-o", "UserKnownHostsFile=" + os.path.join(tmp, "known_hosts"),
             "-b", "-", f"{SFTP_USER}@{host}"],
            input=f"get {remote} {tmp}/\n", text=True, env=env, check=True,
            stdout=subprocess.DEVNULL)
        with gzip.open(os.path.join(tmp, name), "rt", newline="") as f:
            lines = f.read().split("\r\n")
    rows = [line for line in lines if line]
    return remote, rows


def main():
    api = Client(BASE, USER, PASSWORD)
    p = f"/v2/partition/{PARTITION}"
    suffix = datetime.datetime.now(datetime.timezone.utc).strftime("%H%M%S%f")

    api.login()
    print(f"logged in as {USER}")

    account = api.call("POST", f"{p}/account", {
        "accountNumber": f"PY-{suffix}", "accountName": "Python example",
        "accountType": "ADVANCED", "billingCycleDay": 1, "timeZone": "US/Mountain",
        "dialingBehaviorType": "OPEN_DIAL_PLAN", "extensionLength": 4,
    })
    a = f"{p}/account/{account['id']}"
    print(f"account {account['accountNumber']} -> {account['id']}")

    user = api.call("POST", f"{a}/user", {
        "username": f"py-{suffix}@example.com", "firstName": "Pat",
        "lastName": "Python", "extension": "2001",
    })
    print(f"end user {user['username']} -> {user['id']}")

    # An available number near Salt Lake City, activated on the account
    # and routed to the user.
    found = api.call("GET", f"{p}/telephonenumber/search?q=84101&maxResults=1")
    tn = found[0]["phoneNumber"]
    csr = {"businessName": "Python example", "streetNumber": "100", "streetName": "MAIN",
           "streetSuffix": "ST", "city": "SALT LAKE CITY", "state": "UT",
           "country": "USA", "postalCode": "84101", "customerType": "BUSINESS"}
    api.call("POST", f"{a}/telephonenumber", {
        "customerServiceRecord": csr,
        "directoryListing": {"type": "NOT_LIST_NOT_PUBLISH"},
        "telephoneNumbers": [{"phoneNumber": tn}],
    })
    api.call("PUT", f"{a}/telephonenumber/{tn}/destination",
             {"referenceType": "END_USER", "referenceId": user["id"], "assignAsCallerId": True})
    print(f"number {tn} routed to {user['username']}")

    # The token stops working (here: logged out; in real life it expires).
    api._send("PUT", "/v2/authorize/logout", token=api.token)
    number = api.call("GET", f"{a}/telephonenumber/{tn}")
    assert number["referenceId"] == user["id"], number
    assert api.logins == 2, api.logins
    print(f"read {tn} back after logging in again: routed to {number['referenceType']}")

    if SFTP == "off":
        return
    clock = api._send("GET", "/__admin/clock")
    now = datetime.datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
    remote, rows = fetch_newest_cdr_file(now)
    print(f"{remote}: {len(rows) - 1} records; columns: {rows[0][:60]}...")


if __name__ == "__main__":
    if shutil.which("sftp") is None and SFTP != "off":
        sys.exit("OpenSSH sftp is needed for the CDR step (or set FAKEALIANZA_SFTP=off)")
    main()
