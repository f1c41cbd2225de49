// SigilServer: placeholder until its first file lands.
