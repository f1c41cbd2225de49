// SigilClient: placeholder until its first file lands.
