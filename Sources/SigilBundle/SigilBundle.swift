// SigilBundle: placeholder until its first file lands.
