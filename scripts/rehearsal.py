#!/usr/bin/env python3
"""The HTTP side of the Heroku rehearsal (scripts/rehearsal runs it): a router in front of the
web process, the browser that clicks through it, and checks of the Heroku files.

Standard library only, so that a fresh CI machine needs nothing but python3.

  rehearsal.py check-files REPO
  rehearsal.py router --https-port P --http-port Q --upstream PORT --cert C --key K
  rehearsal.py wait-healthy URL SINCE_EPOCH_SECONDS
  rehearsal.py smoke HTTPS_BASE HTTP_BASE CAFILE SECRETS_FILE
  rehearsal.py slow-request HTTPS_BASE CAFILE APP_PORT WEB_PID SIGTERM_AT_FILE
"""

import http.client
import http.cookiejar
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' https://i.scdn.co https://mosaic.scdn.co https://image-cdn-ak.spotifycdn.com https://image-cdn-fa.spotifycdn.com data:; connect-src 'self'; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HSTS = "max-age=31536000; includeSubDomains"
# Heroku's router gives up on a request after 30 seconds (error H12).
ROUTER_TIMEOUT = 30


def fail(message):
    print(f"rehearsal: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


# --- The Heroku files ------------------------------------------------------------------------

DYNO_SIZES = {"eco", "basic", "standard-1x", "standard-2x", "performance-m", "performance-l",
              "private-s", "private-m", "private-l", "shield-s", "shield-m", "shield-l"}
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def check_formation(formation, where):
    check(isinstance(formation, dict), f"{where}.formation is an object")
    for process, dyno in formation.items():
        check(re.match(r"^[a-zA-Z0-9_-]+$", process), f"{where}.formation: process {process}")
        check(isinstance(dyno, dict) and set(dyno) <= {"quantity", "size"},
              f"{where}.formation.{process} has only quantity and size")
        check(isinstance(dyno.get("quantity"), int) and dyno["quantity"] >= 0,
              f"{where}.formation.{process}.quantity is a whole number")
        if "size" in dyno:
            check(dyno["size"] in DYNO_SIZES, f"{where}.formation.{process}.size {dyno['size']}")


def check_addons(addons, where):
    check(isinstance(addons, list), f"{where}.addons is a list")
    for addon in addons:
        if isinstance(addon, dict):
            check("plan" in addon and set(addon) <= {"plan", "as", "options"},
                  f"{where}.addons: {addon}")
        else:
            check(isinstance(addon, str), f"{where}.addons: {addon}")


def check_files(repo):
    """app.json against the rules of Heroku's app.json schema; Procfile; RustConfig."""
    with open(os.path.join(repo, "app.json")) as file:
        app = json.load(file)
    allowed = {"name", "description", "keywords", "website", "repository", "logo",
               "success_url", "scripts", "env", "formation", "addons", "buildpacks",
               "environments", "stack", "image"}
    check(set(app) <= allowed, f"app.json: unknown keys {set(app) - allowed}")
    check(re.match(r"^[a-zA-Z-_. ]+$", app["name"]), "app.json: name")
    for name, spec in app.get("env", {}).items():
        check(ENV_NAME.match(name), f"app.json: env name {name}")
        check(isinstance(spec, dict)
              and set(spec) <= {"description", "value", "required", "generator"},
              f"app.json: env.{name} is an object of description/value/required/generator")
        check(spec.get("generator", "secret") == "secret", f"app.json: env.{name}.generator")
        check(isinstance(spec.get("value", ""), str), f"app.json: env.{name}.value is a string")
        check(isinstance(spec.get("required", False), bool), f"app.json: env.{name}.required")
    check_formation(app.get("formation", {}), "app.json")
    check_addons(app.get("addons", []), "app.json")
    check(any(isinstance(a, dict) and a["plan"] == "heroku-postgresql:essential-0"
              for a in app["addons"]), "app.json: Heroku Postgres essential-0")
    for buildpack in app.get("buildpacks", []):
        check(set(buildpack) == {"url"}, f"app.json: buildpack {buildpack}")
    check(app["buildpacks"] == [{"url": "emk/rust"}], "app.json: the Rust buildpack")
    environments = app.get("environments", {})
    check(set(environments) <= {"test", "review", "production"}, "app.json: environments")
    review = environments.get("review")
    check(review is not None, "app.json: an environments.review section")
    check(set(review) <= {"env", "formation", "addons", "buildpacks", "scripts"},
          "app.json: environments.review keys")
    check(review["env"].get("EUTERPE_DEMO") == "1", "review apps run in demo mode")
    check_formation(review.get("formation", {}), "app.json environments.review")
    check_addons(review.get("addons", []), "app.json environments.review")
    check(app["env"]["TOKEN_ENCRYPTION_KEY"].get("generator") == "secret",
          "TOKEN_ENCRYPTION_KEY is generated")

    with open(os.path.join(repo, "Procfile")) as file:
        processes = dict(line.split(":", 1) for line in file.read().splitlines() if line.strip())
    check(set(processes) == {"web", "release", "worker"}, f"Procfile processes {set(processes)}")
    check("HOST=0.0.0.0" in processes["web"] and processes["web"].strip().endswith(" serve"),
          "Procfile: web binds 0.0.0.0:$PORT")
    check(processes["release"].strip().endswith(" migrate"), "Procfile: release migrates")
    check(processes["worker"].strip().endswith(" worker"), "Procfile: worker")

    with open(os.path.join(repo, "RustConfig")) as file:
        config = dict(line.split("=", 1) for line in file.read().split())
    check(re.match(r"^\d+\.\d+\.\d+$", config.get("VERSION", "")), "RustConfig: VERSION=x.y.z")
    check(not os.path.exists(os.path.join(repo, "rust-toolchain.toml")),
          "no rust-toolchain.toml (the buildpack reads RustConfig)")
    print("rehearsal: app.json, Procfile and RustConfig are as Heroku reads them")


# --- The router ------------------------------------------------------------------------------

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
              "trailer", "upgrade"}


def router_handler(upstream_port, proto, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # the web process logs each request itself
            pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {name: value for name, value in self.headers.items()
                       if name.lower() not in HOP_BY_HOP}
            # What Heroku's router adds: the client's address appended, the protocol and port
            # it was reached on, and a request id.
            previous = self.headers.get("X-Forwarded-For")
            client = self.client_address[0]
            headers["X-Forwarded-For"] = f"{previous}, {client}" if previous else client
            headers["X-Forwarded-Proto"] = proto
            headers["X-Forwarded-Port"] = str(port)
            headers["X-Request-Id"] = str(uuid.uuid4())
            try:
                connection = http.client.HTTPConnection("127.0.0.1", upstream_port,
                                                        timeout=ROUTER_TIMEOUT)
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                status, reason, response_headers = (response.status, response.reason,
                                                    response.getheaders())
                connection.close()
            except socket.timeout:
                status, reason, data = 503, "Service Unavailable", b"H12 Request timeout\n"
                response_headers = [("Content-Type", "text/plain")]
            except OSError:
                status, reason, data = 503, "Service Unavailable", b"H13 Connection closed\n"
                response_headers = [("Content-Type", "text/plain")]
            self.send_response(status, reason)
            for name, value in response_headers:
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = forward

    return Handler


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def router(https_port, http_port, upstream_port, cert, key):
    """Heroku's router, locally: HTTPS (TLS ends here) and plain HTTP, both forwarded over HTTP
    with X-Forwarded-Proto saying which."""
    secure = ThreadingServer(("127.0.0.1", https_port),
                             router_handler(upstream_port, "https", https_port))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    plain = ThreadingServer(("127.0.0.1", http_port),
                            router_handler(upstream_port, "http", http_port))
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    print(f"rehearsal: router on https://localhost:{https_port} and "
          f"http://localhost:{http_port} -> 127.0.0.1:{upstream_port}", flush=True)
    secure.serve_forever()


# --- The browser -----------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, no automatic redirects (each hop is checked), trusts the rehearsal's CA."""

    def __init__(self, cafile):
        self.cookies = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(self.cookies),
            urllib.request.HTTPSHandler(context=context))

    def request(self, url, method="GET", form=None, headers=None, timeout=60):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


def wait_healthy(url, since):
    """Polls URL until it answers 200; prints the seconds since SINCE (the process start)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    print(f"{time.time() - since:.3f}")
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.01)
    fail(f"{url} not healthy within Heroku's 60 s boot limit")


def log_in(browser, base, persona="alice"):
    """Through the demo's sign-in page, as a person would. Returns the callback's code and
    state (which must never appear in the logs)."""
    status, headers, _ = browser.request(f"{base}/login")
    check(status == 302, f"/login answered {status}")
    authorize = headers["Location"]
    check(authorize.startswith(f"{base}/demo-spotify/authorize?"),
          f"/login sends the browser to the demo's page under this origin: {authorize}")
    status, _, page = browser.request(authorize)
    check(status == 200 and persona in page, f"the demo's sign-in page answered {status}")
    link = next(link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', page)
                if f"persona={persona}" in link)
    status, headers, _ = browser.request(urllib.parse.urljoin(authorize, link))
    check(status == 302, f"approving at the demo answered {status}")
    callback = headers["Location"]
    check(callback.startswith(f"{base}/callback?"), f"back to this origin: {callback}")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    status, headers, body = browser.request(callback, timeout=60)
    check(status == 303 and headers["Location"] == "/", f"/callback answered {status}: {body}")
    return query["code"], query["state"]


def smoke(base, http_base, cafile, secrets_file):
    """Login, a panel and logout through the router, with its headers checked."""
    browser = Browser(cafile)
    status, headers, body = browser.request(f"{base}/healthz")
    check(status == 200 and body == "ok\n", f"/healthz: {status} {body!r}")

    # Plain HTTP at the router: moved to HTTPS (on its default port, as on Heroku, where the
    # router serves ports 80 and 443; this router's ports are others, so the target is checked,
    # not followed), except the health check.
    status, headers, _ = Browser(cafile).request(f"{http_base}/account?time_range=long_term")
    host = urllib.parse.urlsplit(http_base).hostname
    https_account = f"https://{host}/account?time_range=long_term"
    check(status == 301 and headers["Location"] == https_account,
          f"plain HTTP answered {status} {headers.get('Location')}")
    status, _, _ = Browser(cafile).request(f"{http_base}/healthz")
    check(status == 200, f"/healthz over plain HTTP answered {status}")

    status, headers, page = browser.request(f"{base}/")
    check(status == 200 and "Demo data." in page, f"landing page {status}")
    check(headers["Content-Security-Policy"] == CSP, f"CSP: {headers['Content-Security-Policy']}")
    check(headers["Strict-Transport-Security"] == HSTS, "HSTS over HTTPS")
    check(headers["X-Content-Type-Options"] == "nosniff", "nosniff")
    check(headers["Referrer-Policy"] == "same-origin", "Referrer-Policy")

    code, state = log_in(browser, base)
    session = next((cookie for cookie in browser.cookies
                    if cookie.name == "__Host-euterpe_session"), None)
    check(session is not None and session.secure and session.path == "/",
          "a Secure __Host- session cookie")
    status, _, page = browser.request(f"{base}/")
    check(status == 200 and "Your listening" in page, f"dashboard {status}")
    status, _, panel = browser.request(f"{base}/top_songs", headers={"HX-Request": "true"})
    check(status == 200 and "<table" in panel and "<html" not in panel,
          f"the Top songs panel fragment: {status}")

    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    status, _, _ = browser.request(f"{base}/logout", method="POST", form={"csrf": csrf},
                                   headers={"Origin": "https://evil.example"})
    check(status == 403, f"a cross-site logout answered {status}")
    status, headers, _ = browser.request(f"{base}/logout", method="POST", form={"csrf": csrf},
                                         headers={"Origin": base})
    check(status == 303 and headers["Location"] == "/?logged_out=1", f"logout {status}")
    status, _, page = browser.request(f"{base}/?logged_out=1")
    check("You are logged out." in page, "logged out")
    status, _, _ = browser.request(f"{base}/account")
    check(status == 401, f"/account after logout answered {status}")

    with open(secrets_file, "a") as file:
        file.write(f"{code}\n{state}\n{session.value}\n")
    print("rehearsal: smoke test passed (login, Top songs, logout; headers; HTTP to HTTPS)")


def slow_request(base, cafile, app_port, pid, sigterm_at_file):
    """With a slow Spotify: a panel request in flight, then SIGTERM. The request must finish,
    and new connections must be refused."""
    browser = Browser(cafile)
    log_in(browser, base)
    result = {}

    def ask():
        started = time.time()
        # A range the earlier smoke test did not fetch, so that nothing is cached for it.
        result["answer"] = browser.request(f"{base}/top_songs?time_range=short_term",
                                           headers={"HX-Request": "true"})
        result["seconds"] = time.time() - started

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(1.0)  # the request is now inside Euterpe, waiting on the slow fake Spotify
    check("answer" not in result, "the slow request was not slow")
    with open(sigterm_at_file, "w") as file:
        file.write(f"{time.time()}\n")
    os.kill(pid, signal.SIGTERM)
    time.sleep(0.3)
    try:
        socket.create_connection(("127.0.0.1", app_port), timeout=2).close()
        fail("the web process still accepts connections after SIGTERM")
    except ConnectionRefusedError:
        pass
    asking.join(timeout=60)
    status, _, panel = result.get("answer", (None, None, ""))
    check(status == 200 and "<table" in panel,
          f"the request in flight at SIGTERM did not finish normally: {status}")
    print(f"rehearsal: the request in flight at SIGTERM finished with 200 after "
          f"{result['seconds']:.1f} s; new connections were refused")


def main(args):
    command = args[0] if args else ""
    if command == "check-files":
        check_files(args[1])
    elif command == "router":
        options = dict(zip(args[1::2], args[2::2]))
        router(int(options["--https-port"]), int(options["--http-port"]),
               int(options["--upstream"]), options["--cert"], options["--key"])
    elif command == "wait-healthy":
        wait_healthy(args[1], float(args[2]))
    elif command == "smoke":
        smoke(*args[1:5])
    elif command == "slow-request":
        slow_request(args[1], args[2], int(args[3]), int(args[4]), args[5])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
