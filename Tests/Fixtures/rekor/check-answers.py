# Parses answer files with sigstore-python 4.5.1's own strict models, the way `RekorV2Client.create_entry`
# does (`sigstore_models.rekor.v1.TransparencyLogEntry.from_dict`, then `sigstore.models.TransparencyLogEntry`),
# and shows an error body the way `RekorClientError` does. Run with sigstore==4.5.1 installed:
#     python3 check-answers.py staging-rekor-v2-answer.json a.dsse.staging-rekor-v2-answer.json
import json
import sys

import requests
from sigstore._internal.rekor import RekorClientError
from sigstore.models import TransparencyLogEntry
from sigstore_models.rekor.v1 import TransparencyLogEntry as Inner

for path in sys.argv[1:]:
    inner = Inner.from_dict(json.load(open(path)))
    TransparencyLogEntry(inner)
    print(path, "parses: logIndex", inner.log_index, "treeSize", inner.inclusion_proof.tree_size)

response = requests.Response()
response.status_code = 400
response._content = b'{"code":3,"message":"invalid type, must be hashedrekord","details":[]}'
print("error body shown as:", RekorClientError(requests.HTTPError(response=response)))
