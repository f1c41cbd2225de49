#!/usr/bin/env bash
# Makes the OpenSSL timestamp fixtures in ./openssl: a throwaway TSA (test keys only, never trusted anywhere)
# and `openssl ts` queries and replies made with it. Run from anywhere: `bash Tests/Fixtures/timestamp/make.sh`.
# Re-running makes new keys and new genTimes, so the tests' expected values must be updated with it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/openssl"
rm -rf "$out"
mkdir -p "$out"
cd "$out"

days=36500  # keep the fixtures valid for the life of the project

ext() { printf '%s\n' "$@" > ext.cnf; }

# Root CA (ECDSA P-256), intermediate CA (ECDSA P-384), and an unrelated root for wrong-chain tests.
openssl ecparam -name prime256v1 -genkey -noout -out root.key
openssl req -x509 -new -key root.key -sha256 -days $days -subj "/O=sigil.test/CN=Sigil Test TSA Root" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
openssl ecparam -name prime256v1 -genkey -noout -out other-root.key
openssl req -x509 -new -key other-root.key -sha256 -days $days -subj "/O=sigil.test/CN=Unrelated Root" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out other-root.pem
openssl ecparam -name secp384r1 -genkey -noout -out intermediate.key
openssl req -new -key intermediate.key -subj "/O=sigil.test/CN=Sigil Test TSA Intermediate" -out intermediate.csr
ext "basicConstraints=critical,CA:TRUE,pathlen:0" "keyUsage=critical,keyCertSign,cRLSign" \
    "extendedKeyUsage=timeStamping" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"
openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -set_serial 0x1001 -sha256 -days $days \
    -extfile ext.cnf -out intermediate.pem

# issue NAME KEYTYPE ISSUER "EKU line (empty for none)"
issue() {
    local name=$1 keytype=$2 issuer=$3 eku=$4 serial=$5
    if [ "$keytype" = rsa ]; then
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key"
    else
        openssl ecparam -name prime256v1 -genkey -noout -out "$name.key"
    fi
    openssl req -new -key "$name.key" -subj "/O=sigil.test/CN=$name" -out "$name.csr"
    ext "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" ${eku:+"$eku"}
    openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -set_serial "$serial" -sha256 \
        -days $days -extfile ext.cnf -out "$name.pem"
    rm "$name.csr"
}
issue tsa-ec ec root "extendedKeyUsage=critical,timeStamping" 0x2001
issue tsa-rsa rsa intermediate "extendedKeyUsage=critical,timeStamping" 0x2002
issue tsa-noncritical ec root "extendedKeyUsage=timeStamping" 0x2003
issue tsa-noeku ec root "" 0x2004
issue tsa-twin ec root "extendedKeyUsage=critical,timeStamping" 0x2001  # same issuer and serial as tsa-ec
# A TSA leaf whose key usage is keyEncipherment only (critical EKU timeStamping).
openssl ecparam -name prime256v1 -genkey -noout -out tsa-badku.key
openssl req -new -key tsa-badku.key -subj "/O=sigil.test/CN=tsa-badku" -out tsa-badku.csr
ext "basicConstraints=critical,CA:FALSE" "keyUsage=critical,keyAgreement" "extendedKeyUsage=critical,timeStamping"
openssl x509 -req -in tsa-badku.csr -CA root.pem -CAkey root.key -set_serial 0x2005 -sha256 -days $days \
    -extfile ext.cnf -out tsa-badku.pem
rm tsa-badku.csr
rm -f ext.cnf intermediate.csr

cat > tsa.cnf <<'CNF'
# openssl ts -reply configuration; paths are relative to the working directory.
[ tsa_ec ]
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa-ec.pem
signer_key = ./tsa-ec.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
other_policies = 1.3.6.1.4.1.57264.99
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256

[ tsa_rsa ]
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa-rsa.pem
certs = ./intermediate.pem
signer_key = ./tsa-rsa.key
signer_digest = sha384
default_policy = 1.3.6.1.4.1.57264.2
other_policies = 1.3.6.1.4.1.57264.99
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500
ordering = yes
tsa_name = yes
ess_cert_id_chain = yes
ess_cert_id_alg = sha1
CNF
echo 01 > serial

# The "signature bytes" a Sigstore client would timestamp (any bytes will do).
printf 'sigil timestamp fixture: these bytes stand for a signature\n' > signature.bin

openssl ts -query -data signature.bin -sha256 -cert -out query-sha256.tsq
openssl ts -query -data signature.bin -sha512 -cert -out query-sha512.tsq
openssl ts -query -data signature.bin -sha384 -no_nonce -out query-sha384-nocert.tsq
openssl ts -query -data signature.bin -sha256 -cert -tspolicy 1.2.3.4.5 -out query-badpolicy.tsq

openssl ts -reply -config tsa.cnf -section tsa_ec -queryfile query-sha256.tsq -out reply-ec-sha256.tsr
openssl ts -reply -config tsa.cnf -section tsa_rsa -queryfile query-sha512.tsq -out reply-rsa-sha512.tsr
openssl ts -reply -config tsa.cnf -section tsa_ec -queryfile query-sha384-nocert.tsq -out reply-ec-sha384-nocert.tsr
openssl ts -reply -config tsa.cnf -section tsa_ec -queryfile query-badpolicy.tsq -out reply-rejected.tsr

# OpenSSL checks the replies it made (chain, imprint over signature.bin, nonce where the query had one).
openssl ts -verify -queryfile query-sha256.tsq -in reply-ec-sha256.tsr -CAfile root.pem
cat intermediate.pem root.pem > chain-rsa.pem
openssl ts -verify -queryfile query-sha512.tsq -in reply-rsa-sha512.tsr -CAfile chain-rsa.pem -untrusted intermediate.pem
rm chain-rsa.pem

# `openssl ts -reply` refuses signers without a critical timeStamping EKU, so tokens signed by such certificates
# are made with `openssl cms`, encapsulating the TSTInfo of reply-ec-sha256.tsr.
openssl ts -reply -in reply-ec-sha256.tsr -token_out -out token-ec.der
openssl cms -verify -noverify -inform DER -in token-ec.der -binary -out tstinfo-ec.der 2>/dev/null
for name in tsa-noncritical tsa-noeku; do
    openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -econtent_type 1.2.840.113549.1.9.16.1.4 \
        -in tstinfo-ec.der -signer "$name.pem" -inkey "$name.key" -outform DER -out "token-$name.der"
done
# Control and extra cases on the same path: the good TSA signing with a subjectKeyIdentifier sid (-keyid), and
# the good TSA signing a TSTInfo whose genTime year is changed to 2020, before its certificate's notBefore.
openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -econtent_type 1.2.840.113549.1.9.16.1.4 -keyid \
    -in tstinfo-ec.der -signer tsa-ec.pem -inkey tsa-ec.key -outform DER -out token-tsa-ec-keyid.der
perl -0777 -pe 's/\x18\x0f\d{4}/\x18\x0f2020/' tstinfo-ec.der > tstinfo-ec-2020.der
openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -econtent_type 1.2.840.113549.1.9.16.1.4 \
    -in tstinfo-ec-2020.der -signer tsa-ec.pem -inkey tsa-ec.key -outform DER -out token-tsa-ec-2020.der
# Structural cases: two signers, no signed attributes, a twin certificate (same issuer and serial as tsa-ec,
# another key) embedded and signing, and a signer whose key usage is wrong.
cms_sign() {  # cms_sign OUT EXTRA-ARGS...
    local out=$1; shift
    openssl cms -sign -binary -nodetach -nosmimecap -md sha256 -econtent_type 1.2.840.113549.1.9.16.1.4 \
        -in tstinfo-ec.der -outform DER -out "$out" "$@"
}
cms_sign token-two-signers.der -signer tsa-ec.pem -inkey tsa-ec.key -signer tsa-noeku.pem -inkey tsa-noeku.key
cms_sign token-noattr.der -noattr -signer tsa-ec.pem -inkey tsa-ec.key
cms_sign token-tsa-twin.der -signer tsa-twin.pem -inkey tsa-twin.key
cms_sign token-tsa-badku.der -signer tsa-badku.pem -inkey tsa-badku.key
rm token-ec.der tstinfo-ec-2020.der

for r in reply-*.tsr; do
    echo "== $r"
    openssl ts -reply -in "$r" -text | grep -E 'Status:|Time stamp:|Nonce:|Hash Algorithm:'
done > replies.txt
cat replies.txt
