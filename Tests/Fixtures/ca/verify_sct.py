#!/usr/bin/env python3
# Written for Sigil. Runs sigstore-python's own SCT check, the one `sigstore sign` runs on the certificate Fulcio
# returns, on a certificate issued by Sigil:
#
#   verify_sct.py LEAF.pem CHAIN.pem TRUSTED_ROOT.json
#
# CHAIN.pem holds the issuing chain (intermediate first). The CT keyring is built the way `sigstore sign` builds
# it: TrustedRoot.from_file(...).ct_keyring(KeyringPurpose.SIGN). Prints one JSON line and exits 0 when
# verify_sct accepts, 1 when it raises VerificationError, 2 for anything else (missing peer, unreadable input).

import json
import sys


def main() -> int:
    if len(sys.argv) != 4:
        print(json.dumps({"ok": False, "error": "usage: verify_sct.py LEAF.pem CHAIN.pem TRUSTED_ROOT.json"}))
        return 2
    try:
        import sigstore
        from cryptography import x509
        from sigstore._internal.sct import verify_sct
        from sigstore._internal.trust import KeyringPurpose
        from sigstore.errors import VerificationError
        from sigstore.models import TrustedRoot

        with open(sys.argv[1], "rb") as f:
            leaf = x509.load_pem_x509_certificate(f.read())
        with open(sys.argv[2], "rb") as f:
            chain = x509.load_pem_x509_certificates(f.read())
        keyring = TrustedRoot.from_file(sys.argv[3]).ct_keyring(KeyringPurpose.SIGN)
    except Exception as error:  # the peer or the input is broken, not the SCT
        print(json.dumps({"ok": False, "setup_error": f"{type(error).__name__}: {error}"}))
        return 2
    try:
        verify_sct(leaf, chain, keyring)
    except VerificationError as error:
        print(json.dumps({"ok": False, "sigstore": sigstore.__version__, "error": str(error)}))
        return 1
    except Exception as error:
        print(json.dumps({"ok": False, "setup_error": f"{type(error).__name__}: {error}"}))
        return 2
    print(json.dumps({"ok": True, "sigstore": sigstore.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
