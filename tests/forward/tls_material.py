"""Throw-away TLS material for the receivers, made with the openssl command.

One directory holds a test CA, a server certificate for localhost/127.0.0.1
signed by it, a client certificate signed by it (for client-certificate
authentication), and the three broken server certificates of the TLS fault
cases: one signed by another CA, one that has expired, one for another host
name. Keys are EC P-256 and owner-only.
"""

import os
import shutil
import subprocess


class Unavailable(Exception):
    """No openssl command: the TLS cases are skipped."""


_CA_CONFIG = """\
[ ca ]
default_ca = test_ca
[ test_ca ]
database = {dir}/index.txt
new_certs_dir = {dir}/issued
serial = {dir}/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
[ any_name ]
commonName = supplied
"""


class Pki:
    """Certificates in `directory`; each attribute is a path."""

    def __init__(self, directory):
        self.openssl = shutil.which("openssl")
        if not self.openssl:
            raise Unavailable("the openssl command is not installed")
        self.dir = directory
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self.ca_cert, self.ca_key = self._ca("ca", "preloop-hook test CA")
        self.other_ca_cert, self.other_ca_key = self._ca("other-ca", "some other CA")
        self.server_cert, self.server_key = self._leaf(
            "server", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth", self.ca_cert, self.ca_key)
        self.client_cert, self.client_key = self._leaf(
            "client", "preloop-hook client", None, "clientAuth", self.ca_cert, self.ca_key)
        self.wrong_ca_cert, self.wrong_ca_key = self._leaf(
            "server-wrong-ca", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth",
            self.other_ca_cert, self.other_ca_key)
        self.wrong_host_cert, self.wrong_host_key = self._leaf(
            "server-wrong-host", "elsewhere.example", "DNS:elsewhere.example", "serverAuth",
            self.ca_cert, self.ca_key)
        self.expired_cert, self.expired_key = self._leaf(
            "server-expired", "localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth",
            self.ca_cert, self.ca_key, dates=("20200101000000Z", "20200201000000Z"))

    def server_pair(self, variant):
        """(cert, key) of the server certificate `variant`: good, wrong_ca, expired, wrong_host."""
        return {
            "good": (self.server_cert, self.server_key),
            "wrong_ca": (self.wrong_ca_cert, self.wrong_ca_key),
            "expired": (self.expired_cert, self.expired_key),
            "wrong_host": (self.wrong_host_cert, self.wrong_host_key),
        }[variant]

    def _run(self, *args):
        out = subprocess.run([self.openssl, *args], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(args[:2])} failed: {out.stderr.strip()}")

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _key(self, name):
        key = self._path(name + ".key")
        self._run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        os.chmod(key, 0o600)
        return key

    def _ca(self, name, common_name):
        key = self._key(name)
        cert = self._path(name + ".pem")
        self._run("req", "-x509", "-new", "-key", key, "-out", cert, "-days", "2", "-subj", f"/CN={common_name}",
                  "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return cert, key

    def _leaf(self, name, common_name, san, usage, ca_cert, ca_key, dates=None):
        key = self._key(name)
        csr = self._path(name + ".csr")
        cert = self._path(name + ".pem")
        ext = self._path(name + ".ext")
        with open(ext, "w") as f:
            f.write(f"basicConstraints=CA:FALSE\nextendedKeyUsage={usage}\n")
            if san:
                f.write(f"subjectAltName={san}\n")
        self._run("req", "-new", "-key", key, "-out", csr, "-subj", f"/CN={common_name}")
        if dates is None:
            self._run("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-set_serial",
                      str(int.from_bytes(os.urandom(7), "big")), "-days", "2", "-extfile", ext, "-out", cert)
            return cert, key
        # Dates in the past need `openssl ca` (x509 -req only counts days from now).
        db = self._path("ca-db")
        os.makedirs(os.path.join(db, "issued"), exist_ok=True)
        open(os.path.join(db, "index.txt"), "a").close()
        with open(os.path.join(db, "serial"), "w") as f:
            f.write("1000\n")
        config = os.path.join(db, "ca.cnf")
        with open(config, "w") as f:
            f.write(_CA_CONFIG.format(dir=db))
        self._run("ca", "-batch", "-notext", "-config", config, "-cert", ca_cert, "-keyfile", ca_key, "-in", csr,
                  "-out", cert, "-startdate", dates[0], "-enddate", dates[1], "-extfile", ext)
        return cert, key
