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

    def check(name, predicate):
        try:
            checks[name] = bool(predicate())
        except Exception as error:  # noqa: BLE001 - a missing extension is a failed check
            checks[name] = False
            result.setdefault("errors", {})[name] = repr(error)

    def ext(cert, oid):
        return cert.extensions.get_extension_for_oid(oid)

    check("san_critical", lambda: ext(leaf, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).critical)
    check("san_value", lambda: [str(n.value) for n in ext(leaf, ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value] == [want_san])
    check("subject_empty", lambda: len(leaf.subject) == 0)
    check("eku_code_signing_only",
          lambda: list(ext(leaf, ExtensionOID.EXTENDED_KEY_USAGE).value) == [ExtendedKeyUsageOID.CODE_SIGNING])
    check("key_usage", lambda: ext(leaf, ExtensionOID.KEY_USAGE).critical
          and ext(leaf, ExtensionOID.KEY_USAGE).value.digital_signature
          and not ext(leaf, ExtensionOID.KEY_USAGE).value.key_cert_sign)
    check("aki_matches_intermediate_ski",
          lambda: ext(leaf, ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value.key_identifier
          == ext(intermediate, ExtensionOID.SUBJECT_KEY_IDENTIFIER).value.digest)
    check("issuer_v1_raw", lambda: ext(leaf, ISSUER_V1).value.value == want_issuer.encode())
    check("issuer_v2_utf8string", lambda: der_utf8string(ext(leaf, ISSUER_V2).value.value) == want_issuer)
    check("one_sct", lambda: len(list(ext(leaf, ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS).value)) == 1)
    check("ten_minutes", lambda: leaf.not_valid_after_utc - leaf.not_valid_before_utc == datetime.timedelta(minutes=10))
    check("serial_at_most_20_octets", lambda: 0 < leaf.serial_number < (1 << 159))
    check("ca_keys_ecdsa",
          lambda: all(isinstance(c.public_key(), ec.EllipticCurvePublicKey) for c in (intermediate, root)))

    # The WebPKI client verifier as sigstore-python configures it: store = [root, intermediate], EKU relaxed.
    at = datetime.datetime.fromtimestamp(when, tz=datetime.timezone.utc)
    # The policy sigstore-python 4.5.1 uses (sigstore/verify/verifier.py): WebPKI defaults for CAs and the
    # leaf, except that ExtendedKeyUsage may be present (non-critical) with any value on both, since Fulcio
    # chains carry codeSigning rather than clientAuth. Everything else the defaults demand (AKI, critical SAN
    # with an empty subject, critical CA BasicConstraints, KeyUsage) stays required.
    ee = ExtensionPolicy.webpki_defaults_ee().may_be_present(x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None)
    ca = ExtensionPolicy.webpki_defaults_ca().may_be_present(x509.ExtendedKeyUsage, Criticality.NON_CRITICAL, None)

    def verify(store, intermediates, name):
        try:
            verifier = (PolicyBuilder().store(Store(store)).time(at)
                        .extension_policies(ca_policy=ca, ee_policy=ee).build_client_verifier())
            verified = verifier.verify(leaf, intermediates)
            result[name + "_chain_length"] = len(verified.chain)
            return verified.chain[0] == leaf
        except Exception as error:  # noqa: BLE001 - report any verifier refusal
            result[name + "_error"] = str(error)
            return False

    # As sigstore-python calls it: store = the trusted root's certChain (intermediate and root), no
    # intermediates from the bundle. Then with only the root trusted, the intermediate given as untrusted,
    # which proves the intermediate itself chains to the root.
    checks["client_verifier"] = verify([root, intermediate], [], "client_verifier")
    checks["client_verifier_root_only"] = verify([root], [intermediate], "client_verifier_root_only")
    checks["root_only_chain_is_three"] = result.get("client_verifier_root_only_chain_length") == 3

    print(json.dumps(result, sort_keys=True))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
