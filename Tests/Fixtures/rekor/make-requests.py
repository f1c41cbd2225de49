# Makes the request bodies sigstore-python 4.5.1 sends to a Rekor v2 log (`POST /api/v2/log/entries`) for the
# two public staging Rekor v2 bundles in ../sigstore-public, with sigstore-python's own request builders
# (`RekorV2Client._build_hashed_rekord_request` / `_build_dsse_request`) and the same JSON encoding `requests`
# uses for `json=` (json.dumps, default separators). Run with sigstore==4.5.1 installed:
#     python3 make-requests.py
import base64
import hashlib
import json
import pathlib

from cryptography import x509
from sigstore._internal.rekor.client_v2 import RekorV2Client
from sigstore.dsse import Envelope
from sigstore.hashes import Hashed
from sigstore_models.common.v1 import HashAlgorithm

here = pathlib.Path(__file__).parent
public = here.parent / "sigstore-public"


def certificate(bundle):
    der = base64.b64decode(bundle["verificationMaterial"]["certificate"]["rawBytes"])
    return x509.load_der_x509_certificate(der)


def write(name, payload):
    # requests: body = complexjson.dumps(json, allow_nan=False).encode("utf-8")
    (here / name).write_bytes(json.dumps(payload, allow_nan=False).encode("utf-8"))


bundle = json.loads((public / "staging-rekor-v2.txt.sigstore.json").read_text())
artifact = (public / "staging-rekor-v2.txt").read_bytes()
hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=hashlib.sha256(artifact).digest())
signature = base64.b64decode(bundle["messageSignature"]["signature"])
write(
    "sigstore-python-4.5.1-hashedrekord-request.json",
    RekorV2Client._build_hashed_rekord_request(hashed, signature, certificate(bundle)),
)

bundle = json.loads((public / "a.dsse.staging-rekor-v2.txt.sigstore.json").read_text())
envelope = Envelope._from_json(json.dumps(bundle["dsseEnvelope"]))
write(
    "sigstore-python-4.5.1-dsse-request.json",
    RekorV2Client._build_dsse_request(envelope, certificate(bundle)),
)
