#!/usr/bin/env python3
"""Figures for «Safe to put online» (make bench-hostile): the real server binary, a fresh
SQLite database, and

1. a login storm: 64 concurrent wrong passwords for one account — how many were
   checked (422) and refused early (429), the most password hashes that ran at once
   (the server prints it at exit), and the memory it added beside the idle server's;
2. a hostile corpus: every server function found in src/ (its parameters read from its
   signature), each called many times with hostile values (markup, control characters,
   bidi overrides, 60,000-character texts, huge numbers), plus million-entry lists, deeply
   nested bodies, and hostile uploads (a sparse and a fan-out XLSX, a 50 MB single-cell
   CSV, a zip bomb): how many calls, how many HTTP 500, whether the process died, its
   peak memory.

Standard library only. Usage: bench/hostile.py BINARY (run from the repository root).
"""

import concurrent.futures
import http.cookiejar
import io
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile

ADMIN = ("admin@hostile.test", "Chaudiere-Hostile-2026")
TARGET = ("cible@hostile.test", "Chaudiere-Cible-2026")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def send(self, path, data=None, content_type=None, timeout=60):
        req = urllib.request.Request(self.base + path, data=data)
        if content_type:
            req.add_header("Content-Type", content_type)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            e.read()
            return e.code
        except (ConnectionError, urllib.error.URLError, TimeoutError, OSError):
            return 0  # the server closed a connection it refused to read (a body too large)

    def call(self, endpoint, pairs):
        body = urllib.parse.urlencode(pairs).encode()
        return self.send("/api/" + endpoint, body, "application/x-www-form-urlencoded")

    def upload(self, path, name, data):
        boundary = "----ouvrage-hostile"
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        body = head + data + f"\r\n--{boundary}--\r\n".encode()
        return self.send(path, body, f"multipart/form-data; boundary={boundary}", timeout=180)


def server_functions():
    """(endpoint, [parameter names]) of every #[server] function of src/."""
    out = []
    pattern = re.compile(r'#\[server\([^)]*endpoint\s*=\s*"([^"]+)"\)\]\s*pub async fn \w+\s*\((.*?)\)\s*->', re.S)
    for root, _, files in os.walk("src"):
        for f in files:
            if f.endswith(".rs"):
                text = open(os.path.join(root, f), encoding="utf-8").read()
                for endpoint, params in pattern.findall(text):
                    names = []
                    for p in re.split(r",\s*(?![^<]*>)", params):
                        m = re.match(r"\s*(?:#\[server\([^)]*\)\]\s*)?(\w+)\s*:\s*(.+)", p.strip())
                        if m:
                            names.append((m.group(1), "Vec<" in m.group(2)))
                    out.append((endpoint, names))
    return sorted(out)


CORPUS = [
    "", "x", "1", "-1", "0", "99999999999999999999", "1e309", "NaN", "2026-02-30", "31/12/2026",
    "</textarea><b id=pwn>X</b>", "\"><svg onload=alert(1)>", "</title><meta http-equiv=refresh content=0>",
    "<form action=/api/users/create method=post><button>OK</button></form>",
    "Dupont\nBcc: x@evil.example", "a\r\nSubject: pwn", "Du\x00pont", "\x1b[2J", "abc\u202egpj.exe", "\u2066x\u2069",
    "' OR 1=1 --", "%_\\", "MATCH x", "../../etc/passwd", "\u0301", "😀" * 50, "é" * 60_000, "A" * 60_000,
    '{"a":' * 50 + "1" + "}" * 50, "=cmd|' /C calc'!A0", "\x00=1+1", "@SUM(1)",
]


def xlsx(sheet_xml, shared_xml=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="F" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + sheet_xml + "</worksheet>")
        z.writestr("xl/sharedStrings.xml", shared_xml or '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Nom</t></si></sst>')
    return buf.getvalue()


def hostile_files():
    sparse = xlsx('<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                  '<row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row></sheetData>')
    big = "B" * 1_000_000
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 20_001))
    fanout = xlsx(f"<sheetData>{cells}</sheetData>",
                  f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{big}</t></si></sst>')
    one_cell = b"Nom\n" + b"x" * (50 * 1024 * 1024) + b"\n"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (300 * 1024 * 1024))
    columns = (",".join(f"c{i}" for i in range(200_000)) + "\n").encode()
    return [("creux.xlsx", sparse), ("eventail.xlsx", fanout), ("cellule.csv", one_cell), ("bombe.xlsx", bomb.getvalue()), ("colonnes.csv", columns)]


def main():
    binary = sys.argv[1]
    cores = os.cpu_count() or 2
    db = tempfile.mktemp(prefix="ouvrage-hostile-", suffix=".db")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", OUVRAGE_ADDR=f"127.0.0.1:{port}", OUVRAGE_DEMO="0",
               OUVRAGE_ADMIN_EMAIL=ADMIN[0], OUVRAGE_ADMIN_PASSWORD=ADMIN[1], RUST_LOG="error", OUVRAGE_TRUST_PROXY="0")
    server = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/connexion", timeout=2).read()
            break
        except Exception:
            time.sleep(0.1)
    admin = Client(base)
    assert admin.call("login", [("email", ADMIN[0]), ("password", ADMIN[1])]) == 200, "admin login"
    assert admin.call("users/create", [("name", "Cible"), ("email", TARGET[0]), ("signature", ""), ("password", TARGET[1])]) == 200
    admin.call("contacts/create", [("statut", "client"), ("nom", "Pavière"), ("prenom", "Robert")])
    idle = rss_kb(server.pid, "VmRSS")

    # 1. The login storm.
    def wrong(i):
        return Client(base).call("login", [("email", TARGET[0]), ("password", f"Mauvais-passe-{i}")])

    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        statuses = list(pool.map(wrong, range(64)))
    storm_peak = rss_kb(server.pid, "VmHWM")
    checked, refused = statuses.count(422), statuses.count(429)

    # 2. The hostile corpus.
    rng = random.Random(2026)
    functions = [(e, p) for e, p in server_functions() if e not in ("logout", "login")]
    calls = errors = deaths = 0
    statuses = {}

    def record(status):
        nonlocal calls, errors
        calls += 1
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500:
            errors += 1

    for round_ in range(14):
        for endpoint, params in functions:
            pairs = []
            for name, is_list in params:
                key = name + "[]" if is_list else name
                for _ in range(rng.randint(1, 3) if is_list else 1):
                    value = "1" if (name.endswith("id") and rng.random() < 0.5) else rng.choice(CORPUS)
                    if round_ == 13:
                        value += "\x00"
                    pairs.append((key, value))
            record(admin.call(endpoint, pairs))
    for endpoint, params in functions[:20]:
        lists = [n for n, is_list in params if is_list] or ["x"]
        record(admin.send("/api/" + endpoint, (lists[0] + "[]=a&") .encode() * 1_000_000, "application/x-www-form-urlencoded"))
        record(admin.send("/api/" + endpoint, b"a" + b"[b]" * 100_000 + b"=1", "application/x-www-form-urlencoded"))
        record(admin.send("/api/" + endpoint, b"[" * 100_000 + b"]" * 100_000, "application/json"))
    for name, data in hostile_files():
        record(admin.upload("/clients/importer/fichier", name, data))
        record(admin.upload("/clients/1/porte-doc/importer", name, data))
        if server.poll() is not None:
            deaths += 1
            break
    if server.poll() is not None:
        deaths += 1
    peak = rss_kb(server.pid, "VmHWM") if server.poll() is None else 0
    server.send_signal(signal.SIGTERM)
    out, _ = server.communicate(timeout=60)
    at_once = re.search(r"au plus : (\d+)", out or "")
    os.remove(db)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)

    print(f"idle server (baseline): RSS {idle / 1024:.0f} MB, {cores} cores")
    print(f"login storm: 64 concurrent wrong passwords for one account: {checked} checked (limit 5), {refused} refused early (429); "
          f"at most {at_once.group(1) if at_once else '?'} password hashes at once (limit {cores}); "
          f"RSS added {(storm_peak - idle) / 1024:.0f} MB over the idle server (limit 100)")
    print(f"hostile corpus: {calls} calls on {len(functions)} server functions and 2 upload routes, "
          f"{errors} HTTP 500, {deaths} process deaths, peak RSS {peak / 1024:.0f} MB (limit 512); statuses {dict(sorted(statuses.items()))}")
    ok = errors == 0 and deaths == 0 and checked <= 5 and calls >= 1000 and peak < 512 * 1024
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
