#!/bin/sh
# Regenerates the openssl-*.note fixtures: keys and signatures come from the openssl CLI, key IDs from
# Python's hashlib, so none of Sigil's code is involved. Run from this folder; output differs each run
# (fresh keys), and the tests only need the files to be self-consistent.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
text='example.com/openssl-log
4
LFIKNY1Rqc1nkhHGuiu6qhWRIUeL7Ft2XgQGpAUbP6I=
'

# Ed25519, signature type 0x01: key ID = SHA-256(name || 0x0A || 0x01 || raw key)[:4].
openssl genpkey -algorithm ed25519 -out "$tmp/ed.pem"
openssl pkey -in "$tmp/ed.pem" -pubout -outform DER -out openssl-ed25519.spki.der
printf '%s' "$text" > "$tmp/text"
openssl pkeyutl -sign -inkey "$tmp/ed.pem" -rawin -in "$tmp/text" -out "$tmp/ed.sig"
python3 - "$tmp" <<'PY'
import base64, hashlib, sys
tmp = sys.argv[1]
text = open(f"{tmp}/text", "rb").read()
name = b"example.com/openssl-log"
raw = open("openssl-ed25519.spki.der", "rb").read()[12:]
key_id = hashlib.sha256(name + b"\n\x01" + raw).digest()[:4]
sig = open(f"{tmp}/ed.sig", "rb").read()
line = "\u2014 ".encode() + name + b" " + base64.b64encode(key_id + sig) + b"\n"
open("openssl-ed25519.note", "wb").write(text + b"\n" + line)
PY

# ECDSA P-256, signature type 0x02: key ID = SHA-256(DER SPKI)[:4], DER signature with SHA-256.
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.pem"
openssl ec -in "$tmp/ec.pem" -pubout -outform DER -out openssl-p256.spki.der
openssl dgst -sha256 -sign "$tmp/ec.pem" -out "$tmp/ec.sig" "$tmp/text"
python3 - "$tmp" <<'PY'
import base64, hashlib, sys
tmp = sys.argv[1]
text = open(f"{tmp}/text", "rb").read()
name = b"example.com/openssl-log"
key_id = hashlib.sha256(open("openssl-p256.spki.der", "rb").read()).digest()[:4]
sig = open(f"{tmp}/ec.sig", "rb").read()
line = "\u2014 ".encode() + name + b" " + base64.b64encode(key_id + sig) + b"\n"
open("openssl-p256.note", "wb").write(text + b"\n" + line)
PY
