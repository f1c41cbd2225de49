"""Verify a DER TimeStampResp the way sigstore-python 4.5.1 does (Verifier._verify_signed_timestamp):
rfc3161-client's VerifierBuilder with the TSA leaf as tsa_certificate, the chain's last certificate as root and
the middle ones as intermediates, then verify_message over the timestamped bytes.

usage: rfc3161_client_verify.py REPLY.tsr DATA CHAIN.pem
Prints "OK <genTime ISO 8601> <nonce or None>" and exits 0, or prints the error and exits 1.
"""

import sys

from cryptography import x509
from rfc3161_client import VerifierBuilder, decode_timestamp_response


def main() -> int:
    reply_path, data_path, chain_path = sys.argv[1:4]
    with open(reply_path, "rb") as f:
        reply = f.read()
    with open(data_path, "rb") as f:
        data = f.read()
    with open(chain_path, "rb") as f:
        chain = x509.load_pem_x509_certificates(f.read())
    try:
        response = decode_timestamp_response(reply)
        builder = VerifierBuilder().tsa_certificate(chain[0]).add_root_certificate(chain[-1])
        for certificate in chain[1:-1]:
            builder = builder.add_intermediate_certificate(certificate)
        builder.build().verify_message(response, data)
    except Exception as error:  # noqa: BLE001 - report any failure to the Swift test
        print(f"FAIL {type(error).__name__}: {error}")
        return 1
    info = response.tst_info
    print(f"OK {info.gen_time.isoformat()} {info.nonce}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
