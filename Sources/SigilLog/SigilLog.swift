// SigilLog: placeholder until its first file lands.
