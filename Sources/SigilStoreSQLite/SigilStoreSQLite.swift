// SigilStoreSQLite: placeholder until its first file lands.
