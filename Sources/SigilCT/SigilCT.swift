// SigilCT: placeholder until its first file lands.
