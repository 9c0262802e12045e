#!/usr/bin/env node
// A complete fakealianza client in Node (18 or later) with built-in fetch and
// no packages.
//
// Logs in, creates an account and an end user, activates a number and routes
// it to the user, survives a rejected token (401) by logging in again, and
// fetches the newest CDR file of the datafeed over SFTP with OpenSSH's sftp
// (Node has no SFTP client built in).
//
// Settings come from the environment; the defaults fit `fakealianza` started
// with no flags:
//
//   FAKEALIANZA_URL            http://127.0.0.1:8080
//   FAKEALIANZA_USER           admin@example.com
//   FAKEALIANZA_PASSWORD       fakealianza
//   FAKEALIANZA_PARTITION      fakePartitionAlpha0001
//   FAKEALIANZA_SFTP           127.0.0.1:10022 ("off" skips the CDR step)
//   FAKEALIANZA_SFTP_USER      datafeed
//   FAKEALIANZA_SFTP_PASSWORD  fakealianza

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import assert from "node:assert/strict";

const env = process.env;
const BASE = env.FAKEALIANZA_URL ?? "http://127.0.0.1:8080";
const USER = env.FAKEALIANZA_USER ?? "admin@example.com";
const PASSWORD = env.FAKEALIANZA_PASSWORD ?? "fakealianza";
const PARTITION = env.FAKEALIANZA_PARTITION ?? "fakePartitionAlpha0001";
const SFTP = env.FAKEALIANZA_SFTP ?? "127.0.0.1:10022";
const SFTP_USER = env.FAKEALIANZA_SFTP_USER ?? "datafeed";
const SFTP_PASSWORD = env.FAKEALIANZA_SFTP_PASSWORD ?? "fakealianza";

class APIError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}: ${body}`);
    this.status = status;
    this.body = body;
  }
}

// Client calls the API with a token, logging in again once when it is refused.
class Client {
  constructor(base, username, password) {
    Object.assign(this, { base, username, password, token: null, logins: 0 });
  }

  async send(method, path, body, token) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers["X-AUTH-TOKEN"] = token;
    const resp = await fetch(this.base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await resp.text();
    if (!resp.ok) throw new APIError(resp.status, text);
    return text ? JSON.parse(text) : null;
  }

  async login() {
    const answer = await this.send("POST", "/v2/authorize", { username: this.username, password: this.password });
    this.token = answer.authToken;
    this.logins++;
  }

  async call(method, path, body) {
    if (!this.token) await this.login();
    try {
      return await this.send(method, path, body, this.token);
    } catch (e) {
      if (!(e instanceof APIError) || e.status !== 401) throw e;
      // Expired, logged out or unknown: log in again, try once more.
      console.log(`  token refused (401 ${e.body}); logging in again`);
      await this.login();
      return this.send(method, path, body, this.token);
    }
  }
}

// fetchNewestCDRFile downloads the newest published CDR file with OpenSSH
// sftp and returns its path and rows.
function fetchNewestCDRFile(now) {
  const [host, port] = [SFTP.slice(0, SFTP.lastIndexOf(":")), SFTP.slice(SFTP.lastIndexOf(":") + 1)];
  // A file appears once its hour has closed plus the lag (5 minutes).
  const hour = new Date(now.getTime() - 65 * 60_000);
  const iso = hour.toISOString(); // 2026-03-04T14:...
  const day = iso.slice(0, 10).replaceAll("-", "");
  const name = `cdr_${PARTITION}_${day}T${iso.slice(11, 13)}00Z.csv.gz`;
  const remote = `/cdr/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${name}`;
  const tmp = mkdtempSync(join(tmpdir(), "fakealianza-"));
  try {
    const askpass = join(tmp, "askpass");
    writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$FA_SFTP_PASSWORD"\n', { mode: 0o700 });
    execFileSync("sftp", [
      "-P", port, "-o", "BatchMode=no", "-o", "StrictHostKeyChecking=accept-new", "-o", "LogLevel=ERROR",
      "-o", `UserKnownHostsFile=${join(tmp, "known_hosts")}`, "-b", "-", `${SFTP_USER}@${host}`,
    ], {
      input: `get ${remote} ${tmp}/\n`,
      env: { ...env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", FA_SFTP_PASSWORD: SFTP_PASSWORD },
      stdio: ["pipe", "ignore", "inherit"],
    });
    const rows = gunzipSync(readFileSync(join(tmp, name))).toString("utf8").split("\r\n").filter(Boolean);
    return { remote, rows };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const api = new Client(BASE, USER, PASSWORD);
const p = `/v2/partition/${PARTITION}`;
const suffix = Date.now().toString(36);

await api.login();
console.log(`logged in as ${USER}`);

const account = await api.call("POST", `${p}/account`, {
  accountNumber: `NODE-${suffix}`, accountName: "Node example", accountType: "ADVANCED",
  billingCycleDay: 1, timeZone: "US/Mountain", dialingBehaviorType: "OPEN_DIAL_PLAN", extensionLength: 4,
});
const a = `${p}/account/${account.id}`;
console.log(`account ${account.accountNumber} -> ${account.id}`);

const user = await api.call("POST", `${a}/user`, {
  username: `node-${suffix}@example.com`, firstName: "Pat", lastName: "Node", extension: "2001",
});
console.log(`end user ${user.username} -> ${user.id}`);

// An available number near Salt Lake City, activated on the account and
// routed to the user.
const [found] = await api.call("GET", `${p}/telephonenumber/search?q=84101&maxResults=1`);
const tn = found.phoneNumber;
const csr = {
  businessName: "Node example", streetNumber: "100", streetName: "MAIN", streetSuffix: "ST",
  city: "SALT LAKE CITY", state: "UT", country: "USA", postalCode: "84101", customerType: "BUSINESS",
};
await api.call("POST", `${a}/telephonenumber`, {
  customerServiceRecord: csr, directoryListing: { type: "NOT_LIST_NOT_PUBLISH" }, telephoneNumbers: [{ phoneNumber: tn }],
});
await api.call("PUT", `${a}/telephonenumber/${tn}/destination`,
  { referenceType: "END_USER", referenceId: user.id, assignAsCallerId: true });
console.log(`number ${tn} routed to ${user.username}`);

// The token stops working (here: logged out; in real life it expires).
await api.send("PUT", "/v2/authorize/logout", undefined, api.token);
const number = await api.call("GET", `${a}/telephonenumber/${tn}`);
assert.equal(number.referenceId, user.id);
assert.equal(api.logins, 2);
console.log(`read ${tn} back after logging in again: routed to ${number.referenceType}`);

if (SFTP !== "off") {
  const clock = await api.send("GET", "/__admin/clock");
  const { remote, rows } = fetchNewestCDRFile(new Date(clock.now));
  console.log(`${remote}: ${rows.length - 1} records; columns: ${rows[0].slice(0, 60)}...`);
}
