// SigilTSA: placeholder until its first file lands.
