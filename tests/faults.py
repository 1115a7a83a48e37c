"""What the fault tests start and stop: a Redis server, Celery workers, a PostgreSQL cluster, the
app served by gunicorn and an SMTP server that counts what it receives. Each is stopped by the
fixture that started it, even when the test fails."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import connection

BIN = Path(settings.BASE_DIR) / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds: float = 60, every: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop_group(process: subprocess.Popen, sig=signal.SIGTERM, seconds: float = 10) -> None:
    """Stop a process started in its own session, with everything it started."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(seconds)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(seconds)


class RedisServer:
    """A private redis-server on a free loopback port, never the shared one."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert wait_for(lambda: _port_open(self.port), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)


class Mailbox(socketserver.ThreadingTCPServer):
    """An SMTP server that takes `delay` seconds per message and records each recipient: the
    effects, counted outside the database that the tasks deduplicate with."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.recipients: list[str] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def counts(self) -> Counter:
        with self.lock:
            return Counter(self.recipients)

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 mailbox")
        recipients = []
        for raw in self.rfile:
            line = raw.decode(errors="replace").rstrip("\r\n")
            command = line[:4].upper()
            if command == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 go on")
                for data in self.rfile:
                    if data in (b".\r\n", b".\n"):
                        break
                time.sleep(self.server.delay)
                with self.server.lock:
                    self.server.recipients.extend(recipients)
                recipients = []
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RSET, NOOP
                if command in ("MAIL", "RSET"):
                    recipients = []
                self.reply("250 ok")


def database_url() -> str:
    """The database this test run uses, for the processes it starts."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


class Processes:
    """Starts workers and servers in their own sessions, and stops them all at the end."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.started.append(process)
        return process

    def worker(self, name: str, *, broker_url: str, env: dict, beat: bool = False):
        command = [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            f"--hostname={name}@%h",
        ]
        if beat:
            command += ["--beat", f"--schedule={self.logdir / 'beat-schedule'}"]
        return self.start(
            name,
            command,
            {
                "DATABASE_URL": database_url(),
                "CELERY_BROKER_URL": broker_url,
                # A killed worker's message goes to the next one within seconds, not an hour.
                "CELERY_VISIBILITY_TIMEOUT": "3",
                "CELERY_RESTORE_INTERVAL": "1",
                "CELERY_RESTORE_THROTTLE": "1",
                **env,
            },
        )

    def serve(self, name: str, *, env: dict) -> int:
        """The app as deployed (DEBUG off), in one gunicorn worker on a free port."""
        port = free_port()
        self.start(
            name,
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--timeout=60",
            ],
            {
                "DEBUG": "0",
                # The test process signs the sessions it hands to the served app.
                "SECRET_KEY": settings.SECRET_KEY,
                "SECURE_SSL_REDIRECT": "0",
                "DJANGO_SETTINGS_MODULE": "tests.served_settings",
                "LOG_LEVEL": "ERROR",
                "DATABASE_URL": database_url(),
                **env,
            },
        )
        assert wait_for(lambda: _port_open(port), 60, 0.2), "gunicorn did not start"
        return port

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL, to the process and its pool: what a lost machine does to a worker."""
        stop_group(process, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in self.started:
            stop_group(process)
            process.log.close()


class PostgresCluster:
    """A private PostgreSQL cluster in a temporary folder, on a free port."""

    def __init__(self):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        assert versions, "no PostgreSQL binaries under /usr/lib/postgresql"
        self.bin = versions[-1].parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="liaison-pg-"))
        self.data = self.dir / "data"
        # initdb refuses to run as root: the cluster belongs to the postgres user then.
        self.as_user = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            args,
            check=True,
            capture_output=True,
            timeout=60,
            cwd=self.dir,
            **self.as_user,
            **kwargs,
        )

    def init(self) -> None:
        self.run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self.run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.dir / "log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def copy_database(self, name: str) -> str:
        """A copy of the test database in this cluster; returns its URL."""
        db = connection.settings_dict
        self.run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                 "postgres", name)  # fmt: skip
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "-h", db["HOST"] or "127.0.0.1",
             "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
            check=True, capture_output=True, timeout=60,
            env={**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""},
        ).stdout  # fmt: skip
        self.run(str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                 "-p", str(self.port), "-U", "postgres", "-d", name, input=dump)  # fmt: skip
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Browser:
    """Just enough of a browser to talk to a served app: a session cookie, the CSRF token."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.cookies = {settings.SESSION_COOKIE_NAME: session_key}
        self.csrf_token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        body = None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode({"csrfmiddlewaretoken": self.csrf_token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if token:
            self.csrf_token = token.group(1)
        return response, text
