#!/usr/bin/env python3
"""Independent check of a Sigil-issued Fulcio certificate chain with pyca/cryptography.

Usage: check_chain.py CHAIN.pem UNIX_TIME EXPECTED_SAN EXPECTED_ISSUER
CHAIN.pem holds leaf, intermediate, root (PEM, in that order). Prints one JSON object with what it
found and exits 0 when every check passes, 1 otherwise (the JSON says which check failed).
"""
import datetime
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, ObjectIdentifier
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store

ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")


def der_utf8string(value: bytes) -> str:
    # UTF8String, tag 0x0c, short or long definite length; nothing may trail.
    if len(value) < 2 or value[0] != 0x0C:
        raise ValueError("not a UTF8String")
    length, offset = value[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(value[2:2 + count], "big")
        offset = 2 + count
    if offset + length != len(value):
        raise ValueError("UTF8String length mismatch")
    return value[offset:].decode("utf-8")


def main() -> int:
    chain_path, when, want_san, want_issuer = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with open(chain_path, "rb") as handle:
        leaf, intermediate, root = x509.load_pem_x509_certificates(handle.read())
    result = {"checks": {}}
    checks = result["checks"]

    san = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    names = [str(n.value) for n in san.value]
    checks["san_critical"] = san.critical
    checks["san_value"] = names == [want_san]
    checks["subject_empty"] = len(leaf.subject) == 0
    eku = leaf.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    checks["eku_code_signing_only"] = list(eku.value) == [ExtendedKeyUsageOID.CODE_SIGNING]
    ku = leaf.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    checks["key_usage"] = ku.critical and ku.value.digital_signature and not ku.value.key_cert_sign
    aki = leaf.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    ski = intermediate.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    checks["aki_matches_intermediate_ski"] = aki.value.key_identifier == ski.value.digest
    issuer_v1 = leaf.extensions.get_extension_for_oid(ISSUER_V1).value.value
    issuer_v2 = leaf.extensions.get_extension_for_oid(ISSUER_V2).value.value
    checks["issuer_v1_raw"] = issuer_v1 == want_issuer.encode()
    checks["issuer_v2_utf8string"] = der_utf8string(issuer_v2) == want_issuer
    scts = leaf.extensions.get_extension_for_oid(ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS)
    checks["one_sct"] = len(list(scts.value)) == 1
    validity = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    checks["ten_minutes"] = validity == datetime.timedelta(minutes=10)
    checks["serial_at_most_20_octets"] = 0 < leaf.serial_number < (1 << 159)
    checks["ca_keys_ecdsa"] = all(isinstance(c.public_key(), ec.EllipticCurvePublicKey) for c in (intermediate, root))

    # The WebPKI client verifier as sigstore-python configures it: store = [root, intermediate], EKU relaxed.
    builder = PolicyBuilder().store(Store([root, intermediate])).time(
        datetime.datetime.fromtimestamp(when, tz=datetime.timezone.utc))
    try:
        # WebPKI defaults for CAs and the leaf, except that the leaf's EKU may be anything (codeSigning
        # is not serverAuth/clientAuth); everything else the defaults demand (AKI, critical SAN with an
        # empty subject, CA BasicConstraints and KeyUsage) stays required.
        ee = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None)
        ca = ExtensionPolicy.webpki_defaults_ca()
        builder = builder.extension_policies(ca_policy=ca, ee_policy=ee)
        result["eku_relaxed"] = True
    except AttributeError:
        result["eku_relaxed"] = False
    try:
        verifier = builder.build_client_verifier()
        verified = verifier.verify(leaf, [])
        checks["client_verifier"] = len(verified.chain) == 3
    except Exception as error:  # noqa: BLE001 - report any verifier refusal
        checks["client_verifier"] = False
        result["verifier_error"] = str(error)

    print(json.dumps(result, sort_keys=True))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
