// SigilTimestamp: placeholder until its first file lands.
