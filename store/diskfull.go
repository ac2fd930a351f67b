package store

// IsDiskFull reports whether err says the disk (or a stick) is full or
// over its quota, on every system enquete runs on.
func IsDiskFull(err error) bool { return isDiskFull(err) }
