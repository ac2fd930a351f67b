package s3test

import "syscall"

// dieWithParent makes a started daemon die with the test binary, even
// one killed before its cleanups run (a test timeout, kill -9).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
