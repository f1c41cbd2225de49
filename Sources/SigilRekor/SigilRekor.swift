// SigilRekor: placeholder until its first file lands.
