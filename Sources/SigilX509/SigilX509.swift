// SigilX509: placeholder until its first file lands.
