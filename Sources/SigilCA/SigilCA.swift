// SigilCA: placeholder until its first file lands.
